-- settle_split: what a finished job means for a split job (core/split/, worker-image/run-split-task.ts). Needs `now`.
-- A task (a hash with meta:parent) that completed counts down its parent's split:remaining; the last chunk or audio
-- task flips the queued stitch task to pending (exactly the decider's `enqueued` event), so exactly one stitch runs.
-- A task that failed (after its retries) fails its running parent with the task's error (the decider's `failed`
-- event, with the index writes commit_job makes for a finished job). A split parent that failed or was cancelled
-- cancels every task not yet finished (the decider's `cancelled` event): no stitch starts, and a running chunk's
-- worker is fenced out at its next write.
local function split_bump(key, fields)
  local version = tonumber(redis.call('HGET', key, 'version'))
  fields[#fields + 1] = 'version'
  fields[#fields + 1] = tostring(version + 1)
  fields[#fields + 1] = 'updatedAt'
  fields[#fields + 1] = tostring(now)
  redis.call('HSET', key, unpack(fields))
end

local function split_cancel_tasks(parentKey, pendingKey, activeKey, prefix, reason)
  local list = redis.call('HGET', parentKey, 'split:tasks') or ''
  for taskId in string.gmatch(list, '[^,]+') do
    local key = prefix .. 'jobs:status:' .. taskId
    local status = redis.call('HGET', key, 'status')
    if status and status ~= 'completed' and status ~= 'failed' and status ~= 'cancelled' then
      split_bump(key, {'status', 'cancelled', 'cancelReason', reason, 'availableAt', '', 'leaseToken', '',
        'machineId', '', 'finishedAt', tostring(now)})
      redis.call('ZREM', pendingKey, taskId)
      redis.call('HDEL', activeKey, taskId)
    end
  end
end

local function split_fail_parent(parentKey, parentId, indexes, prefix, errorJson)
  local pendingKey, activeKey, outboxKey, endedKey = unpack(indexes)
  split_bump(parentKey, {'status', 'failed', 'error', errorJson, 'leaseToken', '', 'machineId', '',
    'finishedAt', tostring(now)})
  redis.call('ZREM', pendingKey, parentId)
  redis.call('HDEL', activeKey, parentId)
  -- Ended like any failed job: input retention deletes its input and leftovers in due course.
  redis.call('ZADD', endedKey, now, parentId)
  local url = redis.call('HGET', parentKey, 'meta:webhookUrl')
  if url and url ~= '' then redis.call('ZADD', outboxKey, 'NX', now, parentId) end
  local owner = redis.call('HGET', parentKey, 'meta:owner')
  if owner and owner ~= '' then redis.call('SREM', prefix .. 'jobs:open-by-owner:' .. owner, parentId) end
  split_cancel_tasks(parentKey, pendingKey, activeKey, prefix, 'the job failed: ' .. parentId)
end

local function settle_split(jobKey, pendingKey, activeKey, outboxKey, endedKey, prefix)
  local status = redis.call('HGET', jobKey, 'status')
  if status ~= 'completed' and redis.call('HEXISTS', jobKey, 'split:tasks') == 1 then
    split_cancel_tasks(jobKey, pendingKey, activeKey, prefix, 'the job was ' .. status)
  end
  local parentId = redis.call('HGET', jobKey, 'meta:parent')
  if not parentId or parentId == '' then return end
  local parentKey = prefix .. 'jobs:status:' .. parentId
  if redis.call('HGET', parentKey, 'status') ~= 'running' then return end
  if status == 'completed' then
    if redis.call('HGET', parentKey, 'split:stitch') == redis.call('HGET', jobKey, 'jobId') then return end
    local remaining = redis.call('HINCRBY', parentKey, 'split:remaining', -1)
    local total = tonumber(redis.call('HGET', parentKey, 'split:total'))
    -- Progress is the share of tasks done; the last few percent are the stitch's.
    split_bump(parentKey, {'progress', tostring(math.floor((total - remaining) * 95 / total))})
    if remaining == 0 then
      local stitchId = redis.call('HGET', parentKey, 'split:stitch')
      local stitchKey = prefix .. 'jobs:status:' .. stitchId
      if redis.call('HGET', stitchKey, 'status') == 'queued' then
        split_bump(stitchKey, {'status', 'pending', 'availableAt', tostring(now)})
        -- Scored at the parent's place in the queue: a job's last step goes before jobs that came after it.
        local score = tonumber(redis.call('HGET', parentKey, 'queuedAt')) or now
        redis.call('ZADD', pendingKey, math.min(score, now), stitchId)
      end
    end
    return
  end
  split_fail_parent(parentKey, parentId, {pendingKey, activeKey, outboxKey, endedKey}, prefix,
    redis.call('HGET', jobKey, 'error') or '')
end
