-- claim_step.lua: a delivery that may be a second copy of a step (a redelivered or re-sent message)
-- claims the step before running it, so that a step runs again only when its previous execution is
-- gone. Verdicts: 'closed' (the run is over), 'finished' (the step has a terminal status), 'busy'
-- (another execution is alive: it heartbeats and its worker is present, or its worker's presence
-- lists it among the tasks its pool runs), or 'ok': the step is now
-- this execution's. An earlier execution found silent is counted as a worker death, once.
-- KEYS[1]: the run's record hash. ARGV[1]: the run's key prefix (every key touched is the run's:
-- one Cluster slot). The worker presence of the step's current execution lives elsewhere, so the
-- caller reads it first and passes what it saw, with the token of the execution it saw it for:
-- ARGV[2]: JSON {step, who (JSON string of this execution: worker, pid, task_id, token, ...), token,
--               pid (of this execution), now, timeout (seconds of silence that mean gone),
--               seen_token (the token of the running entry the caller read, '' for none),
--               seen (when that execution's worker last beat, -1 if never), presence (that
--               worker's presence JSON, '' if none)}.
-- Returns {verdict, deaths (JSON list, 'ok' only) or the live execution's JSON ('busy'), counted}:
-- counted is 1 when this claim found a silent earlier execution and counted its death; or
-- {'again', '', 0} when the running entry is no longer the one the caller read (read again).
local p = ARGV[1]
local a = cjson.decode(ARGV[2])
local current = redis.call('HGET', KEYS[1], 'status')
if current == 'SUCCESS' or current == 'FAILURE' or current == 'CANCELED' then return {'closed', '', 0} end
if redis.call('HEXISTS', p .. ':status', a.step) == 1 then return {'finished', '', 0} end
local deaths = {}
local raw_deaths = redis.call('HGET', p .. ':deaths', a.step)
if raw_deaths then deaths = cjson.decode(raw_deaths) end
local counted = 0
local cur = redis.call('HGET', p .. ':running', a.step)
local cur_token = ''
if cur then cur_token = tostring(cjson.decode(cur).token or '') end
if cur_token ~= a.seen_token then return {'again', '', 0} end
if cur then
  local c = cjson.decode(cur)
  if c.token ~= a.token then
    local beat = tonumber(c.hb or 0) or 0
    local present = a.seen >= 0 and (a.now - a.seen) < a.timeout
    if (a.now - beat) < a.timeout and present then return {'busy', cur, 0} end
    -- Silent, but its worker's presence lists its pool process as running it (a step holding the
    -- GIL): alive. A claimer in that same process proves the earlier execution is over.
    local presence = present and a.presence ~= '' and a.presence
    if presence and tonumber(c.pid) ~= tonumber(a.pid) then
      local active = cjson.decode(presence).active
      if type(active) == 'table' and tonumber(active[tostring(c.task_id)]) == tonumber(c.pid) then
        return {'busy', cur, 0}
      end
    end
    local id = c.token or (tostring(c.task_id) .. ':' .. tostring(c.pid))
    local known = false
    for _, d in ipairs(deaths) do if d.id == id then known = true end end
    if not known then
      counted = 1
      table.insert(deaths, {id = id, worker = c.worker or '?', at = a.now,
        cause = string.format('no heartbeat for %ds on %s', math.floor(a.now - beat), tostring(c.worker or '?'))})
      redis.call('HSET', p .. ':deaths', a.step, cjson.encode(deaths))
    end
  end
end
redis.call('HSETNX', KEYS[1], 'started_at', a.now)
if current == 'QUEUED' then redis.call('HSET', KEYS[1], 'status', 'STARTED') end
redis.call('HSET', p .. ':running', a.step, a.who)
redis.call('HSET', p .. ':meta', 'progress_at', a.now)
if #deaths == 0 then return {'ok', '[]', 0} end
return {'ok', cjson.encode(deaths), counted}
