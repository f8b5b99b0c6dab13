-- claim-job: a worker with a live lease takes the next claimable pending job and runs it under a fencing token.
-- Applies exactly the decider's `claimed` event (core/job-lifecycle/evolve-job.ts): status running, attempts + 1,
-- the lease token and machine recorded, progress reset, startedAt/updatedAt = Redis TIME, version + 1.
-- KEYS[1] jobs:pending
-- KEYS[2] jobs:active
-- KEYS[3] workers:leases
-- ARGV[1] prefix of job keys ("<prefix>jobs:status:")
-- ARGV[2] machine id
-- ARGV[3] lease token (random, unique per claim: the fencing token for progress/complete/fail)
-- Returns {1, nowMs, field, value, ...} claimed: the job record after the claim
--         {0, waitMs} nothing claimable now; waitMs until the earliest backed-off job, -1 when the queue is empty
--         {-4} the machine holds no live lease (never registered, released, or expired): it must not claim
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local lease = redis.call('ZSCORE', KEYS[3], ARGV[2])
if not lease or tonumber(lease) <= now then return {-4} end

-- A few stale entries (a job cancelled between index updates) are skipped rather than blocking the queue.
for _ = 1, 10 do
  local head = redis.call('ZPOPMIN', KEYS[1])
  if #head == 0 then return {0, -1} end
  local jobId, availableAt = head[1], tonumber(head[2])
  if availableAt > now then
    redis.call('ZADD', KEYS[1], head[2], jobId)
    return {0, availableAt - now}
  end
  local key = ARGV[1] .. jobId
  local flat = redis.call('HGETALL', key)
  local job = {}
  for i = 1, #flat, 2 do job[flat[i]] = i + 1 end
  if job.status and flat[job.status] == 'pending' then
    local update = {
      status = 'running',
      attempts = tostring(tonumber(flat[job.attempts]) + 1),
      leaseToken = ARGV[3],
      machineId = ARGV[2],
      availableAt = '',
      progress = '0',
      startedAt = tostring(now),
      updatedAt = tostring(now),
      version = tostring(tonumber(flat[job.version]) + 1),
    }
    local args = {}
    for field, value in pairs(update) do
      args[#args + 1] = field
      args[#args + 1] = value
      flat[job[field]] = value
    end
    redis.call('HSET', key, unpack(args))
    redis.call('HSET', KEYS[2], jobId, ARGV[2] .. '|' .. ARGV[3])
    local reply = {1, now}
    for i = 1, #flat do reply[#reply + 1] = flat[i] end
    return reply
  end
end
return {0, 0}
