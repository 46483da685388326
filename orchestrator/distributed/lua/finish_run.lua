-- finish_run.lua: close a run once. Whoever finishes, fails or cancels it first wins; later
-- attempts change nothing. Loaded after run_queue.lua: the close frees the run's run-queue slots
-- (or its place in the queue) and admits the queued runs that now fit, in the same atomic call.
-- KEYS[1]: the run's record hash. KEYS[2]: the set of active runs.
-- ARGV[1]: the run's key prefix.
-- ARGV[2]: JSON {run_id, status (SUCCESS | FAILURE | CANCELED), now, reason ('' for none),
--                events (JSON strings), q (the run queue's keys, see run_queue.lua), and optionally
--                ended_steps: [[step, its terminal event (JSON string)], ...] for the steps
--                             running when the run closes (a cancel); each gets `step_status`,
--                step_status: their terminal status (canceled)}.
-- With `ended_steps` given, every step still running must be in it: a step that started since the
-- caller read the running steps would be left "running" forever, so the call changes nothing and
-- returns -1 (the caller reads them again). A listed step that finished meanwhile keeps its status.
-- Returns {1, admitted run ids...} when this call closed the run (the caller starts the admitted
-- runs), {0} when it was closed already, {-1} as above.
local p = ARGV[1]
local a = cjson.decode(ARGV[2])
local current = redis.call('HGET', KEYS[1], 'status')
if current == 'SUCCESS' or current == 'FAILURE' or current == 'CANCELED' then return {0} end
local ended = a.ended_steps
if ended then
  local listed = {}
  for _, pair in ipairs(ended) do listed[pair[1]] = true end
  for _, step in ipairs(redis.call('HKEYS', p .. ':running')) do
    if not listed[step] and redis.call('HEXISTS', p .. ':status', step) == 0 then return {-1} end
  end
end
redis.call('HSET', KEYS[1], 'status', a.status, 'ended_at', a.now)
if a.reason ~= '' then redis.call('HSET', KEYS[1], 'reason', a.reason) end
redis.call('SREM', KEYS[2], a.run_id)
if ended then
  for _, pair in ipairs(ended) do
    local step = pair[1]
    if redis.call('HEXISTS', p .. ':status', step) == 0 then
      redis.call('HSET', p .. ':status', step, a.step_status)
      redis.call('XADD', p .. ':events', '*', 'e', pair[2])
    end
    redis.call('HDEL', p .. ':running', step)
  end
end
for _, e in ipairs(a.events) do redis.call('XADD', p .. ':events', '*', 'e', e) end
redis.call('XADD', p .. ':end', '*', 'status', a.status)
local reply = {1}
for _, id in ipairs(rq_release(a.q, a.run_id, a.now)) do table.insert(reply, id) end
return reply
