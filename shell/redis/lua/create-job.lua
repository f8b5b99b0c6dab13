-- create-job: writes a new job record once, optionally enqueued, idempotent under a client idempotency key, and only
-- while the backlog (jobs pending, plus jobs still waiting for their input) is under its cap.
-- The record is the lifecycle decider's state after `created` (and `enqueued` for URL ingest), computed in TS.
-- KEYS[1] jobs:status:{id}
-- KEYS[2] jobs:pending
-- KEYS[3] jobs:intake
-- KEYS[4] jobs:idempotency:{key}   (optional: only when the client sent an Idempotency-Key)
-- ARGV[1] job id
-- ARGV[2] pending score in ms ("" = the new job is not pending)
-- ARGV[3] idempotency key TTL in seconds (with KEYS[4])
-- ARGV[4] intake score in ms: when the cron first looks for its input ("" = the job does not wait for one)
-- ARGV[5] backlog cap: the most jobs pending or waiting for their input ("" = no cap)
-- ARGV[6..] field, value pairs of the new record
-- Returns {1, jobId} created
--         {2, jobId} the idempotency key was used before: jobId is the job it created
--         {-2, jobId} a different job with this id already exists (a bug: ids are random)
--         {-4, waiting} the backlog is at its cap (waiting jobs counted): nothing written
-- A job that exists with the same createdAt as ARGV's record is this very create repeated after a lost reply
-- (a transport retry): it answers {1, jobId} again and writes nothing.
if #KEYS >= 4 then
  local earlier = redis.call('GET', KEYS[4])
  if earlier then return {2, earlier} end
end
local existingCreatedAt = redis.call('HGET', KEYS[1], 'createdAt')
if existingCreatedAt then
  for i = 6, #ARGV - 1, 2 do
    if ARGV[i] == 'createdAt' and ARGV[i + 1] == existingCreatedAt then return {1, ARGV[1]} end
  end
  return {-2, ARGV[1]}
end
if ARGV[5] ~= '' then
  local waiting = redis.call('ZCARD', KEYS[2]) + redis.call('ZCARD', KEYS[3])
  if waiting >= tonumber(ARGV[5]) then return {-4, waiting} end
end
redis.call('HSET', KEYS[1], unpack(ARGV, 6))
if ARGV[2] ~= '' then redis.call('ZADD', KEYS[2], ARGV[2], ARGV[1]) end
if ARGV[4] ~= '' then redis.call('ZADD', KEYS[3], ARGV[4], ARGV[1]) end
if #KEYS >= 4 then redis.call('SET', KEYS[4], ARGV[1], 'EX', ARGV[3]) end
return {1, ARGV[1]}
