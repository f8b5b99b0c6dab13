// How long an idle worker waits before its next claim attempt: at once when work is likely, else exponential backoff.

export interface PollDelayConfig {
  /** Delay after the first empty poll. */
  readonly minMs: number;
  /** Longest delay before jitter; reached by doubling from minMs. */
  readonly maxMs: number;
  /** Jitter lengthens a backoff delay by up to this fraction (0 disables it). It never shortens one, so the idle
   *  poll rate bound holds whatever the jitter. */
  readonly jitterRatio: number;
}

export const DEFAULT_POLL_DELAY: PollDelayConfig = { minMs: 250, maxMs: 2_000, jitterRatio: 0.2 };

/** Builds a config from overrides on the defaults; nonsense configuration throws. */
export const pollDelayConfig = (overrides: Partial<PollDelayConfig> = {}): PollDelayConfig => {
  const config = { ...DEFAULT_POLL_DELAY, ...overrides };
  if (!Number.isFinite(config.minMs) || config.minMs <= 0) {
    throw new RangeError(`minMs must be a finite number > 0, got ${config.minMs}`);
  }
  if (!Number.isFinite(config.maxMs) || config.maxMs < config.minMs) {
    throw new RangeError(`maxMs must be finite and >= minMs (${config.minMs}), got ${config.maxMs}`);
  }
  if (!(config.jitterRatio >= 0 && config.jitterRatio <= 1)) {
    throw new RangeError(`jitterRatio must be within 0..1, got ${config.jitterRatio}`);
  }
  return config;
};

export interface PollDelayInput {
  /** The worker just finished a job (more work is likely queued behind it). */
  readonly justFinishedJob: boolean;
  /** Something hinted that work may be waiting (e.g. the claim reply reported more pending jobs). */
  readonly workHinted: boolean;
  /** Claim attempts in a row that found nothing; 0 before the first poll or after a successful claim. */
  readonly consecutiveEmptyPolls: number;
  /** A random number in [0, 1) drawn by the shell. */
  readonly jitter: number;
}

export type PollDelayReason = "job-finished" | "work-hinted" | "first-poll" | "backoff";

export interface PollDelayDecision {
  readonly delayMs: number;
  readonly reason: PollDelayReason;
}

export const decidePollDelay = (input: PollDelayInput, config: PollDelayConfig): PollDelayDecision => {
  if (!(input.jitter >= 0 && input.jitter < 1))
    throw new RangeError(`jitter must be in [0, 1), got ${input.jitter}`);
  if (!Number.isInteger(input.consecutiveEmptyPolls) || input.consecutiveEmptyPolls < 0) {
    throw new RangeError(`consecutiveEmptyPolls must be an integer >= 0, got ${input.consecutiveEmptyPolls}`);
  }
  if (input.justFinishedJob) return { delayMs: 0, reason: "job-finished" };
  if (input.workHinted) return { delayMs: 0, reason: "work-hinted" };
  if (input.consecutiveEmptyPolls === 0) return { delayMs: 0, reason: "first-poll" };
  // Cap the exponent so a long idle streak cannot overflow to Infinity.
  const exponent = Math.min(input.consecutiveEmptyPolls - 1, 52);
  const base = Math.min(config.maxMs, config.minMs * 2 ** exponent);
  return { delayMs: Math.round(base * (1 + config.jitterRatio * input.jitter)), reason: "backoff" };
};
