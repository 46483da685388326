-- claim_tick.lua: take the lease of a schedule's or a sensor's tick, so that exactly one scheduler
-- evaluates it however many are running.
-- KEYS[1]: the schedule's or sensor's state hash.
-- ARGV[1]: JSON {owner, lease (seconds), mode ('schedule' | 'sensor'),
--                tick (schedule: the tick's time, epoch seconds, as a string),
--                interval (sensor: minimum seconds between the starts of two ticks)}.
-- Times come from the Redis server's clock, so schedulers whose clocks differ agree on leases.
-- A lease whose owner stopped renewing it (it died mid-tick) is taken over with the same tick:
-- the new owner evaluates it again, and the tick's fixed run ids keep it from starting a run twice.
-- Returns {verdict, tick, attempt}:
--   'ok'      a tick nobody took yet (a sensor's tick gets the next number of `tick_seq`);
--   'retake'  the tick of an expired lease (may differ from the tick asked for: an older one);
--   'busy'    another scheduler holds a live lease;
--   'done'    schedule: a tick at or before this time was handled already;
--   'not_due' sensor: its interval has not passed since its last tick started.
local a = cjson.decode(ARGV[1])
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local s = redis.call('HMGET', KEYS[1], 'lease_owner', 'lease_until', 'lease_tick', 'lease_attempt', 'cursor',
                     'last_tick_start')
local owner, lease_until, lease_tick, attempt = s[1], tonumber(s[2] or '0'), s[3], tonumber(s[4] or '0')
local function take(tick, n, verdict)
  redis.call('HSET', KEYS[1], 'lease_owner', a.owner, 'lease_until', string.format('%.6f', now + a.lease),
             'lease_tick', tick, 'lease_attempt', n)
  return {verdict, tick, n}
end
if owner then
  if lease_until > now and owner ~= a.owner then return {'busy', lease_tick or '', attempt} end
  if a.mode == 'sensor' or tonumber(lease_tick) < tonumber(a.tick) then
    -- An abandoned tick comes first: it may have started some of its runs.
    if a.mode == 'sensor' or tonumber(s[5] or '-1') < tonumber(lease_tick) then
      return take(lease_tick, attempt + 1, 'retake')
    end
  elseif lease_tick == a.tick then
    return take(lease_tick, attempt + 1, 'retake')
  end
end
if a.mode == 'schedule' then
  if s[5] and tonumber(s[5]) >= tonumber(a.tick) then
    if owner then redis.call('HDEL', KEYS[1], 'lease_owner', 'lease_until', 'lease_tick', 'lease_attempt') end
    return {'done', a.tick, 0}
  end
  return take(a.tick, 1, 'ok')
end
if s[6] and now < tonumber(s[6]) + a.interval then return {'not_due', '', 0} end
local tick = redis.call('HINCRBY', KEYS[1], 'tick_seq', 1)
redis.call('HSET', KEYS[1], 'last_tick_start', string.format('%.6f', now))
return take(tostring(tick), 1, 'ok')
