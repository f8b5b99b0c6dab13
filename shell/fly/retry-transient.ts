// Repeats a Fly call while it fails transiently (429, 5xx, timeouts), honouring Retry-After, with p-retry.
import { ResultAsync, type ResultAsync as ResultAsyncType } from "neverthrow";
import pRetry, { AbortError } from "p-retry";
import type { FlyRetry } from "./fly-config.ts";
import { type FlyError, isTransientFlyError } from "./fly-error.ts";

/** Carries a FlyError through p-retry, which only deals in thrown Errors. */
class FlyAttemptFailure extends Error {
  constructor(readonly flyError: FlyError) {
    super(`fly attempt failed: ${flyError.kind}`);
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Runs `attempt` until it succeeds, fails for good, or the retries run out; ends with the last FlyError. A 429
 * waits its Retry-After (on top of the backoff) unless that is longer than `maxRetryAfterMs`, in which case the
 * `rate-limited` error goes back to the caller to schedule. Errors other than FlyErrors are bugs and reject.
 */
export const retryTransient = <T>(
  retry: FlyRetry,
  attempt: (attemptNumber: number) => ResultAsyncType<T, FlyError>,
): ResultAsync<T, FlyError> => {
  const run = async (attemptNumber: number): Promise<T> => {
    const result = await attempt(attemptNumber);
    if (result.isOk()) return result.value;
    const failure = new FlyAttemptFailure(result.error);
    throw isTransientFlyError(result.error) ? failure : new AbortError(failure);
  };
  return ResultAsync.fromPromise(
    pRetry(run, {
      retries: retry.retries,
      minTimeout: retry.minTimeoutMs,
      maxTimeout: retry.maxTimeoutMs,
      randomize: true,
      // Anything but a transient FlyError (a thrown bug) is not repeated.
      shouldRetry: ({ error }) => error instanceof FlyAttemptFailure,
      onFailedAttempt: async ({ error, retriesLeft }) => {
        if (!(error instanceof FlyAttemptFailure) || error.flyError.kind !== "rate-limited") return;
        if (error.flyError.retryAfterMs > retry.maxRetryAfterMs) throw error;
        if (retriesLeft > 0) await sleep(error.flyError.retryAfterMs);
      },
    }),
    (error) => {
      const cause = error instanceof AbortError ? error.originalError : error;
      if (cause instanceof FlyAttemptFailure) return cause.flyError;
      throw cause;
    },
  );
};
