-- commit-job: compare-and-set of one job's decided transition, with the queue indexes it implies.
-- TS loads the job, the core decides and evolves, and this script writes the result only if nobody else wrote
-- the job since it was loaded (the `version` field counts applied events). Lease fencing holds because the
-- decider checked the token against the very version being replaced.
-- KEYS[1] jobs:status:{id}
-- KEYS[2] jobs:pending
-- KEYS[3] jobs:active
-- ARGV[1] job id
-- ARGV[2] expected current version
-- ARGV[3] pending index: "add" | "remove" | "keep"
-- ARGV[4] pending score in ms (with "add")
-- ARGV[5] active index: "set" | "remove" | "keep"
-- ARGV[6] active value "<machineId>|<leaseToken>" (with "set")
-- ARGV[7..] field, value pairs to write (always including the new version)
-- Returns {1} committed
--         {-1, currentVersion} version conflict: reload, decide again
--         {-3} the job does not exist
local current = redis.call('HGET', KEYS[1], 'version')
if not current then return {-3} end
if current ~= ARGV[2] then return {-1, tonumber(current)} end
redis.call('HSET', KEYS[1], unpack(ARGV, 7))
if ARGV[3] == 'add' then
  redis.call('ZADD', KEYS[2], ARGV[4], ARGV[1])
elseif ARGV[3] == 'remove' then
  redis.call('ZREM', KEYS[2], ARGV[1])
end
if ARGV[5] == 'set' then
  redis.call('HSET', KEYS[3], ARGV[1], ARGV[6])
elseif ARGV[5] == 'remove' then
  redis.call('HDEL', KEYS[3], ARGV[1])
end
return {1}
