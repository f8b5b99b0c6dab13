-- check-job-claim: whether a worker's claim on a job still stands (the job is running under the claim's lease
-- token). A worker asks about once a second while it works, so a cancel, a sweep or a retry elsewhere stops its
-- ffmpeg at once rather than at its next progress write.
-- KEYS[1] jobs:status:{id}
-- ARGV[1] the claim's lease token
-- Returns {1} the claim stands
--         {0, status} it does not: the job's status now ("" when the job no longer exists)
local fields = redis.call('HMGET', KEYS[1], 'status', 'leaseToken')
if fields[1] == 'running' and fields[2] == ARGV[1] then return {1} end
return {0, fields[1] or ''}
