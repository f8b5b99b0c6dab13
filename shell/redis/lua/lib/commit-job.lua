-- commit_job: compare-and-set of one job's decided transition, with the index writes it implies.
-- `indexes` = {pendingKey, activeKey, outboxKey, intakeKey, endedKey}; `ops` = {pendingOp, pendingScore, activeOp,
-- activeValue, finished, intakeOp, endedOp, endedScore} as commit-job.lua's ARGV[3..10] describe them.
-- Returns {1} committed, {-1, currentVersion} version conflict, {-3} no such job.
local function commit_job(jobKey, indexes, jobId, expected, ops, fields)
  local pendingKey, activeKey, outboxKey, intakeKey, endedKey = unpack(indexes)
  local pendingOp, pendingScore, activeOp, activeValue, finished, intakeOp, endedOp, endedScore = unpack(ops)
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
  -- A finished job with a webhook owes one: the outbox holds it (scored by Redis time) until a delivery settles it.
  if finished == 'finished' then
    local url = redis.call('HGET', jobKey, 'meta:webhookUrl')
    if url and url ~= '' then
-- @include lib/now-ms.lua
      redis.call('ZADD', outboxKey, 'NX', now, jobId)
    end
  end
  return {1}
end
