-- get-job: reads one job record.
-- KEYS[1] jobs:status:{id}
-- Returns the hash as a flat field/value list; empty when the job does not exist.
return redis.call('HGETALL', KEYS[1])
