// Given / when / then: the index writes each job transition implies (pending queue, running index, webhook outbox,
// owner's unfinished jobs and spend, intake and ended indexes).
import { describe, expect, it } from "vitest";
import { foldJobEvents } from "../../../core/job-lifecycle/fold-job-events.ts";
import type { JobEvent } from "../../../core/job-lifecycle/job-events.ts";
import { type JobIndexChanges, jobIndexChanges } from "../../../core/job-lifecycle/job-index-changes.ts";
import type { Job, JobError } from "../../../core/job-lifecycle/job-state.ts";

const T0 = 1_700_000_000_000;
const CRASH: JobError = { code: "ffmpeg-crashed", message: "signal 9", retryable: true };
const BAD: JobError = { code: "invalid-input", message: "no video stream", retryable: false };

const created: JobEvent = {
  type: "created",
  jobId: "job-1",
  preset: "web-optimized",
  inputKey: "uploads/job-1/input.mp4",
  source: "upload",
  at: T0,
};
const confirmed: JobEvent = { type: "upload-confirmed", size: 1024, at: T0 + 1 };
const enqueued: JobEvent = { type: "enqueued", at: T0 + 2 };
const claimed = (leaseToken: string, attempts: number): JobEvent => ({
  type: "claimed",
  machineId: "m1",
  leaseToken,
  attempts,
  at: T0 + 3,
});
const completed: JobEvent = { type: "completed", outputs: [], costUsd: 0.25, machineSeconds: 1, at: T0 + 9 };
const failed: JobEvent = { type: "failed", error: BAD, at: T0 + 9 };
const expired: JobEvent = { type: "lease-expired", error: CRASH, availableAt: T0 + 500, at: T0 + 9 };
const retried: JobEvent = { type: "retry-requested", retryBase: 1, at: T0 + 20 };
const cancelled: JobEvent = { type: "cancelled", reason: null, at: T0 + 5 };

const PENDING = [created, confirmed, enqueued];
const RUNNING = [...PENDING, claimed("lease-1", 1)];

const KEEP = { op: "keep" } as const;
/** Every index kept, but those named. */
const changes = (named: Partial<JobIndexChanges>): JobIndexChanges => ({
  pending: KEEP,
  active: KEEP,
  finished: false,
  reopened: false,
  chargeUsd: 0,
  intake: KEEP,
  ended: KEEP,
  ...named,
});

const cases: {
  name: string;
  given: readonly JobEvent[];
  when: JobEvent;
  then: JobIndexChanges;
}[] = [
  {
    name: "upload confirmed: still waiting in the intake index, nowhere else yet",
    given: [created],
    when: confirmed,
    then: changes({ pending: { op: "keep" }, active: { op: "keep" }, finished: false }),
  },
  {
    name: "enqueued: out of the intake index, into the pending queue at its enqueue time",
    given: [created, confirmed],
    when: enqueued,
    then: changes({ pending: { op: "add", score: T0 + 2 }, intake: { op: "remove" } }),
  },
  {
    name: "claimed: out of pending, into the running index under its lease",
    given: PENDING,
    when: claimed("lease-1", 1),
    then: changes({
      pending: { op: "remove" },
      active: { op: "set", machineId: "m1", leaseToken: "lease-1" },
      finished: false,
    }),
  },
  {
    name: "completed: out of the running index, its webhook owed, its cost charged to its owner",
    given: RUNNING,
    when: completed,
    then: changes({
      active: { op: "remove" },
      finished: true,
      chargeUsd: 0.25,
      ended: { op: "add", score: T0 + 9 },
    }),
  },
  {
    name: "failed for good: out of the running index, webhook owed",
    given: RUNNING,
    when: failed,
    then: changes({ active: { op: "remove" }, finished: true, ended: { op: "add", score: T0 + 9 } }),
  },
  {
    name: "lease expired with attempts left: back to pending at its backoff, nothing owed",
    given: RUNNING,
    when: expired,
    then: changes({ pending: { op: "add", score: T0 + 500 }, active: { op: "remove" }, finished: false }),
  },
  {
    name: "cancelled while uploading: out of the intake index, ended, webhook owed",
    given: [created],
    when: cancelled,
    then: changes({ finished: true, intake: { op: "remove" }, ended: { op: "add", score: T0 + 5 } }),
  },
  {
    name: "cancelled while pending: out of the queue, webhook owed",
    given: PENDING,
    when: cancelled,
    then: changes({ pending: { op: "remove" }, finished: true, ended: { op: "add", score: T0 + 5 } }),
  },
  {
    name: "a failed job retried by its client: pending again, unfinished again, not ended, nothing owed until it finishes",
    given: [...RUNNING, failed],
    when: retried,
    then: changes({ pending: { op: "add", score: T0 + 20 }, reopened: true, ended: { op: "remove" } }),
  },
];

describe("jobIndexChanges", () => {
  it.each(cases)("$name", ({ given, when, then }) => {
    const before = foldJobEvents(given);
    const after = foldJobEvents([when], before) as Job;
    expect(after.status).not.toBe("none");
    expect(jobIndexChanges(before, after)).toEqual(then);
  });

  it("a job created straight into a finished state owes its webhook too", () => {
    const after = foldJobEvents([created, cancelled]) as Job;
    expect(jobIndexChanges({ status: "none" }, after).finished).toBe(true);
  });

  it("a job that ends after a confirmed but never enqueued upload leaves the intake index", () => {
    const before = foldJobEvents([created, confirmed]);
    const after = foldJobEvents([cancelled], before) as Job;
    expect(jobIndexChanges(before, after).intake).toEqual({ op: "remove" });
  });
});
