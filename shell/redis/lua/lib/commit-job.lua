-- commit_job: compare-and-set of one job's decided transition, with the index writes it implies.
-- `indexes` = {pendingKey, activeKey, outboxKey, intakeKey, endedKey}; `ops` = {pendingOp, pendingScore, activeOp,
-- activeValue, ends, intakeOp, endedOp, endedScore, prefix, chargeUsd} as commit-job.lua's ARGV[3..12] describe them.
-- `ends` is "finished" (the job just reached a terminal status), "reopened" (a finished job runs again) or "".
-- `prefix` builds the owner's keys (jobs:open-by-owner:{keyId}, counters:spend:{yyyy-mm}:key:{keyId}) from the
-- job's meta:owner, which only the stored job knows. `chargeUsd` is the cost this transition commits.
-- A finished split job or split task settles its family (lib/split-tasks.lua).
-- Returns {1} committed, {-1, currentVersion} version conflict, {-3} no such job.
-- @include lib/month-key.lua
local function commit_job(jobKey, indexes, jobId, expected, ops, fields)
  local pendingKey, activeKey, outboxKey, intakeKey, endedKey = unpack(indexes)
  local pendingOp, pendingScore, activeOp, activeValue, ends, intakeOp, endedOp, endedScore, prefix, chargeUsd =
    unpack(ops)
  local current = redis.call('HGET', jobKey, 'version')
  if not current then return {-3} end
  if current ~= expected then return {-1, tonumber(current)} end
  redis.call('HSET', jobKey, unpack(fields))
  if pendingOp == 'add' then
    redis.call('ZADD', pendingKey, pendingScore, jobId)
  elseif pendingOp == 'remove' then
    redis.call('ZREM', pendingKey, jobId)
  end
  if activeOp == 'set' then
    redis.call('HSET', activeKey, jobId, activeValue)
  elseif activeOp == 'remove' then
    redis.call('HDEL', activeKey, jobId)
  end
  if intakeOp == 'remove' then redis.call('ZREM', intakeKey, jobId) end
  if endedOp == 'add' then
    redis.call('ZADD', endedKey, endedScore, jobId)
  elseif endedOp == 'remove' then
    redis.call('ZREM', endedKey, jobId)
  end
  if ends == '' then return {1} end
-- @include lib/now-ms.lua
-- @include lib/split-tasks.lua
  if ends == 'finished' then settle_split(jobKey, pendingKey, activeKey, outboxKey, endedKey, prefix) end
  -- A finished job with a webhook owes one: the outbox holds it (scored by Redis time) until a delivery settles it.
  if ends == 'finished' then
    local url = redis.call('HGET', jobKey, 'meta:webhookUrl')
    if url and url ~= '' then redis.call('ZADD', outboxKey, 'NX', now, jobId) end
  end
  -- Its owner's unfinished jobs (the per-key pending cap) and the month's spend (the per-key budget), by Redis time.
  local owner = redis.call('HGET', jobKey, 'meta:owner')
  if owner and owner ~= '' then
    local open = prefix .. 'jobs:open-by-owner:' .. owner
    if ends == 'reopened' then
      redis.call('SADD', open, jobId)
    else
      redis.call('SREM', open, jobId)
      if tonumber(chargeUsd) > 0 then
        redis.call('INCRBYFLOAT', prefix .. 'counters:spend:' .. month_key(now) .. ':key:' .. owner, chargeUsd)
      end
    end
  end
  return {1}
end
