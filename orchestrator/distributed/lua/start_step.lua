-- start_step.lua: a step started. Unless the run is already closed, note the step running (for
-- cancel and stall detection), mark the run STARTED, and record the start events.
-- KEYS[1]: the run's record hash. ARGV[1]: the run's key prefix.
-- ARGV[2]: JSON {step, who (JSON string: worker, pid, task id, heartbeat), now, events (JSON strings)}.
-- Returns 0 when the run is closed (the step must not run), 1 otherwise.
local p = ARGV[1]
local a = cjson.decode(ARGV[2])
local current = redis.call('HGET', KEYS[1], 'status')
if current == 'SUCCESS' or current == 'FAILURE' or current == 'CANCELED' then return 0 end
redis.call('HSETNX', KEYS[1], 'started_at', a.now)
if current == 'QUEUED' then redis.call('HSET', KEYS[1], 'status', 'STARTED') end
redis.call('HSET', p .. ':running', a.step, a.who)
redis.call('HSET', p .. ':meta', 'progress_at', a.now)
for _, e in ipairs(a.events) do redis.call('XADD', p .. ':events', 'MAXLEN', '~', 100000, '*', 'e', e) end
return 1
