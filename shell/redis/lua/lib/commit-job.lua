-- commit_job: compare-and-set of one job's decided transition, with the queue index writes it implies.
-- Returns {1} committed, {-1, currentVersion} version conflict, {-3} no such job.
local function commit_job(jobKey, pendingKey, activeKey, jobId, expected, pendingOp, pendingScore, activeOp,
                          activeValue, fields)
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
  return {1}
end
