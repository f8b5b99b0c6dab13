-- webhook-outbox: the finished jobs whose client webhook is still owed (commit-job adds them; see key-schema.ts).
-- KEYS[1] webhooks:outbox
-- ARGV[1] "due": ARGV[2] minimum age in ms, ARGV[3] how many at most (oldest first)
--         "settle": ARGV[2] job id (delivered, refused for good, or given up: owed no more)
-- Returns due:    {1, now, {jobId, finishedAtMs, ...}} entries at least that old by Redis TIME
--         settle: {1, removed (0 or 1)}
--         {-1} unknown mode (a bug in the caller)
-- @include lib/now-ms.lua
if ARGV[1] == 'due' then
  local rows = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now - tonumber(ARGV[2]), 'WITHSCORES', 'LIMIT', 0,
    tonumber(ARGV[3]))
  return {1, now, rows}
elseif ARGV[1] == 'settle' then
  return {1, redis.call('ZREM', KEYS[1], ARGV[2])}
end
return {-1}
