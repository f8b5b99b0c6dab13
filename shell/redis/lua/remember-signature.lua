-- remember-signature: remembers a one-time token for a while (an accepted request signature, a webhook already
-- sent), so a second use within that time is refused. Also forgets one, so a request that failed for a transient
-- reason after being remembered can be sent again with the same signature.
-- KEYS[1] the token's key (signatures:{hex} or webhooks:{jobId}:{status}:{finishedAt})
-- ARGV[1] "remember" or "forget"
-- ARGV[2] how long to remember it, in ms (remember only)
-- Returns 1 remembered now (first use), or forgotten
--         0 already remembered (a replay), or there was nothing to forget
--         -1 unknown mode (a bug in the caller)
if ARGV[1] == 'remember' then
  if redis.call('SET', KEYS[1], '1', 'NX', 'PX', ARGV[2]) then return 1 end
  return 0
elseif ARGV[1] == 'forget' then
  return redis.call('DEL', KEYS[1])
end
return -1
