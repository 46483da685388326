-- run_queue.lua: the run queue's slot accounting (orchestrator/distributed/run_queue.py), in one
-- place and in one call each: a submit takes a run's slots or queues it, a close releases them and
-- admits the queued runs that now fit, the sweep is the backstop. KEYS[1] is the queue's `queued`
-- zset; every key named here shares its `{runq}` hash tag, so a call touches one Cluster slot.
-- Runs' own keys are never touched here (they hash elsewhere): what a call means for a run's record
-- (its queue reason, its progress time) is returned, and the caller writes it
-- (run_queue_slots.py). Whether a run is closed is the caller's to say (`finished`, for the sweep):
-- a close releases its run's slots itself, right after closing it.
--
-- `q` (a JSON object in the caller's arguments) names the keys, as keys.py builds them:
--   queued    zset  runs waiting for slots, scored by their place (priority first, then submit order)
--   limits    hash  run id -> its entry while it waits for or holds slots:
--                   {needs = [[bucket, limit, label], ...], priority, state = 'queued' | 'held',
--                    reason = why it waits (while queued)}
--   slots     prefix of a set per bucket: the runs holding one of its slots
--   waiting   prefix of a zset per bucket: the queued runs needing it, scored as in `queued`
--   buckets   set   the buckets that have (or had) holders or waiters
--   starting  zset  run id -> when it got its slots, until the caller confirms it enqueued its steps
--   seq       counter giving queued runs their submit order
-- A run needs a slot of every bucket in its `needs`; it gets them all at once or waits. A bucket's
-- limit is the one the waiting run carries (its limits were read when it was submitted).
--
-- ARGV[1]: JSON {op, q, ...}:
--   op = 'submit'  (run_id, entry, now): returns {1} when it got its slots, {0, reason} when it waits.
--                  Asked again (a retried submit), it gives the same answer and changes nothing.
--   op = 'release' (run_id, now): the run closed; returns {admitted ids..., '', run id, reason, ...}:
--                  the runs that got the freed slots, then the waiting runs whose reason changed.
--   op = 'sweep'   (now, lease, scan, finished = ids of runs closed or gone): returns {admitted...,
--                  '', restarted..., '', run id, reason, ...}: runs admitted now, admitted runs
--                  whose start was not confirmed within `lease` seconds, reasons that changed.

local RQ_SCAN = 50 -- waiting runs of each freed bucket a close looks at (the sweep covers the rest)

-- The first need of `needs` whose bucket is full, and how many runs hold that bucket; nil if all fit.
local function rq_full(q, needs)
  for _, n in ipairs(needs) do
    local held = redis.call('SCARD', q.slots .. n[1])
    if held >= tonumber(n[2]) then return n, held end
  end
  return nil, 0
end

local function rq_reason(n, held)
  return 'Waiting for a slot: limit ' .. tostring(n[2]) .. ' of ' .. n[3] .. ' (' .. tostring(held) ..
    ' in progress).'
end

-- Give `run_id` a slot of each bucket it needs; it leaves the queue and is to be started.
local function rq_take(q, run_id, entry, now)
  for _, n in ipairs(entry.needs) do
    redis.call('SADD', q.slots .. n[1], run_id)
    redis.call('ZREM', q.waiting .. n[1], run_id)
    redis.call('SADD', q.buckets, n[1])
  end
  redis.call('ZREM', q.queued, run_id)
  entry.state = 'held'
  entry.reason = nil
  redis.call('HSET', q.limits, run_id, cjson.encode(entry))
  redis.call('ZADD', q.starting, now, run_id)
end

-- Put `run_id` in the queue behind the runs of its priority, saying which bucket it waits for.
local function rq_wait(q, run_id, entry, reason)
  local score = -tonumber(entry.priority or 0) * 1e9 + redis.call('INCR', q.seq)
  entry.state = 'queued'
  entry.reason = reason
  redis.call('HSET', q.limits, run_id, cjson.encode(entry))
  redis.call('ZADD', q.queued, score, run_id)
  for _, need in ipairs(entry.needs) do
    redis.call('ZADD', q.waiting .. need[1], score, run_id)
    redis.call('SADD', q.buckets, need[1])
  end
end

-- Take `run_id` out of the run queue entirely (its slots, its place, its pending start).
-- Returns the buckets it held (empty when it was only waiting).
local function rq_forget(q, run_id, entry, also_buckets)
  redis.call('HDEL', q.limits, run_id)
  redis.call('ZREM', q.queued, run_id)
  redis.call('ZREM', q.starting, run_id)
  local freed = {}
  for _, b in ipairs(also_buckets or {}) do redis.call('ZREM', q.waiting .. b, run_id) end
  if entry then
    for _, n in ipairs(entry.needs) do
      redis.call('ZREM', q.waiting .. n[1], run_id)
      if redis.call('SREM', q.slots .. n[1], run_id) == 1 then table.insert(freed, n[1]) end
    end
  end
  return freed
end

-- Admit, in queue order, the queued runs `candidates` ([run id, score] pairs) that fit now; runs in
-- `finished` (id -> true) are dropped instead. A run still blocked whose reason changed is listed in
-- `reasons` (a flat list: id, reason, ...).
local function rq_admit_candidates(q, candidates, now, scanned_buckets, finished, reasons)
  table.sort(candidates, function(x, y) return x[2] < y[2] end)
  local admitted = {}
  for _, c in ipairs(candidates) do
    local run_id = c[1]
    local raw = redis.call('HGET', q.limits, run_id)
    local entry = raw and cjson.decode(raw) or nil
    if not entry or finished[run_id] then
      -- Gone, or closed while it waited: it needs nothing any more (what it held is freed).
      rq_forget(q, run_id, entry, scanned_buckets)
    elseif entry.state ~= 'queued' then
      -- It holds its slots already: only a stale place in a waiting list is left to drop.
      for _, b in ipairs(scanned_buckets or {}) do redis.call('ZREM', q.waiting .. b, run_id) end
      redis.call('ZREM', q.queued, run_id)
    else
      local n, held = rq_full(q, entry.needs)
      if n == nil then
        rq_take(q, run_id, entry, now)
        table.insert(admitted, run_id)
      else
        local reason = rq_reason(n, held)
        if reason ~= entry.reason then
          entry.reason = reason
          redis.call('HSET', q.limits, run_id, cjson.encode(entry))
          table.insert(reasons, run_id)
          table.insert(reasons, reason)
        end
      end
    end
  end
  return admitted
end

-- The runs waiting on `buckets` that fit now get their slots. Returns their ids.
local function rq_admit(q, buckets, now, reasons)
  local seen, candidates = {}, {}
  for _, b in ipairs(buckets) do
    local found = redis.call('ZRANGE', q.waiting .. b, 0, RQ_SCAN - 1, 'WITHSCORES')
    for i = 1, #found, 2 do
      if not seen[found[i]] then
        seen[found[i]] = true
        table.insert(candidates, {found[i], tonumber(found[i + 1])})
      end
    end
  end
  return rq_admit_candidates(q, candidates, now, buckets, {}, reasons)
end

-- A run closed (or is gone): free what it held and admit the runs that fit now. Returns their ids.
local function rq_release(q, run_id, now, reasons)
  local raw = redis.call('HGET', q.limits, run_id)
  if not raw then return {} end
  local entry = cjson.decode(raw)
  local freed = rq_forget(q, run_id, entry, nil)
  if #freed == 0 then return {} end
  return rq_admit(q, freed, now, reasons)
end

-- A submitted run asks for its slots: {1} when it got them, {0, reason} when it waits.
local function rq_submit(q, run_id, entry, now)
  local raw = redis.call('HGET', q.limits, run_id)
  if raw then
    local known = cjson.decode(raw)
    if known.state == 'held' then return {1} end
    return {0, known.reason or ''}
  end
  local n, held = rq_full(q, entry.needs)
  if n == nil then
    rq_take(q, run_id, entry, now)
    return {1}
  end
  local reason = rq_reason(n, held)
  rq_wait(q, run_id, entry, reason)
  return {0, reason}
end

-- The backstop (run_queue.start_waiting): frees slots still held by closed or deleted runs,
-- admits queued runs that fit (a close looks only at the first RQ_SCAN waiters of its buckets),
-- and hands out again the admitted runs whose start was not confirmed within `lease` seconds.
local function rq_sweep(q, now, lease, scan, finished)
  local admitted, reasons = {}, {}
  for _, b in ipairs(redis.call('SMEMBERS', q.buckets)) do
    local holders = redis.call('SMEMBERS', q.slots .. b)
    for _, holder in ipairs(holders) do
      if finished[holder] then
        for _, id in ipairs(rq_release(q, holder, now, reasons)) do table.insert(admitted, id) end
        redis.call('SREM', q.slots .. b, holder) -- also when it had no entry left
      end
    end
    if redis.call('SCARD', q.slots .. b) == 0 and redis.call('ZCARD', q.waiting .. b) == 0 then
      redis.call('SREM', q.buckets, b)
    end
  end
  local head = redis.call('ZRANGE', q.queued, 0, scan - 1, 'WITHSCORES')
  local candidates = {}
  for i = 1, #head, 2 do table.insert(candidates, {head[i], tonumber(head[i + 1])}) end
  for _, id in ipairs(rq_admit_candidates(q, candidates, now, nil, finished, reasons)) do
    table.insert(admitted, id)
  end
  local out = {}
  local given = {}
  for _, id in ipairs(admitted) do
    table.insert(out, id)
    given[id] = true
  end
  table.insert(out, '')
  local stale = redis.call('ZRANGEBYSCORE', q.starting, '-inf', tonumber(now) - lease)
  for _, id in ipairs(stale) do
    if not given[id] then
      redis.call('ZADD', q.starting, now, id) -- leased again to this caller
      table.insert(out, id)
    end
  end
  table.insert(out, '')
  for _, r in ipairs(reasons) do table.insert(out, r) end
  return out
end

local a = cjson.decode(ARGV[1])
if a.op == 'submit' then return rq_submit(a.q, a.run_id, a.entry, a.now) end
if a.op == 'release' then
  local reasons = {}
  local out = rq_release(a.q, a.run_id, a.now, reasons)
  table.insert(out, '')
  for _, r in ipairs(reasons) do table.insert(out, r) end
  return out
end
if a.op == 'sweep' then
  local finished = {}
  for _, id in ipairs(a.finished or {}) do finished[id] = true end
  return rq_sweep(a.q, a.now, tonumber(a.lease), tonumber(a.scan), finished)
end
return redis.error_reply('run_queue.lua: unknown op ' .. tostring(a.op))
