-- heartbeat-machine: extends a machine's live lease. An expired or missing lease is never revived: once its lease
-- has lapsed a machine is dead for good (the sweep may already have requeued its job), which keeps sweeps stable.
-- KEYS[1] workers:leases
-- ARGV[1] machine id
-- ARGV[2] lease length in ms, from now
-- Returns {1, expiresAtMs} extended
--         {-4} no live lease (expired, released, swept, or never registered): the worker must stop and exit
-- @include lib/now-ms.lua
local lease = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not lease or tonumber(lease) <= now then return {-4} end
local expiresAt = now + tonumber(ARGV[2])
redis.call('ZADD', KEYS[1], expiresAt, ARGV[1])
return {1, expiresAt}
