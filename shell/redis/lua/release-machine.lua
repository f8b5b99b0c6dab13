-- release-machine: a machine leaves (its worker exits, or its create failed): its lease or reservation is removed
-- and its cost charged to the month, once. Its slot is held a grace longer (workers:exiting), for the machine may
-- still be stopping after its worker's last word: the cap counts machines alive. A repeated release changes nothing.
-- It answers with the jobs the machine still holds, so the caller expires them through the job store at once.
-- KEYS[1] workers:leases
-- KEYS[2] workers:reservations
-- KEYS[3] counters:active_machines
-- KEYS[4] jobs:active
-- KEYS[5] counters:spend:{yyyy-mm}   the month the caller computed; ARGV[1..2] are its bounds
-- KEYS[6] workers:exiting
-- KEYS[7] workers:commitments        the machine's commitment, if any, is dropped: its real cost is charged instead
-- ARGV[1] month start in ms (inclusive)
-- ARGV[2] month end in ms (exclusive)
-- ARGV[3] machine id
-- ARGV[4] the machine's cost in USD to charge ("0" for a machine that never started)
-- ARGV[5] stop grace in ms: how long the slot stays taken after the release (0: freed at once)
-- Returns {1, nowMs, {jobId, leaseToken, ...}} released: the slot exiting (or freed), cost charged
--         {0, nowMs, {jobId, leaseToken, ...}} the machine held no lease or reservation: nothing changed
--         {-3, nowMs} Redis time is outside the month in ARGV[1..2]: compute the month from nowMs, call again
-- @include lib/now-ms.lua
-- @include lib/reclaim-exiting.lua
if now < tonumber(ARGV[1]) or now >= tonumber(ARGV[2]) then return {-3, now} end
reclaimExiting(KEYS[6], KEYS[3])

local removed = redis.call('ZREM', KEYS[1], ARGV[3]) + redis.call('ZREM', KEYS[2], ARGV[3])
if removed > 0 then
  local grace = tonumber(ARGV[5])
  local held = 0
  -- A second machine under the same id (a duplicate create that surfaced late) may find the id exiting already:
  -- one entry holds one slot, so that release frees its own slot at once and only extends the grace (ZADD GT
  -- answers 1 only for a new entry).
  if grace > 0 then held = redis.call('ZADD', KEYS[6], 'GT', now + grace, ARGV[3]) end
  if removed > held and redis.call('DECRBY', KEYS[3], removed - held) < 0 then redis.call('SET', KEYS[3], 0) end
  if tonumber(ARGV[4]) > 0 then redis.call('INCRBYFLOAT', KEYS[5], ARGV[4]) end
end
redis.call('HDEL', KEYS[7], ARGV[3])

local held = {}
local prefix = ARGV[3] .. '|'
local active = redis.call('HGETALL', KEYS[4])
for i = 1, #active, 2 do
  local value = active[i + 1]
  if string.sub(value, 1, #prefix) == prefix then
    held[#held + 1] = active[i]
    held[#held + 1] = string.sub(value, #prefix + 1)
  end
end
return {removed > 0 and 1 or 0, now, held}
