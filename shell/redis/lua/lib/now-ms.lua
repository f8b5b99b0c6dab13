-- now: Redis server time in ms, the one clock every lease, window and month uses.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
