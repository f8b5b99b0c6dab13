-- claim_next: a machine with a live lease takes the next claimable pending job under a fencing token, applying
-- exactly the decider's `claimed` event (core/job-lifecycle/evolve-job.ts): status running, attempts + 1, the
-- lease token and machine recorded, progress reset, startedAt/updatedAt = Redis TIME, version + 1.
-- Returns {1, nowMs, field, value, ...} the job after the claim; {0, waitMs} nothing claimable (waitMs until the
-- earliest backed-off job, -1 when the queue is empty); {-4} the machine holds no live lease and must not claim.
local function claim_next(pendingKey, activeKey, leasesKey, jobKeyPrefix, machineId, leaseToken)
-- @include lib/now-ms.lua
  local lease = redis.call('ZSCORE', leasesKey, machineId)
  if not lease or tonumber(lease) <= now then return {-4} end

  -- A few stale entries (a job cancelled between index updates) are skipped rather than blocking the queue.
  for _ = 1, 10 do
    local head = redis.call('ZPOPMIN', pendingKey)
    if #head == 0 then return {0, -1} end
    local jobId, availableAt = head[1], tonumber(head[2])
    if availableAt > now then
      redis.call('ZADD', pendingKey, head[2], jobId)
      return {0, availableAt - now}
    end
    local key = jobKeyPrefix .. jobId
    local flat = redis.call('HGETALL', key)
    local at = {}
    for i = 1, #flat, 2 do at[flat[i]] = i + 1 end
    if at.status and flat[at.status] == 'pending' then
      local update = {
        status = 'running',
        attempts = tostring(tonumber(flat[at.attempts]) + 1),
        leaseToken = leaseToken,
        machineId = machineId,
        availableAt = '',
        progress = '0',
        startedAt = tostring(now),
        updatedAt = tostring(now),
        version = tostring(tonumber(flat[at.version]) + 1),
      }
      local args = {}
      for field, value in pairs(update) do
        args[#args + 1] = field
        args[#args + 1] = value
        flat[at[field]] = value
      end
      redis.call('HSET', key, unpack(args))
      redis.call('HSET', activeKey, jobId, machineId .. '|' .. leaseToken)
      local reply = {1, now}
      for i = 1, #flat do reply[#reply + 1] = flat[i] end
      return reply
    end
  end
  return {0, 0}
end
