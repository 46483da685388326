-- finish_tick.lua: record a tick's outcome, once, by the scheduler holding its lease.
-- KEYS[1]: the schedule's or sensor's state hash. KEYS[2]: its tick history list (newest first).
-- ARGV[1]: JSON {owner, tick, mode ('schedule' | 'sensor'), record (the tick as a JSON string),
--                keep (how many ticks the history keeps),
--                cursor (sensor: the cursor to keep, absent to delete it), set_cursor (sensor:
--                false leaves the cursor as it was, e.g. after a failed evaluation),
--                last_run_key (sensor, optional)}.
-- A schedule's `cursor` becomes the tick's time (it never goes back); a sensor's `last_tick_end`
-- the Redis server's time.
-- Returns 1, or 0 when the lease is no longer this owner's: another scheduler took the tick over
-- and records it itself.
local a = cjson.decode(ARGV[1])
local s = redis.call('HMGET', KEYS[1], 'lease_owner', 'lease_tick', 'cursor')
if s[1] ~= a.owner or s[2] ~= a.tick then return 0 end
redis.call('HDEL', KEYS[1], 'lease_owner', 'lease_until', 'lease_tick', 'lease_attempt')
if a.mode == 'schedule' then
  if not s[3] or tonumber(s[3]) < tonumber(a.tick) then redis.call('HSET', KEYS[1], 'cursor', a.tick) end
else
  local t = redis.call('TIME')
  redis.call('HSET', KEYS[1], 'last_tick_end', string.format('%.6f', tonumber(t[1]) + tonumber(t[2]) / 1000000))
  if a.set_cursor then
    if a.cursor ~= nil and a.cursor ~= cjson.null then
      redis.call('HSET', KEYS[1], 'cursor', a.cursor)
    else
      redis.call('HDEL', KEYS[1], 'cursor')
    end
  end
  if a.last_run_key ~= nil and a.last_run_key ~= cjson.null then
    redis.call('HSET', KEYS[1], 'last_run_key', a.last_run_key)
  end
end
redis.call('LPUSH', KEYS[2], a.record)
redis.call('LTRIM', KEYS[2], 0, a.keep - 1)
return 1
