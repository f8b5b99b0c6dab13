-- split-job: the worker that claimed a long job turns it into tasks other workers claim (core/split/): chunk and
-- audio tasks pending, the stitch task queued until the last of them completes (lib/split-tasks.lua). The job stays
-- running, out of the running-job index (no machine holds it now: the sweep leaves it alone), and remembers its
-- tasks and how many must complete before the stitch. Task records are the decider's state after `created` and
-- `enqueued`, computed in TS, with meta:parent naming the job.
-- KEYS[1] jobs:status:{id} of the job
-- KEYS[2] jobs:pending
-- KEYS[3] jobs:active
-- ARGV[1] job id
-- ARGV[2] the claim's lease token: only its holder may split the job
-- ARGV[3] prefix of job keys ("<prefix>jobs:status:")
-- ARGV[4] the stitch task's id
-- ARGV[5] how many tasks must complete before the stitch
-- ARGV[6] t: how many task records follow, then for each: task id, pending score ("" = queued, not pending),
--         n, and n field/value entries
-- Returns {1} split
--         {2} already split under this lease (a repeated call): nothing written
--         {-1, status} the job is not running under this lease (cancelled, swept): nothing written
local job = redis.call('HMGET', KEYS[1], 'status', 'leaseToken', 'split:tasks')
if job[1] ~= 'running' or job[2] ~= ARGV[2] then return {-1, job[1] or ''} end
if job[3] then return {2} end
local ids = {}
local i = 7
for _ = 1, tonumber(ARGV[6]) do
  local taskId, score, n = ARGV[i], ARGV[i + 1], tonumber(ARGV[i + 2])
  redis.call('HSET', ARGV[3] .. taskId, unpack(ARGV, i + 3, i + 2 + n))
  if score ~= '' then redis.call('ZADD', KEYS[2], score, taskId) end
  ids[#ids + 1] = taskId
  i = i + 3 + n
end
redis.call('HSET', KEYS[1], 'split:tasks', table.concat(ids, ','), 'split:stitch', ARGV[4], 'split:remaining',
  ARGV[5], 'split:total', ARGV[5])
redis.call('HDEL', KEYS[3], ARGV[1])
return {1}
