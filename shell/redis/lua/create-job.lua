-- create-job: writes a new job record once, optionally enqueued, idempotent under a client idempotency key, only
-- while the backlog (jobs pending, plus jobs still waiting for their input) is under its cap, and indexed under the
-- API key that made it: the owner's jobs (newest first, GET /api/jobs) and its unfinished jobs, whose count is
-- checked against the owner's cap here, atomically with the write.
-- The record is the lifecycle decider's state after `created` (and `enqueued` for URL ingest), computed in TS.
-- KEYS[1] jobs:status:{id}
-- KEYS[2] jobs:pending
-- KEYS[3] jobs:intake
-- KEYS[4] jobs:by-owner:{keyId}        (with ARGV[6])
-- KEYS[5] jobs:open-by-owner:{keyId}   (with ARGV[6])
-- KEYS[#KEYS] jobs:idempotency:{key}   (with ARGV[3]: only when the client sent an Idempotency-Key)
-- ARGV[1] job id
-- ARGV[2] pending score in ms ("" = the new job is not pending)
-- ARGV[3] idempotency key TTL in seconds ("" = no idempotency key)
-- ARGV[4] intake score in ms: when the cron first looks for its input ("" = the job does not wait for one)
-- ARGV[5] backlog cap: the most jobs pending or waiting for their input ("" = no cap)
-- ARGV[6] the owner's key id ("" = no owner: KEYS[4..5] are absent)
-- ARGV[7] the most unfinished jobs the owner may have ("" = no cap)
-- ARGV[8] the new job's createdAt in ms (its score in the owner's index)
-- ARGV[9..] field, value pairs of the new record
-- Returns {1, jobId} created
--         {2, jobId} the idempotency key was used before: jobId is the job it created
--         {-2, jobId} a different job with this id already exists (a bug: ids are random)
--         {-4, openJobs} the owner is at its cap of unfinished jobs: nothing written
--         {-5, waiting} the backlog is at its cap (waiting jobs counted): nothing written
-- A job that exists with the same createdAt as ARGV's record is this very create repeated after a lost reply
-- (a transport retry): it answers {1, jobId} again and writes nothing.
local idempotency = ARGV[3] ~= '' and KEYS[#KEYS] or nil
local owned = ARGV[6] ~= ''
if idempotency then
  local earlier = redis.call('GET', idempotency)
  if earlier then return {2, earlier} end
end
local existingCreatedAt = redis.call('HGET', KEYS[1], 'createdAt')
if existingCreatedAt then
  if existingCreatedAt == ARGV[8] then return {1, ARGV[1]} end
  return {-2, ARGV[1]}
end
if ARGV[5] ~= '' then
  local waiting = redis.call('ZCARD', KEYS[2]) + redis.call('ZCARD', KEYS[3])
  if waiting >= tonumber(ARGV[5]) then return {-5, waiting} end
end
if owned and ARGV[7] ~= '' then
  local open = redis.call('SCARD', KEYS[5])
  if open >= tonumber(ARGV[7]) then return {-4, open} end
end
redis.call('HSET', KEYS[1], unpack(ARGV, 9))
if ARGV[2] ~= '' then redis.call('ZADD', KEYS[2], ARGV[2], ARGV[1]) end
if ARGV[4] ~= '' then redis.call('ZADD', KEYS[3], ARGV[4], ARGV[1]) end
if owned then
  redis.call('ZADD', KEYS[4], ARGV[8], ARGV[1])
  redis.call('SADD', KEYS[5], ARGV[1])
end
if idempotency then redis.call('SET', idempotency, ARGV[1], 'EX', ARGV[3]) end
return {1, ARGV[1]}
