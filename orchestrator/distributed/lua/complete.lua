-- complete.lua: record one finished step of a run, atomically and exactly once.
--
-- The scheduling core (orchestrator/execution/scheduling.py) decides everything; this script only
-- records its decision and counts. KEYS[1] is the run's status hash (all keys share the prefix).
-- ARGV[1]: the run's key prefix (orchestrator/distributed/keys.py lists the suffixes).
-- ARGV[2]: a JSON object with named fields:
--   step             the finished step's key
--   status           its terminal status: success | failure | skipped
--   outputs          ids of the outputs it stored
--   dynamic          dynamic output id -> list of mapping keys it yielded
--   new_steps        [{key, up}]: mapped steps its dynamic outputs created, and their upstream steps
--   templates        [{key, status, collectors, instances}]: templates resolved by those outputs;
--                    each collector now waits on the unfinished instances instead of the template
--   remaining_delta  how the count of unfinished steps changes
--   events           the step's events (JSON strings), appended to the run's stream
--   now              the time, for progress_at (and started_at when `started`)
--   token            this completion's token: a retry with the same token gets the first reply
--   started          true when the step's start was not recorded separately (short steps)
-- Returns {remaining, failed, closed, ready...}, or {-1, 0, 0} when the step had already finished
-- (a second delivery). `ready` steps enter the outbox until the caller confirms it published them.
local p = ARGV[1]
local a = cjson.decode(ARGV[2])
local key = a.step
if redis.call('HEXISTS', KEYS[1], key) == 1 then
  local prev = redis.call('HGET', p .. ':done', key)
  if prev then
    local stored = cjson.decode(prev)
    if stored.token == a.token then return stored.result end
  end
  return {-1, 0, 0}
end
redis.call('HSET', p .. ':meta', 'progress_at', a.now)
if a.started then
  redis.call('HSETNX', p .. ':record', 'started_at', a.now)
  if redis.call('HGET', p .. ':record', 'status') == 'QUEUED' then
    redis.call('HSET', p .. ':record', 'status', 'STARTED')
  end
end
for _, e in ipairs(a.events) do redis.call('XADD', p .. ':events', '*', 'e', e) end
redis.call('HSET', KEYS[1], key, a.status)
redis.call('HDEL', p .. ':running', key)
if a.status == 'failure' then redis.call('HSET', p .. ':meta', 'failed', 1) end
for _, o in ipairs(a.outputs) do redis.call('SADD', p .. ':produced', o) end
for source, keys in pairs(a.dynamic) do redis.call('HSET', p .. ':dyn', source, cjson.encode(keys)) end

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
local down = redis.call('HGET', p .. ':down', key)
if down then
  for _, d in ipairs(cjson.decode(down)) do
    if redis.call('HINCRBY', p .. ':pending', d, -1) == 0 then table.insert(ready, d) end
  end
end
local remaining = redis.call('HINCRBY', p .. ':meta', 'remaining', a.remaining_delta)
local failed = tonumber(redis.call('HGET', p .. ':meta', 'failed') or '0')
local rstatus = redis.call('HGET', p .. ':record', 'status')
local closed = 0
if rstatus == 'SUCCESS' or rstatus == 'FAILURE' or rstatus == 'CANCELED' then closed = 1 end
local result = {remaining, failed, closed}
for _, r in ipairs(ready) do
  table.insert(result, r)
  -- Until the caller confirms it published r, r is in the outbox: a crash right here is recoverable.
  redis.call('HSET', p .. ':outbox', r, a.now)
end
redis.call('HSET', p .. ':done', key, cjson.encode({token = a.token, result = result}))
return result
