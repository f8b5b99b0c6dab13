-- reserve-machines: admission's atomic half. With no machine ids it only reads the snapshot admission decides on;
-- with ids it re-checks capacity, the spawn-rate window and the budget against Redis TIME, then reserves a slot for
-- every id, all or none. How many machines to ask for is decided in TS (core/decide-admission.ts) from the
-- snapshot; these guards only stop concurrent admissions from overshooting a limit between snapshot and write.
-- KEYS[1] jobs:pending
-- KEYS[2] jobs:active
-- KEYS[3] workers:leases
-- KEYS[4] workers:reservations
-- KEYS[5] counters:active_machines
-- KEYS[6] counters:rate_limit
-- KEYS[7] counters:spend:{yyyy-mm}   the month the caller computed; ARGV[1..2] are its bounds
-- KEYS[8] workers:exiting             released machines whose slot is held until their stop grace is over
-- KEYS[9] workers:commitments         machines whose job may keep them past their TTL: their whole-life cost
-- ARGV[1] month start in ms (inclusive)
-- ARGV[2] month end in ms (exclusive)
-- ARGV[3] spawn window in ms
-- ARGV[4] max machines (slots)
-- ARGV[5] max spawns per window
-- ARGV[6] monthly budget in USD
-- ARGV[7] worst-case cost of one machine in USD
-- ARGV[8] boot deadline in ms: how long a reservation holds its slot without registering
-- ARGV[9..] machine ids to reserve, fresh and unique (none: read the snapshot, write nothing)
-- snapshot = {nowMs, pendingJobs, liveLeases, liveReservations, activeJobs, slotsTaken, spentUsd, {spawnMs, ...},
--             exitingMachines, nextExitAtMs, beyondTtlUsd}
--   live = expiry after now; slotsTaken counts expired entries the sweep has not removed yet, and exiting machines
--   still in their grace (not those past it: the next write frees them); spentUsd a string; nextExitAtMs 0 if none;
--   beyondTtlUsd (a string) what committed machines may cost beyond the ARGV[7] reserved for each slot
-- Returns {0, snapshot} no ids: the snapshot
--         {1, bootDeadlineMs} reserved: slots taken + n, one reservation and one spawn per id
--         {2, bootDeadlineMs} every id was reserved already (a retried call): nothing written
--         {-1, guard, snapshot} "capacity" | "rate" | "budget" would be exceeded: decide again on the snapshot
--         {-2} some ids are reserved already, some not: ids must be fresh (a bug)
--         {-3, nowMs} Redis time is outside the month in ARGV[1..2]: compute the month from nowMs, call again
-- @include lib/now-ms.lua
-- @include lib/reclaim-exiting.lua
if now < tonumber(ARGV[1]) or now >= tonumber(ARGV[2]) then return {-3, now} end
local windowStart = now - tonumber(ARGV[3])
local cost = tonumber(ARGV[7])

-- A machine running a job past its TTL is not paid for by its slot's reservation: count what it may cost beyond.
local function beyondTtl()
  local extra = 0
  for _, committed in ipairs(redis.call('HVALS', KEYS[9])) do
    extra = extra + math.max(0, tonumber(committed) - cost)
  end
  return extra
end

local function snapshot()
  local spawns = redis.call('ZRANGEBYSCORE', KEYS[6], '(' .. windowStart, now, 'WITHSCORES')
  local times = {}
  for i = 2, #spawns, 2 do times[#times + 1] = spawns[i] end
  local overdue = redis.call('ZCOUNT', KEYS[8], '-inf', now)
  local first = redis.call('ZRANGEBYSCORE', KEYS[8], '(' .. now, '+inf', 'WITHSCORES', 'LIMIT', 0, 1)
  return {
    now,
    redis.call('ZCARD', KEYS[1]),
    redis.call('ZCOUNT', KEYS[3], '(' .. now, '+inf'),
    redis.call('ZCOUNT', KEYS[4], '(' .. now, '+inf'),
    redis.call('HLEN', KEYS[2]),
    math.max(0, tonumber(redis.call('GET', KEYS[5]) or '0') - overdue),
    redis.call('GET', KEYS[7]) or '0',
    times,
    redis.call('ZCOUNT', KEYS[8], '(' .. now, '+inf'),
    tonumber(first[2] or '0'),
    tostring(beyondTtl()),
  }
end

local n = #ARGV - 8
if n <= 0 then return {0, snapshot()} end
local ids = {unpack(ARGV, 9)}

local known = redis.call('ZMSCORE', KEYS[4], unpack(ids))
local reserved = 0
for i = 1, n do
  if known[i] then reserved = reserved + 1 end
end
if reserved == n then return {2, tonumber(known[1])} end
if reserved > 0 then return {-2} end

redis.call('ZREMRANGEBYSCORE', KEYS[6], '-inf', windowStart)
reclaimExiting(KEYS[8], KEYS[5])
local slots = tonumber(redis.call('GET', KEYS[5]) or '0')
local spawned = redis.call('ZCOUNT', KEYS[6], '(' .. windowStart, now)
local spent = tonumber(redis.call('GET', KEYS[7]) or '0')
if slots + n > tonumber(ARGV[4]) then return {-1, 'capacity', snapshot()} end
if spawned + n > tonumber(ARGV[5]) then return {-1, 'rate', snapshot()} end
-- The same arithmetic as decideAdmission's budget room, so guard and decision agree at the boundary.
if math.floor((tonumber(ARGV[6]) - spent - slots * cost - beyondTtl()) / cost + 1e-9) < n then
  return {-1, 'budget', snapshot()}
end

local deadline = now + tonumber(ARGV[8])
local reservations, spawns = {}, {}
for _, id in ipairs(ids) do
  reservations[#reservations + 1] = deadline
  reservations[#reservations + 1] = id
  spawns[#spawns + 1] = now
  spawns[#spawns + 1] = id
end
redis.call('INCRBY', KEYS[5], n)
redis.call('ZADD', KEYS[4], unpack(reservations))
redis.call('ZADD', KEYS[6], unpack(spawns))
return {1, deadline}
