-- list-owner-jobs: a page of one API key's jobs, newest first (GET /api/jobs). It reads a bounded stretch of the
-- key's index, so a status filter that rarely matches answers a short page and a cursor, never a scan of all.
-- KEYS[1] jobs:by-owner:{keyId}
-- ARGV[1] prefix of job keys (…jobs:status:)
-- ARGV[2] cursor: the job id the previous page ended on ("" = start at the newest)
-- ARGV[3] that job's score (createdAt ms): where to resume should it have left the index
-- ARGV[4] most jobs to return
-- ARGV[5] most index entries to read
-- ARGV[6] the status to keep ("" = every status)
-- Returns {more, lastId, lastScore, {job hash, ...}}: each job hash as HGETALL's flat list; more is 1 when the
-- index holds entries after lastId, the last entry read (the next page starts after it), else 0
-- A cursor that is not in this key's index (another key's job, or a forged id) resumes by score: no other key's
-- job is ever read.
local start = 0
if ARGV[2] ~= '' then
  local rank = redis.call('ZREVRANK', KEYS[1], ARGV[2])
  if rank then
    start = rank + 1
  else
    start = redis.call('ZCOUNT', KEYS[1], '(' .. ARGV[3], '+inf')
  end
end
local entries = redis.call('ZREVRANGE', KEYS[1], start, start + tonumber(ARGV[5]) - 1, 'WITHSCORES')
local limit = tonumber(ARGV[4])
local page = {}
local lastId, lastScore, read = '', '', 0
for i = 1, #entries, 2 do
  read = read + 1
  lastId, lastScore = entries[i], entries[i + 1]
  local key = ARGV[1] .. lastId
  if ARGV[6] == '' or redis.call('HGET', key, 'status') == ARGV[6] then
    local hash = redis.call('HGETALL', key)
    if #hash > 0 then page[#page + 1] = hash end
  end
  if #page >= limit then break end
end
local more = (start + read) < redis.call('ZCARD', KEYS[1]) and 1 or 0
return {more, lastId, lastScore, page}
