// Given a job whose end is past the retention, then: what storage loses.
import { describe, expect, it } from "vitest";
import { foldJobEvents } from "../../../core/job-lifecycle/fold-job-events.ts";
import type { JobEvent } from "../../../core/job-lifecycle/job-events.ts";
import type { Job } from "../../../core/job-lifecycle/job-state.ts";
import { planInputRetention, retentionCutoff } from "../../../core/plan-input-retention.ts";

const T0 = 1_700_000_000_000;
const created: JobEvent = {
  type: "created",
  jobId: "job_bbbbbbbbbbbb",
  preset: "mobile",
  inputKey: "uploads/job_bbbbbbbbbbbb/in.mov",
  source: "upload",
  at: T0,
};
const pending: JobEvent[] = [
  created,
  { type: "upload-confirmed", size: 5, at: T0 },
  { type: "enqueued", at: T0 },
];
const running: JobEvent[] = [
  ...pending,
  { type: "claimed", machineId: "m", leaseToken: "l", attempts: 1, at: T0 },
];
const job = (...events: JobEvent[]): Job => foldJobEvents(events) as Job;

describe("planInputRetention", () => {
  it("a completed job loses its input and split work files a stitch left, keeps its outputs", () => {
    const done = job(...running, { type: "completed", outputs: [], costUsd: 0, machineSeconds: 1, at: T0 });
    expect(planInputRetention(done)).toEqual({
      kind: "delete",
      inputKey: "uploads/job_bbbbbbbbbbbb/in.mov",
      outputPrefixes: ["outputs/job_bbbbbbbbbbbb/split/"],
    });
  });

  it("a failed job loses its input, its preset's partial outputs and split work files, keeps its record", () => {
    const failed = job(...running, {
      type: "failed",
      error: { code: "ffmpeg-failed", message: "x", retryable: false },
      at: T0,
    });
    expect(planInputRetention(failed)).toEqual({
      kind: "delete",
      inputKey: "uploads/job_bbbbbbbbbbbb/in.mov",
      outputPrefixes: ["outputs/job_bbbbbbbbbbbb/mobile/", "outputs/job_bbbbbbbbbbbb/split/"],
    });
  });

  it("a cancelled job loses its input and any outputs a worker left", () => {
    expect(planInputRetention(job(...running, { type: "cancelled", reason: null, at: T0 }))).toEqual({
      kind: "delete",
      inputKey: "uploads/job_bbbbbbbbbbbb/in.mov",
      outputPrefixes: ["outputs/job_bbbbbbbbbbbb/"],
    });
  });

  it("a job running again (a client retry after it failed), or gone, keeps everything", () => {
    expect(planInputRetention(job(...pending))).toEqual({ kind: "keep" });
    expect(planInputRetention(null)).toEqual({ kind: "keep" });
  });

  it("the cutoff is whole days before now", () => {
    expect(retentionCutoff(T0, 7)).toBe(T0 - 7 * 86_400_000);
    expect(retentionCutoff(T0, 0)).toBe(T0);
  });
});
