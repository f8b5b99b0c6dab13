-- create-job: writes a new job record once, optionally enqueued, idempotent under a client idempotency key.
-- The record is the lifecycle decider's state after `created` (and `enqueued` for URL ingest), computed in TS.
-- KEYS[1] jobs:status:{id}
-- KEYS[2] jobs:pending
-- KEYS[3] jobs:idempotency:{key}   (optional: only when the client sent an Idempotency-Key)
-- ARGV[1] job id
-- ARGV[2] pending score in ms ("" = the new job is not pending)
-- ARGV[3] idempotency key TTL in seconds (with KEYS[3])
-- ARGV[4..] field, value pairs of the new record
-- Returns {1, jobId} created
--         {2, jobId} the idempotency key was used before: jobId is the job it created
--         {-2, jobId} a different job with this id already exists (a bug: ids are random)
-- A job that exists with the same createdAt as ARGV's record is this very create repeated after a lost reply
-- (a transport retry): it answers {1, jobId} again and writes nothing.
if #KEYS >= 3 then
  local earlier = redis.call('GET', KEYS[3])
  if earlier then return {2, earlier} end
end
local existingCreatedAt = redis.call('HGET', KEYS[1], 'createdAt')
if existingCreatedAt then
  for i = 4, #ARGV - 1, 2 do
    if ARGV[i] == 'createdAt' and ARGV[i + 1] == existingCreatedAt then return {1, ARGV[1]} end
  end
  return {-2, ARGV[1]}
end
redis.call('HSET', KEYS[1], unpack(ARGV, 4))
if ARGV[2] ~= '' then redis.call('ZADD', KEYS[2], ARGV[2], ARGV[1]) end
if #KEYS >= 3 then redis.call('SET', KEYS[3], ARGV[1], 'EX', ARGV[3]) end
return {1, ARGV[1]}
