-- finish_run.lua: close a run once. Whoever finishes, fails or cancels it first wins; later
-- attempts change nothing.
-- KEYS[1]: the run's record hash. KEYS[2]: the set of active runs.
-- ARGV[1]: the run's key prefix.
-- ARGV[2]: JSON {run_id, status (SUCCESS | FAILURE | CANCELED), now, reason ('' for none),
--                events (JSON strings)}.
-- Returns 1 when this call closed the run, 0 when it was closed already.
local p = ARGV[1]
local a = cjson.decode(ARGV[2])
local current = redis.call('HGET', KEYS[1], 'status')
if current == 'SUCCESS' or current == 'FAILURE' or current == 'CANCELED' then return 0 end
redis.call('HSET', KEYS[1], 'status', a.status, 'ended_at', a.now)
if a.reason ~= '' then redis.call('HSET', KEYS[1], 'reason', a.reason) end
redis.call('SREM', KEYS[2], a.run_id)
for _, e in ipairs(a.events) do redis.call('XADD', p .. ':events', '*', 'e', e) end
redis.call('XADD', p .. ':end', '*', 'status', a.status)
return 1
