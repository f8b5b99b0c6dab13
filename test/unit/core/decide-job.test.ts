// Given / when / then tables for the job lifecycle decider: every command in every status, fencing, retries.
import { describe, expect, it } from "vitest";
import { type JobRetryPolicy, jobRetryPolicy } from "../../../core/decide-job-retry.ts";
import { applyJobCommand } from "../../../core/job-lifecycle/apply-job-command.ts";
import { decideJob } from "../../../core/job-lifecycle/decide-job.ts";
import { foldJobEvents } from "../../../core/job-lifecycle/fold-job-events.ts";
import type { JobCommand, JobCommandType } from "../../../core/job-lifecycle/job-commands.ts";
import type { JobEvent } from "../../../core/job-lifecycle/job-events.ts";
import { isIdempotentDuplicate, type JobRejectionCode } from "../../../core/job-lifecycle/job-rejection.ts";
import type { JobError } from "../../../core/job-lifecycle/job-state.ts";
import type { JobStatus } from "../../../core/job-status.ts";

const T0 = 1_700_000_000_000;
const POLICY: JobRetryPolicy = jobRetryPolicy({ maxAttempts: 3, baseDelayMs: 1_000, maxDelayMs: 10_000 });
const RETRYABLE: JobError = {
  code: "ffmpeg-crashed",
  message: "ffmpeg exited with signal 9",
  retryable: true,
};
const BAD_MEDIA: JobError = { code: "invalid-input", message: "no video stream", retryable: false };

// Events that put a job in each status (attempts 0 before the first claim).
const created = (source: "upload" | "url" = "upload"): JobEvent => ({
  type: "created",
  jobId: "job-1",
  preset: "web-optimized",
  inputKey: "uploads/job-1/input.mp4",
  source,
  at: T0,
});
const confirmed: JobEvent = { type: "upload-confirmed", size: 1_048_576, at: T0 + 1_000 };
const enqueued: JobEvent = { type: "enqueued", at: T0 + 2_000 };
const claimed = (attempts: number, leaseToken: string, at = T0 + 3_000): JobEvent => ({
  type: "claimed",
  machineId: "machine-a",
  leaseToken,
  attempts,
  at,
});
const PENDING = [created(), confirmed, enqueued];
const RUNNING = [...PENDING, claimed(1, "lease-1")];

const HISTORY: Record<JobStatus | "none", readonly JobEvent[]> = {
  none: [],
  uploading: [created()],
  queued: [created(), confirmed],
  pending: PENDING,
  running: RUNNING,
  completed: [
    ...RUNNING,
    { type: "completed", outputs: [], costUsd: 0.01, machineSeconds: 30, at: T0 + 9_000 },
  ],
  failed: [...RUNNING, { type: "failed", error: BAD_MEDIA, at: T0 + 9_000 }],
  cancelled: [created(), { type: "cancelled", reason: null, at: T0 + 500 }],
};

// One command of each type; lease-fenced ones carry the running job's token.
const AT = T0 + 10_000;
const COMMAND: Record<JobCommandType, JobCommand> = {
  create: {
    type: "create",
    jobId: "job-1",
    preset: "web-optimized",
    inputKey: "uploads/job-1/input.mp4",
    source: "upload",
    at: AT,
  },
  "confirm-upload": { type: "confirm-upload", size: 1_048_576, at: AT },
  enqueue: { type: "enqueue", at: AT },
  claim: { type: "claim", machineId: "machine-b", leaseToken: "lease-2", at: AT },
  "report-progress": { type: "report-progress", leaseToken: "lease-1", percent: 50, at: AT },
  complete: {
    type: "complete",
    leaseToken: "lease-1",
    outputs: [],
    costUsd: 0.02,
    machineSeconds: 40,
    at: AT,
  },
  fail: { type: "fail", leaseToken: "lease-1", error: RETRYABLE, at: AT },
  retry: { type: "retry", at: AT },
  cancel: { type: "cancel", reason: "user asked", at: AT },
  "expire-upload": { type: "expire-upload", reason: "upload-expired: no upload arrived", at: AT },
  "expire-lease": { type: "expire-lease", leaseToken: "lease-1", at: AT },
};

