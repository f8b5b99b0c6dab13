-- commit-and-claim: a worker finishes its job (a fenced compare-and-set, as commit-job) and, in the same step,
-- claims its next job (as claim-job): one round trip per job instead of two, like BullMQ's moveToFinished.
-- KEYS[1] jobs:status:{id} of the finished job
-- KEYS[2] jobs:pending
-- KEYS[3] jobs:active
-- KEYS[4] workers:leases
-- ARGV[1..6] as commit-job: job id, expected version, pending op, pending score, active op, active value
-- ARGV[7] n: how many field/value entries follow
-- ARGV[8 .. 7+n] field, value pairs to write
-- ARGV[8+n] prefix of job keys, ARGV[9+n] machine id, ARGV[10+n] the next claim's lease token
-- Returns {commitReply, claimReply}: commitReply as commit-job's; claimReply as claim-job's, or {} when the commit
-- did not happen (the caller decides again on the fresh state before claiming anything)
-- @include lib/commit-job.lua
-- @include lib/claim-next.lua
local n = tonumber(ARGV[7])
local committed = commit_job(KEYS[1], KEYS[2], KEYS[3], ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6],
  {unpack(ARGV, 8, 7 + n)})
if committed[1] ~= 1 then return {committed, {}} end
return {committed, claim_next(KEYS[2], KEYS[3], KEYS[4], ARGV[8 + n], ARGV[9 + n], ARGV[10 + n])}
