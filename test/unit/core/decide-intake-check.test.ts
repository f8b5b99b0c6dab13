// Given a job waiting for its input and what storage holds, when the cron looks, then: repair, wait, expire, drop.
import { describe, expect, it } from "vitest";
import {
  decideIntakeCheck,
  duration,
  firstIntakeCheckAt,
  type IntakeCheckDecision,
  type IntakeCheckInput,
} from "../../../core/decide-intake-check.ts";
import { foldJobEvents } from "../../../core/job-lifecycle/fold-job-events.ts";
import type { JobEvent } from "../../../core/job-lifecycle/job-events.ts";
import type { Job } from "../../../core/job-lifecycle/job-state.ts";

const T0 = 1_700_000_000_000;
const MIN = 60_000;
const POLICY = { graceMs: 10 * MIN, firstCheckMs: MIN, maxCheckIntervalMs: 15 * MIN };
const created: JobEvent = {
  type: "created",
  jobId: "job_aaaaaaaaaaaa",
  preset: "hls",
  inputKey: "uploads/job_aaaaaaaaaaaa/a.mp4",
  source: "upload",
  at: T0,
};
const confirmed: JobEvent = { type: "upload-confirmed", size: 10, at: T0 + 1 };
const enqueued: JobEvent = { type: "enqueued", at: T0 + 2 };
const cancelled: JobEvent = { type: "cancelled", reason: null, at: T0 + 3 };
const job = (...events: JobEvent[]): Job => foldJobEvents(events) as Job;
const uploading = job(created);
const URL_EXPIRES = T0 + 15 * MIN;

const cases: { name: string; when: IntakeCheckInput; then: IntakeCheckDecision }[] = [
  {
    name: "the input is in storage but its event never came: repair",
    when: { now: T0 + 2 * MIN, job: uploading, uploadExpiresAt: URL_EXPIRES, storedSize: 10 },
    then: { kind: "repair" },
  },
  {
    name: "even past the deadline, an input that is there is taken rather than cancelled",
    when: { now: T0 + 60 * MIN, job: uploading, uploadExpiresAt: URL_EXPIRES, storedSize: 10 },
    then: { kind: "repair" },
  },
  {
    name: "confirmed but never enqueued: repair (enqueue)",
    when: { now: T0 + 2 * MIN, job: job(created, confirmed), uploadExpiresAt: URL_EXPIRES, storedSize: null },
    then: { kind: "repair" },
  },
  {
    name: "nothing yet at the first look: look again when the job is twice as old",
    when: { now: T0 + MIN, job: uploading, uploadExpiresAt: URL_EXPIRES, storedSize: null },
    then: { kind: "wait", nextCheckAt: T0 + 2 * MIN },
  },
  {
    name: "an old job is looked at every 15 minutes at most",
    when: { now: T0 + 60 * MIN, job: uploading, uploadExpiresAt: T0 + 6 * 60 * MIN, storedSize: null },
    then: { kind: "wait", nextCheckAt: T0 + 75 * MIN },
  },
  {
    name: "the last look comes at the deadline, not after it",
    when: { now: T0 + 20 * MIN, job: uploading, uploadExpiresAt: URL_EXPIRES, storedSize: null },
    then: { kind: "wait", nextCheckAt: T0 + 25 * MIN },
  },
  {
    name: "the URL expired and the grace is over with nothing uploaded: expire with a readable reason",
    when: { now: T0 + 25 * MIN, job: uploading, uploadExpiresAt: URL_EXPIRES, storedSize: null },
    then: {
      kind: "expire",
      reason: "upload-expired: no upload arrived within 25 min (the upload URL's 15 min and a 10 min grace)",
    },
  },
  {
    name: "a multipart upload's deadline is its part URLs' (longer) expiry",
    when: { now: T0 + 25 * MIN, job: uploading, uploadExpiresAt: T0 + 6 * 60 * MIN, storedSize: null },
    then: { kind: "wait", nextCheckAt: T0 + 40 * MIN },
  },
  {
    name: "already in the queue: a stale entry, dropped",
    when: { now: T0, job: job(created, confirmed, enqueued), uploadExpiresAt: URL_EXPIRES, storedSize: 10 },
    then: { kind: "drop" },
  },
  {
    name: "cancelled: dropped",
    when: { now: T0, job: job(created, cancelled), uploadExpiresAt: URL_EXPIRES, storedSize: null },
    then: { kind: "drop" },
  },
];

describe("decideIntakeCheck", () => {
  it.each(cases)("$name", ({ when, then }) => {
    expect(decideIntakeCheck(when, POLICY)).toEqual(then);
  });

  it("looks first a minute after creation", () => {
    expect(firstIntakeCheckAt(T0, POLICY)).toBe(T0 + MIN);
  });

  it.each([
    [0, "0 s"],
    [45_000, "45 s"],
    [25 * MIN, "25 min"],
    [6 * 60 * MIN + 10 * MIN, "6 h 10 min"],
    [3_600_000 + 1_000, "1 h"],
    [15 * MIN - 600, "15 min"],
    [9 * MIN + 59_400, "9 min 59 s"],
  ])("duration(%d) = %s", (ms, text) => {
    expect(duration(ms)).toBe(text);
  });
});