// The whole transition table: an event type means accepted, "!code" means rejected with that code.
const MATRIX: Record<JobStatus | "none", Record<JobCommandType, string>> = {
  none: {
    create: "created",
    "confirm-upload": "!not-found",
    enqueue: "!not-found",
    claim: "!not-found",
    "report-progress": "!not-found",
    complete: "!not-found",
    fail: "!not-found",
    retry: "!not-found",
    cancel: "!not-found",
    "expire-upload": "!not-found",
    "expire-lease": "!not-found",
  },
  uploading: {
    create: "!already-exists",
    "confirm-upload": "upload-confirmed",
    enqueue: "!invalid-transition",
    claim: "!invalid-transition",
    "report-progress": "!invalid-transition",
    complete: "!invalid-transition",
    fail: "!invalid-transition",
    retry: "!invalid-transition",
    cancel: "cancelled",
    "expire-upload": "cancelled",
    "expire-lease": "!invalid-transition",
  },
  queued: {
    create: "!already-exists",
    "confirm-upload": "!already-confirmed",
    enqueue: "enqueued",
    claim: "!invalid-transition",
    "report-progress": "!invalid-transition",
    complete: "!invalid-transition",
    fail: "!invalid-transition",
    retry: "!invalid-transition",
    cancel: "cancelled",
    "expire-upload": "!invalid-transition",
    "expire-lease": "!invalid-transition",
  },
  pending: {
    create: "!already-exists",
    "confirm-upload": "!already-confirmed",
    enqueue: "!invalid-transition",
    claim: "claimed",
    "report-progress": "!invalid-transition",
    complete: "!invalid-transition",
    fail: "!invalid-transition",
    retry: "!invalid-transition",
    cancel: "cancelled",
    "expire-upload": "!invalid-transition",
    "expire-lease": "!invalid-transition",
  },
  running: {
    create: "!already-exists",
    "confirm-upload": "!already-confirmed",
    enqueue: "!invalid-transition",
    claim: "!invalid-transition",
    "report-progress": "progress-reported",
    complete: "completed",
    fail: "retry-scheduled",
    retry: "!invalid-transition",
    cancel: "cancelled",
    "expire-upload": "!invalid-transition",
    "expire-lease": "lease-expired",
  },
  completed: {
    create: "!already-exists",
    "confirm-upload": "!already-confirmed",
    enqueue: "!already-terminal",
    claim: "!already-terminal",
    "report-progress": "!already-terminal",
    complete: "!already-terminal",
    fail: "!already-terminal",
    retry: "!already-terminal",
    cancel: "!already-terminal",
    "expire-upload": "!already-terminal",
    "expire-lease": "!already-terminal",
  },
  failed: {
    create: "!already-exists",
    "confirm-upload": "!already-confirmed",
    enqueue: "!already-terminal",
    claim: "!already-terminal",
    "report-progress": "!already-terminal",
    complete: "!already-terminal",
    fail: "!already-terminal",
    retry: "retry-requested",
    cancel: "!already-terminal",
    "expire-upload": "!already-terminal",
    "expire-lease": "!already-terminal",
  },
  cancelled: {
    create: "!already-exists",
    "confirm-upload": "!already-terminal",
    enqueue: "!already-terminal",
    claim: "!already-terminal",
    "report-progress": "!already-terminal",
    complete: "!already-terminal",
    fail: "!already-terminal",
    retry: "!already-terminal",
    cancel: "!already-terminal",
    "expire-upload": "!already-terminal",
    "expire-lease": "!already-terminal",
  },
};

const outcome = (given: readonly JobEvent[], when: JobCommand, policy = POLICY): string =>
  decideJob(when, foldJobEvents(given), policy).match(
    (events) => events.map((e) => e.type).join(","),
    (rejection) => `!${rejection.code}`,
  );

const matrixCases = Object.entries(MATRIX).flatMap(([status, row]) =>
  Object.entries(row).map(([command, then]) => ({ status: status as JobStatus | "none", command, then })),
);

