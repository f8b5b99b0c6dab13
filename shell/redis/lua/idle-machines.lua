-- idle-machines: the machines that could take waiting work at once: a live lease (Redis TIME), no running job,
-- and a known Fly machine id; with how many pending jobs are claimable now. Read-only.
-- KEYS[1] workers:leases
-- KEYS[2] jobs:active
-- KEYS[3] jobs:pending
-- ARGV[1] prefix of the Fly id keys ("<prefix>workers:fly:")
-- Returns {1, nowMs, claimablePending, {machineId, flyMachineId, ...}}
-- @include lib/now-ms.lua
local busy = {}
local active = redis.call('HVALS', KEYS[2])
for _, entry in ipairs(active) do
  busy[string.sub(entry, 1, (string.find(entry, '|', 1, true) or (#entry + 1)) - 1)] = true
end
local idle = {}
for _, machineId in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. now, '+inf')) do
  if not busy[machineId] then
    local fly = redis.call('GET', ARGV[1] .. machineId)
    if fly then
      idle[#idle + 1] = machineId
      idle[#idle + 1] = fly
    end
  end
end
return {1, now, redis.call('ZCOUNT', KEYS[3], '-inf', now), idle}
