-- commit-machine-cost: a machine about to run a job that may keep it past its TTL raises what it may cost over its
-- whole life (its commitment), if that still fits the month's budget next to what is spent and what every other
-- machine holding a slot may cost (its commitment, or the TTL × price admission reserved for it). Admission counts
-- commitments (reserve-machines.lua); release-machine.lua and sweep-release.lua drop them.
-- KEYS[1] workers:leases
-- KEYS[2] counters:active_machines
-- KEYS[3] counters:spend:{yyyy-mm}   the month the caller computed; ARGV[1..2] are its bounds
-- KEYS[4] workers:commitments
-- KEYS[5] workers:exiting
-- ARGV[1] month start in ms (inclusive)
-- ARGV[2] month end in ms (exclusive)
-- ARGV[3] machine id
-- ARGV[4] the machine's commitment in USD: its whole-life worst case with the job (above ARGV[6])
-- ARGV[5] monthly budget in USD
-- ARGV[6] what admission reserves for one machine in USD (TTL × price)
-- Returns {1, spentUsd, heldByOthersUsd} committed (amounts as strings)
--         {0, spentUsd, heldByOthersUsd} the budget has no room for it: nothing written
--         {-4} the machine holds no live lease
--         {-3, nowMs} Redis time is outside the month in ARGV[1..2]: compute the month from nowMs, call again
-- @include lib/now-ms.lua
-- @include lib/reclaim-exiting.lua
if now < tonumber(ARGV[1]) or now >= tonumber(ARGV[2]) then return {-3, now} end
local lease = redis.call('ZSCORE', KEYS[1], ARGV[3])
if not lease or tonumber(lease) <= now then return {-4} end
reclaimExiting(KEYS[5], KEYS[2])

local reserved = tonumber(ARGV[6])
local slots = tonumber(redis.call('GET', KEYS[2]) or '0')
local held = math.max(0, slots - 1) * reserved
local commitments = redis.call('HGETALL', KEYS[4])
for i = 1, #commitments, 2 do
  if commitments[i] ~= ARGV[3] then held = held + math.max(0, tonumber(commitments[i + 1]) - reserved) end
end
local spent = tonumber(redis.call('GET', KEYS[3]) or '0')
-- The same arithmetic as checkJobBudget (core/decide-job-cost.ts), so the refusal and its wording agree.
if spent + held + tonumber(ARGV[4]) > tonumber(ARGV[5]) + 1e-9 then
  return {0, tostring(spent), tostring(held)}
end
redis.call('HSET', KEYS[4], ARGV[3], ARGV[4])
return {1, tostring(spent), tostring(held)}
