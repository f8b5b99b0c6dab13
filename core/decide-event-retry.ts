// How long a storage event waits before its next delivery when its intake failed for a passing reason (Redis
// unreachable or contended): doubling from 10 s, capped at 5 min, so an outage is ridden out, not hammered.

export const EVENT_RETRY_BASE_SECONDS = 10;
export const EVENT_RETRY_MAX_SECONDS = 300;

/** `attempts`: deliveries so far, this one included (Cloudflare's Message.attempts, from 1). */
export const eventRetryDelaySeconds = (attempts: number): number =>
  Math.min(EVENT_RETRY_MAX_SECONDS, EVENT_RETRY_BASE_SECONDS * 2 ** Math.max(0, Math.floor(attempts) - 1));
