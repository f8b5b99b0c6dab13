// How long a client waits before polling a job again (pure): backoff from minMs towards maxMs, lengthened by up to
// 20 % jitter, and never shorter than what the server asked for with Retry-After.

export interface WaitDelayConfig {
  readonly minMs: number;
  readonly maxMs: number;
  /** Each poll without news multiplies the delay by this. */
  readonly factor: number;
}

export const DEFAULT_WAIT_DELAY: WaitDelayConfig = { minMs: 500, maxMs: 5_000, factor: 1.5 };

export interface WaitDelayInput {
  /** Polls in a row that saw no change; 0 right after a change. */
  readonly unchangedPolls: number;
  /** From a 429/503's Retry-After, when the last poll got one. */
  readonly retryAfterMs: number | null;
  /** A random number in [0, 1) drawn by the caller. */
  readonly jitter: number;
}

export const decideWaitDelay = (
  input: WaitDelayInput,
  config: WaitDelayConfig = DEFAULT_WAIT_DELAY,
): number => {
  if (!(input.jitter >= 0 && input.jitter < 1))
    throw new RangeError(`jitter must be in [0, 1), got ${input.jitter}`);
  if (!Number.isInteger(input.unchangedPolls) || input.unchangedPolls < 0)
    throw new RangeError(`unchangedPolls must be an integer >= 0, got ${input.unchangedPolls}`);
  const exponent = Math.min(input.unchangedPolls, 52);
  const backoff = Math.min(config.maxMs, config.minMs * config.factor ** exponent) * (1 + 0.2 * input.jitter);
  return Math.round(Math.max(backoff, input.retryAfterMs ?? 0));
};
