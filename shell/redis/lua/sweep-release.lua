-- sweep-release: the lease sweep's last step, after the orphaned jobs were requeued or failed through the job
-- store. Removes the dead machines' leases and the expired reservations it is given, but only those still expired
-- by Redis TIME (a late registration may have claimed a reservation since the snapshot), freeing one slot and
-- charging one worst-case machine cost per removal, or the machine's commitment when that is larger. Also drops
-- running-job index entries that are still stale, and frees the slots of released machines whose stop grace is
-- over (so the count is right with no admission coming).
-- KEYS[1] workers:leases
-- KEYS[2] workers:reservations
-- KEYS[3] counters:active_machines
-- KEYS[4] jobs:active
-- KEYS[5] counters:spend:{yyyy-mm}   the month the caller computed; ARGV[1..2] are its bounds
-- KEYS[6] workers:exiting
-- KEYS[7] workers:commitments        a dead machine that had committed more than the worst case is charged that
-- ARGV[1] month start in ms (inclusive)
-- ARGV[2] month end in ms (exclusive)
-- ARGV[3] worst-case cost in USD charged for each machine or reservation removed
-- ARGV[4] prefix of job keys ("<prefix>jobs:status:")
-- ARGV[5] m, then ARGV[6 .. 5+m] machine ids whose lease expired
-- ARGV[6+m] r, then r reservation (machine) ids past their boot deadline
-- then pairs jobId, "<machineId>|<leaseToken>": index entries seen stale; each is removed only if unchanged and
--   the job is still not running under that lease token
-- Returns {1, machinesReleased, reservationsDropped, staleEntriesRemoved} something was removed
--         {0, 0, 0, 0} everything was already gone, live again or fixed: nothing changed
--         {-3, nowMs} Redis time is outside the month in ARGV[1..2]: compute the month from nowMs, call again
-- @include lib/now-ms.lua
-- @include lib/reclaim-exiting.lua
if now < tonumber(ARGV[1]) or now >= tonumber(ARGV[2]) then return {-3, now} end
reclaimExiting(KEYS[6], KEYS[3])

-- Each removal is charged the worst case, or the machine's commitment when its job might have kept it longer.
local worst = tonumber(ARGV[3])
local cost = 0
local function removeExpired(key, from, count)
  local removed = 0
  for i = from, from + count - 1 do
    local score = redis.call('ZSCORE', key, ARGV[i])
    if score and tonumber(score) <= now and redis.call('ZREM', key, ARGV[i]) == 1 then
      removed = removed + 1
      local committed = redis.call('HGET', KEYS[7], ARGV[i])
      if committed then redis.call('HDEL', KEYS[7], ARGV[i]) end
      cost = cost + math.max(worst, tonumber(committed or '0'))
    end
  end
  return removed
end

local m = tonumber(ARGV[5])
local r = tonumber(ARGV[6 + m])
local released = removeExpired(KEYS[1], 6, m)
local dropped = removeExpired(KEYS[2], 7 + m, r)
local freed = released + dropped
if freed > 0 then
  if redis.call('DECRBY', KEYS[3], freed) < 0 then redis.call('SET', KEYS[3], 0) end
  if cost > 0 then redis.call('INCRBYFLOAT', KEYS[5], cost) end
end

local stale = 0
for i = 7 + m + r, #ARGV - 1, 2 do
  local jobId, entry = ARGV[i], ARGV[i + 1]
  if redis.call('HGET', KEYS[4], jobId) == entry then
    local token = string.sub(entry, (string.find(entry, '|', 1, true) or #entry) + 1)
    local job = redis.call('HMGET', ARGV[4] .. jobId, 'status', 'leaseToken')
    if job[1] ~= 'running' or job[2] ~= token then stale = stale + redis.call('HDEL', KEYS[4], jobId) end
  end
end

if freed + stale == 0 then return {0, 0, 0, 0} end
return {1, released, dropped, stale}
