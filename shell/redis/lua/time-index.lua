-- time-index: a sorted set of job ids scored by a time in ms (jobs:intake by when to look next, jobs:ended by when
-- the job ended), read in due order and changed only where an entry is still what the reader saw.
-- KEYS[1] the index
-- ARGV[1] "due":        ARGV[2] up to this score (ms, inclusive), ARGV[3] how many at most (lowest scores first)
--         "settle":     ARGV[2] job id, ARGV[3] the score it was read with: removed if the score is unchanged
--         "reschedule": ARGV[2] job id, ARGV[3] the score it was read with, ARGV[4] its new score: moved if the
--                       score is unchanged (an entry removed or moved meanwhile is left as it is)
-- Returns due:        {1, {jobId, score, ...}}
--         settle:     {1, removed (0 or 1)}
--         reschedule: {1, moved (0 or 1)}
--         {-1} unknown mode (a bug in the caller)
if ARGV[1] == 'due' then
  return {1, redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[2], 'WITHSCORES', 'LIMIT', 0, tonumber(ARGV[3]))}
end
local function unchanged()
  local score = redis.call('ZSCORE', KEYS[1], ARGV[2])
  return score and tonumber(score) == tonumber(ARGV[3])
end
if ARGV[1] == 'settle' then
  if not unchanged() then return {1, 0} end
  return {1, redis.call('ZREM', KEYS[1], ARGV[2])}
elseif ARGV[1] == 'reschedule' then
  if not unchanged() then return {1, 0} end
  redis.call('ZADD', KEYS[1], 'XX', ARGV[4], ARGV[2])
  return {1, 1}
end
return {-1}
