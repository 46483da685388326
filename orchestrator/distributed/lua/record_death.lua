-- record_death.lua: an execution of a step lost its worker process (the pool process died, or the
-- whole worker went silent). Counted once per execution id; the execution stops counting as running.
-- KEYS[1]: the run's record hash. ARGV[1]: the run's key prefix.
-- ARGV[2]: JSON {step, id (the execution: its token, or task id and pid), cause, worker, now,
--               event (JSON string, appended to the run's stream),
--               token ('' or the token the running entry must still have),
--               stale_before (0, or the time its last heartbeat must be older than),
--               task_id, pid ('' / 0, or the running entry of this pool process to remove)}.
-- Returns the step's number of deaths, or -1 when nothing was counted (the run is closed, the step
-- finished, or the running entry changed meanwhile: someone else is handling it).
local p = ARGV[1]
local a = cjson.decode(ARGV[2])
local current = redis.call('HGET', KEYS[1], 'status')
if current == 'SUCCESS' or current == 'FAILURE' or current == 'CANCELED' then return -1 end
if redis.call('HEXISTS', p .. ':status', a.step) == 1 then return -1 end
local cur = redis.call('HGET', p .. ':running', a.step)
if a.token ~= '' then
  if not cur then return -1 end
  local c = cjson.decode(cur)
  if c.token ~= a.token or (tonumber(c.hb or 0) or 0) >= a.stale_before then return -1 end
  redis.call('HDEL', p .. ':running', a.step)
elseif cur and a.task_id ~= '' then
  local c = cjson.decode(cur)
  if c.task_id == a.task_id and tonumber(c.pid) == tonumber(a.pid) then redis.call('HDEL', p .. ':running', a.step) end
end
local deaths = {}
local raw = redis.call('HGET', p .. ':deaths', a.step)
if raw then deaths = cjson.decode(raw) end
for _, d in ipairs(deaths) do if d.id == a.id then return #deaths end end
table.insert(deaths, {id = a.id, cause = a.cause, worker = a.worker, at = a.now})
redis.call('HSET', p .. ':deaths', a.step, cjson.encode(deaths))
-- The step did start: its process died running it.
redis.call('HSETNX', KEYS[1], 'started_at', a.now)
if current == 'QUEUED' then redis.call('HSET', KEYS[1], 'status', 'STARTED') end
redis.call('HSET', p .. ':meta', 'progress_at', a.now)
redis.call('XADD', p .. ':events', 'MAXLEN', '~', 100000, '*', 'e', a.event)
return #deaths
