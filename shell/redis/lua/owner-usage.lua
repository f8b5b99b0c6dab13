-- owner-usage: what one API key has in flight and has spent this month, at one Redis instant (its own limits).
-- KEYS[1] jobs:open-by-owner:{keyId}
-- KEYS[2] counters:spend:{yyyy-mm}:key:{keyId}   the month the caller computed; ARGV[1..2] are its bounds
-- ARGV[1] month start in ms (inclusive)
-- ARGV[2] month end in ms (exclusive)
-- Returns {1, nowMs, openJobs, spentUsd}   spentUsd as a decimal string
--         {-3, nowMs} Redis time is outside the month in ARGV[1..2]: compute the month from nowMs, call again
-- @include lib/now-ms.lua
if now < tonumber(ARGV[1]) or now >= tonumber(ARGV[2]) then return {-3, now} end
return {1, now, redis.call('SCARD', KEYS[1]), redis.call('GET', KEYS[2]) or '0'}
