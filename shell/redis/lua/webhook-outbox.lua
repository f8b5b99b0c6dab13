-- webhook-outbox: the finished jobs whose client webhook is still owed, each with its own next attempt time, so an
-- endpoint that keeps failing never holds back another's. An entry starts in webhooks:outbox (commit-job adds it,
-- scored by when its job finished); the cron's first take moves it to webhooks:retry, scored by its next attempt
-- time, with when it was first owed and its failed attempts in webhooks:owed. How long to wait is decided in TS
-- (core/decide-webhook-delivery.ts) and passed in; times are Redis TIME.
-- KEYS[1] webhooks:outbox   ZSET job id → finish time (ms): owed, not yet taken by the cron
-- KEYS[2] webhooks:retry    ZSET job id → next attempt time (ms)
-- KEYS[3] webhooks:owed     HASH "<job id>:first" → first owed (finish) time, "<job id>:failed" → failed attempts
-- ARGV[1] "due": ARGV[2] how old a fresh entry must be (ms), ARGV[3] how many at most, ARGV[4] hold (ms)
--           takes the entries due, earliest first (a fresh one is due that long after its job finished, a retry
--           at its next attempt time), and holds each for the hold: its next attempt becomes now + hold, so no
--           other run takes it while it is being sent, and one whose sender died is taken again after it
--         "settle": ARGV[2] job id: owed no more (delivered, refused for good, or given up)
--         "reschedule": ARGV[2] job id, ARGV[3] wait (ms), ARGV[4] "1": an attempt failed (counted), "0": not tried
-- Returns due:        {1, now, {jobId, firstOwedAt, failedAttempts, ...}}
--         settle:     {1, removed (0 or 1)}
--         reschedule: {1, rescheduled (0: settled meanwhile, or never taken), failedAttempts}
--         {-1} unknown mode (a bug in the caller)
-- @include lib/now-ms.lua
local outbox, retry, owed = KEYS[1], KEYS[2], KEYS[3]

if ARGV[1] == 'due' then
  local after, limit, hold = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
  local fresh = redis.call('ZRANGEBYSCORE', outbox, '-inf', now - after, 'WITHSCORES', 'LIMIT', 0, limit)
  local retries = redis.call('ZRANGEBYSCORE', retry, '-inf', now, 'WITHSCORES', 'LIMIT', 0, limit)
  local rows, taken, seen = {}, 0, {}
  local i, j = 1, 1
  while taken < limit and (i <= #fresh or j <= #retries) do
    local id
    -- Merged by due time: a fresh entry is due `after` past its finish time.
    if j > #retries or (i <= #fresh and tonumber(fresh[i + 1]) + after <= tonumber(retries[j + 1])) then
      id = fresh[i]
      redis.call('ZREM', outbox, id)
      redis.call('HSETNX', owed, id .. ':first', fresh[i + 1])
      i = i + 2
    else
      id = retries[j]
      j = j + 2
    end
    if not seen[id] then
      seen[id] = true
      taken = taken + 1
      redis.call('ZADD', retry, now + hold, id)
      rows[#rows + 1] = id
      rows[#rows + 1] = redis.call('HGET', owed, id .. ':first') or string.format('%d', now)
      rows[#rows + 1] = redis.call('HGET', owed, id .. ':failed') or '0'
    end
  end
  return {1, now, rows}
elseif ARGV[1] == 'settle' then
  local removed = redis.call('ZREM', outbox, ARGV[2]) + redis.call('ZREM', retry, ARGV[2])
  redis.call('HDEL', owed, ARGV[2] .. ':first', ARGV[2] .. ':failed')
  return {1, removed > 0 and 1 or 0}
elseif ARGV[1] == 'reschedule' then
  local id = ARGV[2]
  if not redis.call('ZSCORE', retry, id) then return {1, 0, 0} end
  redis.call('ZADD', retry, now + tonumber(ARGV[3]), id)
  local failed
  if ARGV[4] == '1' then
    failed = redis.call('HINCRBY', owed, id .. ':failed', 1)
  else
    failed = tonumber(redis.call('HGET', owed, id .. ':failed') or '0')
  end
  return {1, 1, failed}
end
return {-1}