describe("decideJob transition table", () => {
  it.each(matrixCases)("given $status, when $command, then $then", ({ status, command, then }) => {
    const given = HISTORY[status];
    expect(foldJobEvents(given).status).toBe(status);
    expect(outcome(given, COMMAND[command as JobCommandType])).toBe(then);
  });

  it.each(matrixCases.filter((c) => c.then.startsWith("!")))(
    "a rejection of $command in $status reports that status and a message",
    ({ status, command }) => {
      const result = decideJob(COMMAND[command as JobCommandType], foldJobEvents(HISTORY[status]), POLICY);
      expect(result._unsafeUnwrapErr()).toMatchObject({ status, message: expect.stringMatching(/\S/) });
    },
  );
});

interface Scenario {
  readonly name: string;
  readonly given: readonly JobEvent[];
  readonly when: JobCommand;
  readonly policy?: JobRetryPolicy;
  readonly then: readonly JobEvent[] | JobRejectionCode;
}

const AFTER_EXPIRY = [
  ...RUNNING,
  { type: "lease-expired", error: RETRYABLE, availableAt: T0 + 5_000, at: T0 + 4_000 },
] as const satisfies readonly JobEvent[];

const scenarios: Scenario[] = [
  // Creation
  {
    name: "create from a URL starts queued (no upload to confirm)",
    given: [],
    when: { ...COMMAND.create, source: "url" } as JobCommand,
    then: [{ ...created("url"), at: AT }],
  },
  // Duplicate storage events
  {
    name: "duplicate confirm-upload on a queued job is already-confirmed",
    given: HISTORY.queued,
    when: COMMAND["confirm-upload"],
    then: "already-confirmed",
  },
  {
    name: "confirm-upload on a URL job is already-confirmed",
    given: [created("url")],
    when: COMMAND["confirm-upload"],
    then: "already-confirmed",
  },
  {
    name: "confirm-upload on a job cancelled after its upload was confirmed is already-confirmed",
    given: [...HISTORY.queued, { type: "cancelled", reason: null, at: T0 + 1_500 }],
    when: COMMAND["confirm-upload"],
    then: "already-confirmed",
  },
  // Claims
  {
    name: "a claim counts an attempt",
    given: PENDING,
    when: COMMAND.claim,
    then: [{ type: "claimed", machineId: "machine-b", leaseToken: "lease-2", attempts: 1, at: AT }],
  },
  {
    name: "a claim before the retry backoff ends is not-yet-available",
    given: AFTER_EXPIRY,
    when: { ...COMMAND.claim, at: T0 + 4_999 } as JobCommand,
    then: "not-yet-available",
  },
  {
    name: "a claim when the backoff ends is accepted as the second attempt",
    given: AFTER_EXPIRY,
    when: { ...COMMAND.claim, at: T0 + 5_000 } as JobCommand,
    then: [{ type: "claimed", machineId: "machine-b", leaseToken: "lease-2", attempts: 2, at: T0 + 5_000 }],
  },
  // Fencing
  {
    name: "progress with another token on a running job is stale-lease",
    given: RUNNING,
    when: { ...COMMAND["report-progress"], leaseToken: "lease-x" } as JobCommand,
    then: "stale-lease",
  },
  {
    name: "complete with another token on a running job is stale-lease",
    given: RUNNING,
    when: { ...COMMAND.complete, leaseToken: "lease-x" } as JobCommand,
    then: "stale-lease",
  },
  {
    name: "fail with another token on a running job is stale-lease",
    given: RUNNING,
    when: { ...COMMAND.fail, leaseToken: "lease-x" } as JobCommand,
    then: "stale-lease",
  },
  {
    name: "a stale sweep cannot requeue a job another worker re-claimed",
    given: [...AFTER_EXPIRY, claimed(2, "lease-2", T0 + 6_000)],
    when: COMMAND["expire-lease"],
    then: "stale-lease",
  },
  {
    name: "the first worker completing after its lease expired is stale-lease",
    given: AFTER_EXPIRY,
    when: COMMAND.complete,
    then: "stale-lease",
  },
  {
    name: "the first worker reporting after the job was re-claimed is stale-lease",
    given: [...AFTER_EXPIRY, claimed(2, "lease-2", T0 + 6_000)],
    when: COMMAND["report-progress"],
    then: "stale-lease",
  },
  {
    name: "a worker reporting on a job cancelled while running learns it is terminal",
    given: [...RUNNING, { type: "cancelled", reason: null, at: T0 + 4_000 }],
    when: COMMAND["report-progress"],
    then: "already-terminal",
  },
  // Progress
  {
    name: "progress below the attempt's progress is progress-regressed",
    given: [...RUNNING, { type: "progress-reported", percent: 60, at: T0 + 4_000 }],
    when: COMMAND["report-progress"],
    then: "progress-regressed",
  },
  {
    name: "progress equal to the current progress is accepted",
    given: [...RUNNING, { type: "progress-reported", percent: 50, at: T0 + 4_000 }],
    when: COMMAND["report-progress"],
    then: [{ type: "progress-reported", percent: 50, at: AT }],
  },
  {
    name: "a new attempt starts its progress from 0",
    given: [
      ...RUNNING,
      { type: "progress-reported", percent: 80, at: T0 + 3_500 },
      ...AFTER_EXPIRY.slice(RUNNING.length),
      claimed(2, "lease-2", T0 + 6_000),
    ],
    when: { ...COMMAND["report-progress"], leaseToken: "lease-2", percent: 10 } as JobCommand,
    then: [{ type: "progress-reported", percent: 10, at: AT }],
  },
  // Completion
  {
    name: "complete records outputs and cost",
    given: RUNNING,
    when: {
      ...COMMAND.complete,
      outputs: [{ type: "video", key: "out/job-1/video.mp4", contentType: "video/mp4", size: 10 }],
    } as JobCommand,
    then: [
      {
        type: "completed",
        outputs: [{ type: "video", key: "out/job-1/video.mp4", contentType: "video/mp4", size: 10 }],
        costUsd: 0.02,
        machineSeconds: 40,
        at: AT,
      },
    ],
  },
  // Failures and the retry policy
  {
    name: "a retryable failure on attempt 1 of 3 is retried after the base delay",
    given: RUNNING,
    when: COMMAND.fail,
    then: [{ type: "retry-scheduled", error: RETRYABLE, availableAt: AT + 1_000, at: AT }],
  },
  {
    name: "a retryable failure on attempt 2 of 3 waits twice as long",
    given: [...AFTER_EXPIRY, claimed(2, "lease-2", T0 + 6_000)],
    when: { ...COMMAND.fail, leaseToken: "lease-2" } as JobCommand,
    then: [{ type: "retry-scheduled", error: RETRYABLE, availableAt: AT + 2_000, at: AT }],
  },
  {
    name: "a retryable failure on the last attempt fails the job",
    given: [...PENDING, claimed(3, "lease-3")],
    when: { ...COMMAND.fail, leaseToken: "lease-3" } as JobCommand,
    then: [{ type: "failed", error: RETRYABLE, at: AT }],
  },
  {
    name: "a non-retryable failure fails the job on its first attempt",
    given: RUNNING,
    when: { ...COMMAND.fail, error: BAD_MEDIA } as JobCommand,
    then: [{ type: "failed", error: BAD_MEDIA, at: AT }],
  },
  {
    name: "the policy is an argument: with maxAttempts 1 the first retryable failure is final",
    given: RUNNING,
    when: COMMAND.fail,
    policy: jobRetryPolicy({ maxAttempts: 1 }),
    then: [{ type: "failed", error: RETRYABLE, at: AT }],
  },
  // Client retry
  {
    name: "a client retry of a failed job records the retry base",
    given: [...PENDING, claimed(3, "lease-3"), { type: "failed", error: RETRYABLE, at: T0 + 9_000 }],
    when: COMMAND.retry,
    then: [{ type: "retry-requested", retryBase: 3, at: AT }],
  },
  {
    name: "after a client retry, attempt 4 is the first of a fresh budget",
    given: [
      ...PENDING,
      claimed(3, "lease-3"),
      { type: "failed", error: RETRYABLE, at: T0 + 9_000 },
      { type: "retry-requested", retryBase: 3, at: T0 + 9_500 },
      claimed(4, "lease-4", T0 + 9_600),
    ],
    when: { ...COMMAND.fail, leaseToken: "lease-4" } as JobCommand,
    then: [{ type: "retry-scheduled", error: RETRYABLE, availableAt: AT + 1_000, at: AT }],
  },
  // Cancel
  {
    name: "cancel keeps the reason",
    given: PENDING,
    when: COMMAND.cancel,
    then: [{ type: "cancelled", reason: "user asked", at: AT }],
  },
  {
    name: "cancel without a reason records null",
    given: RUNNING,
    when: { type: "cancel", at: AT },
    then: [{ type: "cancelled", reason: null, at: AT }],
  },
  {
    name: "an upload that never came is cancelled with the expiry's reason",
    given: [created()],
    when: COMMAND["expire-upload"],
    then: [{ type: "cancelled", reason: "upload-expired: no upload arrived", at: AT }],
  },
];

