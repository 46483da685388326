-- renew_tick.lua: a scheduler evaluating a tick is alive: push its lease's end further.
-- KEYS[1]: the schedule's or sensor's state hash.
-- ARGV[1]: JSON {owner, tick, lease (seconds)}.
-- Returns 1, or 0 when the lease is no longer this owner's (it expired and another took it over).
local a = cjson.decode(ARGV[1])
local s = redis.call('HMGET', KEYS[1], 'lease_owner', 'lease_tick')
if s[1] ~= a.owner or s[2] ~= a.tick then return 0 end
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
redis.call('HSET', KEYS[1], 'lease_until', string.format('%.6f', now + a.lease))
return 1
