// Whether a failed attempt is run again, and after how long: exponential backoff within an attempt budget.

export interface JobRetryPolicy {
  /** Attempts (claims) a job may use before it fails for good; a client retry grants this many again. */
  readonly maxAttempts: number;
  /** Delay before the second attempt; doubles with each further attempt. */
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

export const DEFAULT_JOB_RETRY_POLICY: JobRetryPolicy = {
  maxAttempts: 3,
  baseDelayMs: 5_000,
  maxDelayMs: 60_000,
};

/** Builds a policy from overrides on the defaults; nonsense configuration throws. */
export const jobRetryPolicy = (overrides: Partial<JobRetryPolicy> = {}): JobRetryPolicy => {
  const policy = { ...DEFAULT_JOB_RETRY_POLICY, ...overrides };
  if (!Number.isInteger(policy.maxAttempts) || policy.maxAttempts < 1) {
    throw new RangeError(`maxAttempts must be an integer >= 1, got ${policy.maxAttempts}`);
  }
  if (!Number.isFinite(policy.baseDelayMs) || policy.baseDelayMs < 0) {
    throw new RangeError(`baseDelayMs must be a finite number >= 0, got ${policy.baseDelayMs}`);
  }
  if (!Number.isFinite(policy.maxDelayMs) || policy.maxDelayMs < policy.baseDelayMs) {
    throw new RangeError(`maxDelayMs must be finite and >= baseDelayMs, got ${policy.maxDelayMs}`);
  }
  return policy;
};

export interface JobRetryInput {
  /** Attempts used within the current budget, counting the one that just failed (so >= 1). */
  readonly attempts: number;
  readonly error: { readonly code?: string; readonly retryable: boolean };
}

/**
 * An ffmpeg command killed at its time limit. The limit comes from the work (core/ffmpeg/ffmpeg-time-limit.ts), so
 * another attempt on the same machine size would only spend the same time again: never retried, whatever the
 * reporter said (a worker image from before this rule still marks it retryable).
 */
export const FFMPEG_TIMEOUT_CODE = "ffmpeg-timeout";

export type JobRetryDecision =
  | { readonly kind: "retry"; readonly delayMs: number }
  | { readonly kind: "give-up"; readonly reason: string };

export const decideJobRetry = (input: JobRetryInput, policy: JobRetryPolicy): JobRetryDecision => {
  if (!Number.isInteger(input.attempts) || input.attempts < 1) {
    throw new RangeError(`attempts must be an integer >= 1, got ${input.attempts}`);
  }
  if (input.error.code === FFMPEG_TIMEOUT_CODE) {
    return {
      kind: "give-up",
      reason: "a time limit from the work would be exceeded again on the same machine",
    };
  }
  if (!input.error.retryable) return { kind: "give-up", reason: "the error is not retryable" };
  if (input.attempts >= policy.maxAttempts) {
    return { kind: "give-up", reason: `all ${policy.maxAttempts} attempts used` };
  }
  const delayMs = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (input.attempts - 1));
  return { kind: "retry", delayMs };
};
