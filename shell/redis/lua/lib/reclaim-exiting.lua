-- reclaimExiting(exitingKey, slotsKey): an exiting machine holds its slot until its stop grace has passed (scored
-- by Redis time in workers:exiting); frees the slots of those whose grace is over. Needs `now` (lib/now-ms.lua).
local function reclaimExiting(exitingKey, slotsKey)
  local over = redis.call('ZREMRANGEBYSCORE', exitingKey, '-inf', now)
  if over > 0 and redis.call('DECRBY', slotsKey, over) < 0 then redis.call('SET', slotsKey, 0) end
end
