-- register-machine: a booted machine turns its admission reservation into a lease it must keep alive.
-- A reservation still present counts even past its boot deadline (it holds its slot until the sweep drops it).
-- A machine without one (its reservation was dropped, or a worker started by hand) takes a free slot if any.
-- KEYS[1] workers:leases
-- KEYS[2] workers:reservations
-- KEYS[3] counters:active_machines
-- ARGV[1] machine id
-- ARGV[2] lease length in ms
-- ARGV[3] max machines (slots), for a machine without a reservation
-- Returns {1, expiresAtMs} registered: the reservation became a lease (slots taken unchanged)
--         {2, expiresAtMs} already registered with a live lease (a retried call): the lease was extended
--         {3, expiresAtMs} registered without a reservation: took a free slot (slots taken + 1)
--         {-4} the machine's lease expired: it is dead for good and must exit, never register again
--         {-5, slotsTaken} no reservation and every slot is taken
-- @include lib/now-ms.lua
local expiresAt = now + tonumber(ARGV[2])
local lease = redis.call('ZSCORE', KEYS[1], ARGV[1])
if lease then
  if tonumber(lease) <= now then return {-4} end
  redis.call('ZADD', KEYS[1], expiresAt, ARGV[1])
  return {2, expiresAt}
end
if redis.call('ZREM', KEYS[2], ARGV[1]) == 1 then
  redis.call('ZADD', KEYS[1], expiresAt, ARGV[1])
  return {1, expiresAt}
end
local slots = tonumber(redis.call('GET', KEYS[3]) or '0')
if slots >= tonumber(ARGV[3]) then return {-5, slots} end
redis.call('INCR', KEYS[3])
redis.call('ZADD', KEYS[1], expiresAt, ARGV[1])
return {3, expiresAt}
