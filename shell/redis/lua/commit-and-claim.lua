-- commit-and-claim: a worker finishes its job (a fenced compare-and-set, as commit-job) and, in the same step,
-- claims its next job (as claim-job): one round trip per job instead of two, like BullMQ's moveToFinished.
-- KEYS[1] jobs:status:{id} of the finished job
-- KEYS[2] jobs:pending
-- KEYS[3] jobs:active
-- KEYS[4] workers:leases
-- KEYS[5] webhooks:outbox
-- KEYS[6] jobs:intake
-- KEYS[7] jobs:ended
-- ARGV[1..10] as commit-job: job id, expected version, pending op and score, active op and value, finished,
--             intake op, ended op and score
-- ARGV[11] n: how many field/value entries follow
-- ARGV[12 .. 11+n] field, value pairs to write
-- ARGV[12+n] prefix of job keys, ARGV[13+n] machine id, ARGV[14+n] the next claim's lease token
-- Returns {commitReply, claimReply}: commitReply as commit-job's; claimReply as claim-job's, or {} when the commit
-- did not happen (the caller decides again on the fresh state before claiming anything)
-- @include lib/commit-job.lua
-- @include lib/claim-next.lua
local n = tonumber(ARGV[11])
local committed = commit_job(KEYS[1], {KEYS[2], KEYS[3], KEYS[5], KEYS[6], KEYS[7]}, ARGV[1], ARGV[2],
  {unpack(ARGV, 3, 10)}, {unpack(ARGV, 12, 11 + n)})
if committed[1] ~= 1 then return {committed, {}} end
return {committed, claim_next(KEYS[2], KEYS[3], KEYS[4], ARGV[12 + n], ARGV[13 + n], ARGV[14 + n])}