describe("decideJob scenarios", () => {
  it.each(scenarios)("$name", ({ given, when, policy, then }) => {
    const result = decideJob(when, foldJobEvents(given), policy ?? POLICY);
    if (typeof then === "string") expect(result._unsafeUnwrapErr().code).toBe(then);
    else expect(result._unsafeUnwrap()).toStrictEqual(then);
  });

  it.each([{ percent: -1 }, { percent: 100.5 }, { percent: Number.NaN }])(
    "progress $percent is a bug and throws",
    ({ percent }) => {
      const when = { ...COMMAND["report-progress"], percent } as JobCommand;
      expect(() => decideJob(when, foldJobEvents(RUNNING), POLICY)).toThrow(RangeError);
    },
  );

  it("marks only already-confirmed as an idempotent duplicate", () => {
    const codes = matrixCases
      .filter((c) => c.then.startsWith("!"))
      .map((c) => c.then.slice(1) as JobRejectionCode);
    const idempotent = [...new Set(codes)].filter((code) =>
      isIdempotentDuplicate({ code, message: "", status: "queued" }),
    );
    expect(idempotent).toEqual(["already-confirmed"]);
  });
});

// Attempts counting through lease expiry: each step applies a command to the state the previous step left.
interface Step {
  readonly when: JobCommand;
  readonly then: { readonly status: JobStatus; readonly attempts: number; readonly errorCode: string | null };
}

