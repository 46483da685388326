-- finish_run.lua: close a run once. Whoever finishes, fails or cancels it first wins; later
-- attempts change nothing. Only the run's own keys are touched (they share its hash tag: one
-- Cluster slot); the caller then takes the run out of the active runs and frees its run-queue
-- slots (run_storage.RunStorage.close_run), which works on keys hashed elsewhere.
-- KEYS[1]: the run's record hash.
-- ARGV[1]: the run's key prefix.
-- ARGV[2]: JSON {status (SUCCESS | FAILURE | CANCELED), now, reason ('' for none),
--                events (JSON strings), ttl (seconds every key of the closed run is kept: the run
--                retention), suffixes (of every key of a run, keys.RUN_KEY_SUFFIXES), and optionally
--                ended_steps: [[step, its terminal event (JSON string)], ...] for the steps
--                             running when the run closes (a cancel); each gets `step_status`,
--                step_status: their terminal status (canceled)}.
-- With `ended_steps` given, every step still running must be in it: a step that started since the
-- caller read the running steps would be left "running" forever, so the call changes nothing and
-- returns -1 (the caller reads them again). A listed step that finished meanwhile keeps its status.
-- Event streams are capped like every append (keys.EVENTS_MAXLEN).
-- Returns 1 when this call closed the run, 0 when it was closed already, -1 as above.
local p = ARGV[1]
local a = cjson.decode(ARGV[2])
local current = redis.call('HGET', KEYS[1], 'status')
if current == 'SUCCESS' or current == 'FAILURE' or current == 'CANCELED' then return 0 end
local ended = a.ended_steps
if ended then
  local listed = {}
  for _, pair in ipairs(ended) do listed[pair[1]] = true end
  for _, step in ipairs(redis.call('HKEYS', p .. ':running')) do
    if not listed[step] and redis.call('HEXISTS', p .. ':status', step) == 0 then return -1 end
  end
end
redis.call('HSET', KEYS[1], 'status', a.status, 'ended_at', a.now)
if a.reason ~= '' then redis.call('HSET', KEYS[1], 'reason', a.reason) end
if ended then
  for _, pair in ipairs(ended) do
    local step = pair[1]
    if redis.call('HEXISTS', p .. ':status', step) == 0 then
      redis.call('HSET', p .. ':status', step, a.step_status)
      redis.call('XADD', p .. ':events', 'MAXLEN', '~', 100000, '*', 'e', pair[2])
    end
    redis.call('HDEL', p .. ':running', step)
  end
end
for _, e in ipairs(a.events) do redis.call('XADD', p .. ':events', 'MAXLEN', '~', 100000, '*', 'e', e) end
redis.call('XADD', p .. ':end', '*', 'status', a.status)
-- The closed run is kept for the retention period, then Redis drops it (keys absent now are skipped).
for _, suffix in ipairs(a.suffixes) do redis.call('EXPIRE', p .. suffix, a.ttl) end
return 1
