// Given a job and an object at a key, when a storage event (or the cron's look) reports it, then: take, refuse,
// discard or leave it.
import { describe, expect, it } from "vitest";
import { decideUploadIntake, type UploadIntakeDecision } from "../../../core/decide-upload-intake.ts";
import { foldJobEvents } from "../../../core/job-lifecycle/fold-job-events.ts";
import type { JobEvent } from "../../../core/job-lifecycle/job-events.ts";
import type { Job } from "../../../core/job-lifecycle/job-state.ts";

const T0 = 1_700_000_000_000;
const KEY = "uploads/job_aaaaaaaaaaaa/clip.mp4";
const created: JobEvent = {
  type: "created",
  jobId: "job_aaaaaaaaaaaa",
  preset: "web-optimized",
  inputKey: KEY,
  source: "upload",
  at: T0,
};
const confirmed: JobEvent = { type: "upload-confirmed", size: 1000, at: T0 + 1 };
const enqueued: JobEvent = { type: "enqueued", at: T0 + 2 };
const cancelled: JobEvent = { type: "cancelled", reason: null, at: T0 + 3 };
const job = (...events: JobEvent[]): Job => foldJobEvents(events) as Job;

const cases: {
  name: string;
  given: Job;
  declared: number | null;
  stored: { key: string; size: number };
  then: UploadIntakeDecision;
}[] = [
  {
    name: "the declared size at the job's key: accepted",
    given: job(created),
    declared: 1000,
    stored: { key: KEY, size: 1000 },
    then: { kind: "accept", size: 1000 },
  },
  {
    name: "a job with no declared size (created before sizes were required) takes what arrived",
    given: job(created),
    declared: null,
    stored: { key: KEY, size: 77 },
    then: { kind: "accept", size: 77 },
  },
  {
    name: "another key under the job's prefix is not its input",
    given: job(created),
    declared: 1000,
    stored: { key: "uploads/job_aaaaaaaaaaaa/other.mp4", size: 1000 },
    then: { kind: "ignore", reason: "not-the-input" },
  },
  {
    name: "over the limit: refused",
    given: job(created),
    declared: null,
    stored: { key: KEY, size: 5001 },
    then: { kind: "refuse", reason: "the upload is 5001 bytes; the limit is 5000" },
  },
  {
    name: "not the declared size (storage that does not enforce the signed length): refused",
    given: job(created),
    declared: 1000,
    stored: { key: KEY, size: 1001 },
    then: { kind: "refuse", reason: "the upload is 1001 bytes, not the 1000 its client declared" },
  },
  {
    name: "confirmed but never enqueued: enqueue",
    given: job(created, confirmed),
    declared: 1000,
    stored: { key: KEY, size: 1000 },
    then: { kind: "enqueue" },
  },
  {
    name: "already in the queue: nothing to do",
    given: job(created, confirmed, enqueued),
    declared: 1000,
    stored: { key: KEY, size: 1000 },
    then: { kind: "ignore", reason: "already-accepted" },
  },
  {
    name: "cancelled before the upload arrived: the upload is deleted",
    given: job(created, cancelled),
    declared: 1000,
    stored: { key: KEY, size: 1000 },
    then: { kind: "discard", reason: "the job was cancelled before its upload arrived" },
  },
  {
    name: "cancelled after its input was accepted: the input stays (retention deletes it)",
    given: job(created, confirmed, enqueued, cancelled),
    declared: 1000,
    stored: { key: KEY, size: 1000 },
    then: { kind: "ignore", reason: "job-finished" },
  },
];

describe("decideUploadIntake", () => {
  it.each(cases)("$name", ({ given, declared, stored, then }) => {
    expect(decideUploadIntake({ job: given, declaredSize: declared, stored, maxBytes: 5000 })).toEqual(then);
  });
});
