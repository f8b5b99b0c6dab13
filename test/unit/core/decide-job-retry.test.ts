// Given / when / then table for the job retry policy: backoff within the attempt budget, give-up otherwise.
import { describe, expect, it } from "vitest";
import {
  DEFAULT_JOB_RETRY_POLICY,
  decideJobRetry,
  type JobRetryDecision,
  type JobRetryPolicy,
  jobRetryPolicy,
} from "../../../core/decide-job-retry.ts";

const POLICY: JobRetryPolicy = { maxAttempts: 5, baseDelayMs: 1_000, maxDelayMs: 5_000 };

const cases: { name: string; attempts: number; retryable: boolean; code?: string; then: JobRetryDecision }[] =
  [
    { name: "retryable, attempt 1", attempts: 1, retryable: true, then: { kind: "retry", delayMs: 1_000 } },
    {
      name: "retryable, attempt 2 doubles",
      attempts: 2,
      retryable: true,
      then: { kind: "retry", delayMs: 2_000 },
    },
    {
      name: "retryable, attempt 3 doubles again",
      attempts: 3,
      retryable: true,
      then: { kind: "retry", delayMs: 4_000 },
    },
    {
      name: "retryable, attempt 4 is capped",
      attempts: 4,
      retryable: true,
      then: { kind: "retry", delayMs: 5_000 },
    },
    {
      name: "retryable, last attempt used",
      attempts: 5,
      retryable: true,
      then: { kind: "give-up", reason: "all 5 attempts used" },
    },
    {
      name: "retryable, past the budget",
      attempts: 9,
      retryable: true,
      then: { kind: "give-up", reason: "all 5 attempts used" },
    },
    {
      name: "not retryable, first attempt",
      attempts: 1,
      retryable: false,
      then: { kind: "give-up", reason: "the error is not retryable" },
    },
    {
      name: "an ffmpeg time limit, first attempt, even marked retryable",
      attempts: 1,
      retryable: true,
      code: "ffmpeg-timeout",
      then: {
        kind: "give-up",
        reason: "a time limit from the work would be exceeded again on the same machine",
      },
    },
    {
      name: "another code, marked retryable",
      attempts: 1,
      retryable: true,
      code: "lease-lost",
      then: { kind: "retry", delayMs: 1_000 },
    },
  ];

describe("decideJobRetry", () => {
  it.each(cases)("given $name, then $then.kind", ({ attempts, retryable, code, then }) => {
    const error = code === undefined ? { retryable } : { code, retryable };
    expect(decideJobRetry({ attempts, error }, POLICY)).toStrictEqual(then);
  });

  it.each([0, -1, 1.5])("attempts %s is a bug and throws", (attempts) => {
    expect(() => decideJobRetry({ attempts, error: { retryable: true } }, POLICY)).toThrow(RangeError);
  });
});

describe("jobRetryPolicy", () => {
  it("fills in the defaults", () => {
    expect(jobRetryPolicy()).toStrictEqual(DEFAULT_JOB_RETRY_POLICY);
    expect(jobRetryPolicy({ maxAttempts: 7 })).toStrictEqual({ ...DEFAULT_JOB_RETRY_POLICY, maxAttempts: 7 });
  });

  it.each<{ name: string; overrides: Partial<JobRetryPolicy> }>([
    { name: "zero attempts", overrides: { maxAttempts: 0 } },
    { name: "fractional attempts", overrides: { maxAttempts: 2.5 } },
    { name: "negative base delay", overrides: { baseDelayMs: -1 } },
    { name: "max delay below base delay", overrides: { baseDelayMs: 10_000, maxDelayMs: 5_000 } },
    { name: "infinite max delay", overrides: { maxDelayMs: Number.POSITIVE_INFINITY } },
  ])("throws on $name", ({ overrides }) => {
    expect(() => jobRetryPolicy(overrides)).toThrow(RangeError);
  });
});
