-- commit_job: compare-and-set of one job's decided transition, with the index writes it implies.
-- Returns {1} committed, {-1, currentVersion} version conflict, {-3} no such job.
local function commit_job(jobKey, pendingKey, activeKey, outboxKey, jobId, expected, pendingOp, pendingScore,
                          activeOp, activeValue, finished, fields)
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
