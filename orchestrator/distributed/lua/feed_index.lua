-- feed_index.lua: append a run's new asset materializations and its end to the feed, once each,
-- however many schedulers index the same run at the same time.
-- KEYS[1]: the feed stream. KEYS[2]: the feed's sequence counter. KEYS[3]: run id -> the id of its
-- last event indexed (or 'done'). KEYS[4]: asset key -> seq of its latest materialization.
-- ARGV[1]: JSON {run, entries: [{id (the event's id in the run's stream), kind ('mat' | 'end'),
--                e (the event as JSON), asset (for 'mat': the asset key as 'a/b')}],
--                last (the id of the last event read), done (the run's end was read),
--                maxlen (about how many entries the feed keeps)}.
-- Entries at or before the run's indexed position were indexed by someone else already.
-- Returns how many entries were appended.
local a = cjson.decode(ARGV[1])
local pos = redis.call('HGET', KEYS[3], a.run)
if pos == 'done' then return 0 end
-- An event id is a stream id, or '<stream id>.<i>' for an event before the last of its entry
-- (a step's events share one entry: RunStorage.read_events); the entry's own id sorts after them.
local function parts(id)
  local ms, seq, sub = string.match(id, '^(%d+)-(%d+)%.?(%d*)$')
  return tonumber(ms), tonumber(seq), tonumber(sub) or math.huge
end
local function newer(id, than)
  if not than then return true end
  local m1, s1, u1 = parts(id)
  local m2, s2, u2 = parts(than)
  return m1 > m2 or (m1 == m2 and (s1 > s2 or (s1 == s2 and u1 > u2)))
end
local added = 0
for _, entry in ipairs(a.entries) do
  if newer(entry.id, pos) then
    local seq = redis.call('INCR', KEYS[2])
    local fields = {'kind', entry.kind, 'run', a.run, 'e', entry.e}
    if entry.kind == 'mat' then
      table.insert(fields, 'asset')
      table.insert(fields, entry.asset)
      redis.call('HSET', KEYS[4], entry.asset, seq)
    end
    redis.call('XADD', KEYS[1], 'MAXLEN', '~', a.maxlen, tostring(seq) .. '-0', unpack(fields))
    added = added + 1
  end
end
if a.done then
  redis.call('HSET', KEYS[3], a.run, 'done')
elseif a.last and newer(a.last, pos) then
  redis.call('HSET', KEYS[3], a.run, a.last)
end
return added
