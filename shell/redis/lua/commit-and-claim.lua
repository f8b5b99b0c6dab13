-- commit-and-claim: a worker finishes its job (a fenced compare-and-set, as commit-job) and, in the same step,
-- claims its next job (as claim-job): one round trip per job instead of two, like BullMQ's moveToFinished.
-- KEYS[1] jobs:status:{id} of the finished job
-- KEYS[2] jobs:pending
-- KEYS[3] jobs:active
-- KEYS[4] workers:leases
-- KEYS[5] webhooks:outbox
-- KEYS[6] jobs:intake
-- KEYS[7] jobs:ended
-- ARGV[1..12] as commit-job: job id, expected version, pending op and score, active op and value,
--             finished/reopened, intake op, ended op and score, key prefix, owner charge
-- ARGV[13] n: how many field/value entries follow
-- ARGV[14 .. 13+n] field, value pairs to write
-- ARGV[14+n] prefix of job keys, ARGV[15+n] machine id, ARGV[16+n] the next claim's lease token
-- Returns {commitReply, claimReply}: commitReply as commit-job's; claimReply as claim-job's, or {} when the commit
-- did not happen (the caller decides again on the fresh state before claiming anything)
-- @include lib/commit-job.lua
-- @include lib/claim-next.lua
local n = tonumber(ARGV[13])
local committed = commit_job(KEYS[1], {KEYS[2], KEYS[3], KEYS[5], KEYS[6], KEYS[7]}, ARGV[1], ARGV[2],
  {unpack(ARGV, 3, 12)}, {unpack(ARGV, 14, 13 + n)})
if committed[1] ~= 1 then return {committed, {}} end
return {committed, claim_next(KEYS[2], KEYS[3], KEYS[4], ARGV[14 + n], ARGV[15 + n], ARGV[16 + n])}
