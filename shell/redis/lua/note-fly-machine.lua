-- note-fly-machine: remembers which Fly machine runs a TCoder machine id, so an idle worker can be signalled when
-- work arrives. One key, expiring on its own after the machine's longest possible life.
-- KEYS[1] workers:fly:<machineId>
-- ARGV[1] Fly machine id
-- ARGV[2] time to live in ms
-- Returns {1}
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return {1}
