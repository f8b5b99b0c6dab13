-- sweep-snapshot: what the lease sweep plans from (core/plan-lease-sweep.ts), read at one instant. Read-only.
-- Each running-job index entry comes with the job's own fields, so the caller can tell a consistent entry from a
-- stale one (the job is gone, no longer running, or running under another lease).
-- KEYS[1] workers:leases
-- KEYS[2] jobs:active
-- KEYS[3] workers:reservations
-- KEYS[4] workers:exiting
-- ARGV[1] prefix of job keys ("<prefix>jobs:status:")
-- Returns {1, nowMs, {machineId, expiresAtMs, ...}, {jobId, "<machineId>|<leaseToken>", status, leaseToken,
--         attempts, retryBase, ...}, {machineId, bootDeadlineMs, ...}, {machineId, slotFreeAtMs, ...}}
--         job fields are "" when the job hash lacks them; scores are strings
-- @include lib/now-ms.lua
local leases = redis.call('ZRANGE', KEYS[1], 0, -1, 'WITHSCORES')
local reservations = redis.call('ZRANGE', KEYS[3], 0, -1, 'WITHSCORES')
local index = redis.call('HGETALL', KEYS[2])
local active = {}
for i = 1, #index, 2 do
  local job = redis.call('HMGET', ARGV[1] .. index[i], 'status', 'leaseToken', 'attempts', 'retryBase')
  active[#active + 1] = index[i]
  active[#active + 1] = index[i + 1]
  for j = 1, 4 do active[#active + 1] = job[j] or '' end
end
local exiting = redis.call('ZRANGE', KEYS[4], 0, -1, 'WITHSCORES')
return {1, now, leases, active, reservations, exiting}
