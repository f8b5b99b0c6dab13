-- commit-and-claim: a worker finishes its job (a fenced compare-and-set, as commit-job) and, in the same step,
-- claims its next job (as claim-job): one round trip per job instead of two, like BullMQ's moveToFinished.
-- KEYS[1] jobs:status:{id} of the finished job
-- KEYS[2] jobs:pending
-- KEYS[3] jobs:active
-- KEYS[4] workers:leases
-- KEYS[5] webhooks:outbox
-- ARGV[1..9] as commit-job: job id, expected version, pending op, pending score, active op, active value,
--            finished/reopened, key prefix, owner charge
-- ARGV[10] n: how many field/value entries follow
-- ARGV[11 .. 10+n] field, value pairs to write
-- ARGV[11+n] prefix of job keys, ARGV[12+n] machine id, ARGV[13+n] the next claim's lease token
-- Returns {commitReply, claimReply}: commitReply as commit-job's; claimReply as claim-job's, or {} when the commit
-- did not happen (the caller decides again on the fresh state before claiming anything)
-- @include lib/commit-job.lua
-- @include lib/claim-next.lua
local n = tonumber(ARGV[10])
local committed = commit_job(KEYS[1], KEYS[2], KEYS[3], KEYS[5], ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5],
  ARGV[6], ARGV[7], ARGV[8], ARGV[9], {unpack(ARGV, 11, 10 + n)})
if committed[1] ~= 1 then return {committed, {}} end
return {committed, claim_next(KEYS[2], KEYS[3], KEYS[4], ARGV[11 + n], ARGV[12 + n], ARGV[13 + n])}
