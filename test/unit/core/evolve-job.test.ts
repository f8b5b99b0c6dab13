// Given / when / then table for evolveJob: the state each event leaves, and replay of a whole life.
import { describe, expect, it } from "vitest";
import { evolveJob } from "../../../core/job-lifecycle/evolve-job.ts";
import { foldJobEvents } from "../../../core/job-lifecycle/fold-job-events.ts";
import type { JobEvent } from "../../../core/job-lifecycle/job-events.ts";
import { initialJobState, type Job, type JobError } from "../../../core/job-lifecycle/job-state.ts";
import type { JobOutput } from "../../../core/job-output.ts";

const T0 = 1_700_000_000_000;
const ERROR: JobError = { code: "ffmpeg-crashed", message: "ffmpeg exited with signal 9", retryable: true };
const OUTPUT: JobOutput = {
  type: "video",
  key: "out/job-1/video.mp4",
  contentType: "video/mp4",
  size: 2_048,
};

const created: JobEvent = {
  type: "created",
  jobId: "job-1",
  preset: "hls",
  inputKey: "uploads/job-1/input.mov",
  source: "upload",
  at: T0,
};
const confirmed: JobEvent = { type: "upload-confirmed", size: 4_096, at: T0 + 1 };
const enqueued: JobEvent = { type: "enqueued", at: T0 + 2 };
const claimed: JobEvent = {
  type: "claimed",
  machineId: "machine-a",
  leaseToken: "lease-1",
  attempts: 1,
  at: T0 + 3,
};
const progressed: JobEvent = { type: "progress-reported", percent: 42, at: T0 + 4 };
const RUNNING = [created, confirmed, enqueued, claimed, progressed];
const FAILED = [...RUNNING, { type: "failed", error: ERROR, at: T0 + 5 } as const];

const NEW_UPLOAD_JOB: Job = {
  status: "uploading",
  jobId: "job-1",
  source: "upload",
  preset: "hls",
  inputKey: "uploads/job-1/input.mov",
  inputSize: null,
  attempts: 0,
  retryBase: 0,
  availableAt: null,
  leaseToken: null,
  machineId: null,
  progress: 0,
  error: null,
  outputs: [],
  costUsd: null,
  machineSeconds: null,
  cancelReason: null,
  createdAt: T0,
  queuedAt: null,
  startedAt: null,
  finishedAt: null,
  updatedAt: T0,
  version: 1,
};

const AT = T0 + 100;
const cases: { name: string; given: readonly JobEvent[]; when: JobEvent; then: Partial<Job> }[] = [
  { name: "created from an upload", given: [], when: created, then: NEW_UPLOAD_JOB },
  {
    name: "created from a URL is queued at once",
    given: [],
    when: { ...created, source: "url" },
    then: { ...NEW_UPLOAD_JOB, status: "queued", source: "url", queuedAt: T0 },
  },
  {
    name: "upload-confirmed",
    given: [created],
    when: { ...confirmed, at: AT },
    then: { status: "queued", inputSize: 4_096, queuedAt: AT },
  },
  {
    name: "enqueued",
    given: [created, confirmed],
    when: { ...enqueued, at: AT },
    then: { status: "pending", availableAt: AT },
  },
  {
    name: "claimed",
    given: [created, confirmed, enqueued],
    when: { ...claimed, at: AT },
    then: {
      status: "running",
      attempts: 1,
      leaseToken: "lease-1",
      machineId: "machine-a",
      availableAt: null,
      startedAt: AT,
    },
  },
  {
    name: "progress-reported",
    given: RUNNING,
    when: { ...progressed, percent: 77, at: AT },
    then: { progress: 77 },
  },
  {
    name: "completed",
    given: RUNNING,
    when: { type: "completed", outputs: [OUTPUT], costUsd: 0.003, machineSeconds: 12, at: AT },
    then: {
      status: "completed",
      progress: 100,
      outputs: [OUTPUT],
      costUsd: 0.003,
      machineSeconds: 12,
      leaseToken: null,
      machineId: null,
      error: null,
      finishedAt: AT,
    },
  },
  {
    name: "retry-scheduled",
    given: RUNNING,
    when: { type: "retry-scheduled", error: ERROR, availableAt: AT + 5_000, at: AT },
    then: {
      status: "pending",
      attempts: 1,
      progress: 0,
      error: ERROR,
      availableAt: AT + 5_000,
      leaseToken: null,
    },
  },
  {
    name: "lease-expired",
    given: RUNNING,
    when: { type: "lease-expired", error: ERROR, availableAt: AT + 5_000, at: AT },
    then: {
      status: "pending",
      attempts: 1,
      progress: 0,
      error: ERROR,
      availableAt: AT + 5_000,
      machineId: null,
    },
  },
  {
    name: "failed",
    given: RUNNING,
    when: { type: "failed", error: ERROR, at: AT },
    then: { status: "failed", error: ERROR, finishedAt: AT, leaseToken: null, machineId: null, progress: 42 },
  },
  {
    name: "retry-requested",
    given: FAILED,
    when: { type: "retry-requested", retryBase: 1, at: AT },
    then: {
      status: "pending",
      attempts: 1,
      retryBase: 1,
      availableAt: AT,
      progress: 0,
      error: null,
      finishedAt: null,
    },
  },
  {
    name: "cancelled while running",
    given: RUNNING,
    when: { type: "cancelled", reason: "user asked", at: AT },
    then: {
      status: "cancelled",
      cancelReason: "user asked",
      finishedAt: AT,
      leaseToken: null,
      machineId: null,
    },
  },
  {
    name: "cancelled while pending clears availability",
    given: [created, confirmed, enqueued],
    when: { type: "cancelled", reason: null, at: AT },
    then: { status: "cancelled", cancelReason: null, availableAt: null, finishedAt: AT },
  },
];

describe("evolveJob", () => {
  it.each(cases)("given a history, when $name, then the state follows", ({ given, when, then }) => {
    const before = foldJobEvents(given);
    const after = evolveJob(before, when);
    expect(after).toMatchObject(then);
    if (after.status === "none") throw new Error("the job vanished");
    expect(after.updatedAt).toBe(when.at);
    expect(after.version).toBe(given.length + 1);
  });

  it.each(cases)(
    "the state after $name is a plain JSON value with every field present",
    ({ given, when }) => {
      const state = evolveJob(foldJobEvents(given), when);
      expect(JSON.parse(JSON.stringify(state))).toStrictEqual(state);
      expect(Object.keys(state).sort()).toEqual(Object.keys(NEW_UPLOAD_JOB).sort());
    },
  );

  it("does not mutate the state it is given", () => {
    const before = foldJobEvents(RUNNING);
    const snapshot = structuredClone(before);
    evolveJob(before, { type: "completed", outputs: [OUTPUT], costUsd: 1, machineSeconds: 1, at: AT });
    expect(before).toStrictEqual(snapshot);
  });

  it.each([
    { name: "created on an existing job", given: [created], when: created },
    { name: "claimed on no job", given: [], when: claimed },
  ])("throws on an event that cannot apply: $name", ({ given, when }) => {
    expect(() => evolveJob(foldJobEvents(given), when)).toThrow();
  });

  it("starts from the non-existent job", () => {
    expect(foldJobEvents([])).toStrictEqual(initialJobState);
  });
});
