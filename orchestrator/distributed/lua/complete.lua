-- complete.lua: record one finished step of a run, atomically and exactly once.
--
-- The scheduling core (orchestrator/execution/scheduling.py) decides everything; this script only
-- records its decision and counts. KEYS[1] is the run's status hash (all keys share the prefix).
-- It is on every step's path, so it runs as few commands as the guarantees allow: about eight for
-- a step of a chain (bench/PROFILE.md).
-- ARGV[1]: the run's key prefix (orchestrator/distributed/keys.py lists the suffixes).
-- ARGV[2]: a JSON object with named fields:
--   step             the finished step's key
--   status           its terminal status: success | failure | skipped | abandoned | canceled
--   outputs          ids of the outputs it stored
--   dynamic          dynamic output id -> list of mapping keys it yielded
--   new_steps        [{key, up}]: mapped steps its dynamic outputs created, and their upstream steps
--   templates        [{key, status, collectors, instances}]: templates resolved by those outputs;
--                    each collector now waits on the unfinished instances instead of the template
--   remaining_delta  how the count of unfinished steps changes
--   down             the steps of the plan waiting on this one (the plan is the same everywhere,
--                    so it is not stored: only what dynamic outputs add is, under :down)
--   dyn_down         whether dynamic outputs may have added steps waiting on this one
--   now              the time, for the outbox (and started_at when `mark_started`)
--   token            this completion's token: a retry with the same token gets the first reply
--   mark_started     the run may still be QUEUED: mark it STARTED (the first step this process ends)
--   was_running      the step's start was recorded on its own (:running): clear it
-- ARGV[3]: 'e' (one event) or 'es' (the step's events as one JSON array), the stream field; '' for none
-- ARGV[4]: that event or array (one stream entry)
-- ARGV[5...]: triples step, broker list, payload: the Celery messages of steps this completion
--   certainly makes ready (built by dispatch.step_messages); each that is ready is pushed here, so it
--   is enqueued exactly once and never enters the outbox. The large strings (events, messages) are
--   arguments of their own, not fields of ARGV[2]: cjson decoding them was a sixth of this script's time.
-- Returns {remaining, failed, closed, pushed, ready...} (the first `pushed` of `ready` were pushed
-- here), or {-1, 0, 0} when the step had already finished (a second delivery). The other `ready`
-- steps enter the outbox until the caller confirms it published them.
-- `failed` is only read (and true) when nothing remains; `closed` only when something is ready or
-- nothing remains (otherwise nothing is decided on it).
local p = ARGV[1]
local a = cjson.decode(ARGV[2])
local key = a.step
local messages = {}
for i = 5, #ARGV, 3 do messages[ARGV[i]] = i end
-- HSET of many field/value pairs, in slices (Lua's unpack takes a few thousand values at most).
local function hset_pairs(hash, flat)
  for i = 1, #flat, 2000 do
    redis.call('HSET', hash, unpack(flat, i, math.min(i + 1999, #flat)))
  end
end
if redis.call('HSETNX', KEYS[1], key, a.status) == 0 then
  local prev = redis.call('HGET', p .. ':done', key)
  if prev then
    local stored = cjson.decode(prev)
    if stored.token == a.token then return stored.result end
  end
  return {-1, 0, 0}
end
if a.mark_started then
  redis.call('HSETNX', p .. ':record', 'started_at', a.now)
  if redis.call('HGET', p .. ':record', 'status') == 'QUEUED' then
    redis.call('HSET', p .. ':record', 'status', 'STARTED')
  end
end
if ARGV[3] ~= '' then
  redis.call('XADD', p .. ':events', 'MAXLEN', '~', 100000, '*', ARGV[3], ARGV[4])
end
if a.was_running then redis.call('HDEL', p .. ':running', key) end
if a.status == 'failure' then redis.call('HSET', p .. ':meta', 'failed', 1) end
for i = 1, #a.outputs, 1000 do
  redis.call('SADD', p .. ':produced', unpack(a.outputs, i, math.min(i + 999, #a.outputs)))
end
local dyn = {}
for source, keys in pairs(a.dynamic) do
  table.insert(dyn, source)
  table.insert(dyn, cjson.encode(keys))
end
hset_pairs(p .. ':dyn', dyn)

local function add_down(up, down)
  local cur = redis.call('HGET', p .. ':down', up)
  local list = {}
  if cur then list = cjson.decode(cur) end
  table.insert(list, down)
  redis.call('HSET', p .. ':down', up, cjson.encode(list))
end

local ready = {}
for _, ns in ipairs(a.new_steps) do
  local waiting = 0
  for _, up in ipairs(ns.up) do
    if redis.call('HEXISTS', KEYS[1], up) == 0 then
      waiting = waiting + 1
      add_down(up, ns.key)
    end
  end
  redis.call('HSET', p .. ':pending', ns.key, waiting)
  if waiting == 0 then table.insert(ready, ns.key) end
end
for _, t in ipairs(a.templates) do
  redis.call('HSET', KEYS[1], t.key, t.status)
  for _, c in ipairs(t.collectors) do
    local n = 0
    for _, i in ipairs(t.instances) do
      if redis.call('HEXISTS', KEYS[1], i) == 0 then
        n = n + 1
        add_down(i, c)
      end
    end
    if redis.call('HINCRBY', p .. ':pending', c, n - 1) == 0 then table.insert(ready, c) end
  end
end
local function release(downs)
  for _, d in ipairs(downs) do
    if redis.call('HINCRBY', p .. ':pending', d, -1) == 0 then table.insert(ready, d) end
  end
end
release(a.down)
if a.dyn_down then
  local added = redis.call('HGET', p .. ':down', key)
  if added then release(cjson.decode(added)) end
end
local remaining = redis.call('HINCRBY', p .. ':meta', 'remaining', a.remaining_delta)
local failed = 0
if remaining <= 0 then failed = tonumber(redis.call('HGET', p .. ':meta', 'failed') or '0') end
local closed = 0
if #ready > 0 or remaining <= 0 then
  local rstatus = redis.call('HGET', p .. ':record', 'status')
  if rstatus == 'SUCCESS' or rstatus == 'FAILURE' or rstatus == 'CANCELED' then closed = 1 end
end
local pushed, others, outbox = {}, {}, {}
for _, r in ipairs(ready) do
  local m = messages[r]
  if m and closed == 0 then
    redis.call('LPUSH', ARGV[m + 1], ARGV[m + 2])
    table.insert(pushed, r)
  else
    table.insert(others, r)
    -- Until the caller confirms it published r, r is in the outbox: a crash right here is recoverable.
    table.insert(outbox, r)
    table.insert(outbox, a.now)
  end
end
local result = {remaining, failed, closed, #pushed}
for _, r in ipairs(pushed) do table.insert(result, r) end
for _, r in ipairs(others) do table.insert(result, r) end
hset_pairs(p .. ':outbox', outbox)
redis.call('HSET', p .. ':done', key, cjson.encode({token = a.token, result = result}))
return result