const claim = (n: number, at: number): JobCommand => ({
  type: "claim",
  machineId: `machine-${n}`,
  leaseToken: `lease-${n}`,
  at,
});
const expire = (n: number, at: number): JobCommand => ({
  type: "expire-lease",
  leaseToken: `lease-${n}`,
  at,
});

const untilFailed: Step[] = [
  { when: claim(1, T0 + 10_000), then: { status: "running", attempts: 1, errorCode: null } },
  { when: expire(1, T0 + 20_000), then: { status: "pending", attempts: 1, errorCode: "lease-expired" } },
  { when: claim(2, T0 + 30_000), then: { status: "running", attempts: 2, errorCode: "lease-expired" } },
  { when: expire(2, T0 + 40_000), then: { status: "pending", attempts: 2, errorCode: "lease-expired" } },
  { when: claim(3, T0 + 50_000), then: { status: "running", attempts: 3, errorCode: "lease-expired" } },
  {
    when: expire(3, T0 + 60_000),
    then: { status: "failed", attempts: 3, errorCode: "lease-expired-max-attempts" },
  },
  { when: { type: "retry", at: T0 + 70_000 }, then: { status: "pending", attempts: 3, errorCode: null } },
  { when: claim(4, T0 + 80_000), then: { status: "running", attempts: 4, errorCode: null } },
  { when: expire(4, T0 + 90_000), then: { status: "pending", attempts: 4, errorCode: "lease-expired" } },
];

describe("attempts through lease expiry", () => {
  it("requeues on expired leases until maxAttempts, then fails; a client retry grants a fresh budget", () => {
    let state = foldJobEvents(PENDING);
    for (const step of untilFailed) {
      state = applyJobCommand(step.when, state, POLICY)._unsafeUnwrap().state;
      if (state.status === "none") throw new Error("the job vanished");
      expect({
        status: state.status,
        attempts: state.attempts,
        errorCode: state.error?.code ?? null,
      }).toStrictEqual(step.then);
    }
  });

  it("applyJobCommand passes rejections through unchanged", () => {
    const state = foldJobEvents(HISTORY.completed);
    expect(applyJobCommand(COMMAND.claim, state, POLICY)._unsafeUnwrapErr()).toStrictEqual(
      decideJob(COMMAND.claim, state, POLICY)._unsafeUnwrapErr(),
    );
  });
});
