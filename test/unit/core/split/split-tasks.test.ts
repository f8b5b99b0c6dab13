// A split job's tasks take its place in the pending queue: audio at the job's queuedAt, chunk i one ms after per
// index, never later than the split itself.
import { describe, expect, it } from "vitest";
import { foldJobEvents } from "../../../../core/job-lifecycle/fold-job-events.ts";
import type { Job } from "../../../../core/job-lifecycle/job-state.ts";
import { planSplitTasks, splitTaskScore } from "../../../../core/split/split-tasks.ts";

describe("splitTaskScore", () => {
  it.each([
    ["the audio, at the job's place", 1_000, 60_000, 0, 1_000],
    ["chunk 0, just after it", 1_000, 60_000, 1, 1_001],
    ["a job with no queuedAt: the split's time", null, 60_000, 3, 60_000],
    ["never after the split itself", 59_999, 60_000, 5, 60_000],
  ] as const)("%s", (_name, queuedAt, at, order, score) => {
    expect(splitTaskScore(queuedAt, at, order)).toBe(score);
  });

  it("is the score planSplitTasks gives each pending task; the stitch waits outside the queue", () => {
    const parent = foldJobEvents([
      {
        type: "created",
        jobId: "job_1",
        preset: "web-optimized",
        inputKey: "in/job_1.mp4",
        source: "url",
        at: 2_000,
      },
      { type: "enqueued", at: 2_000 },
    ]) as Job;
    const chunks = [0, 60, 120].map((startS, index) => ({ index, startS, endS: startS + 60 }));
    const plan = planSplitTasks(parent, { chunks, durationS: 180, segmentS: 4, hasAudio: true }, 90_000);
    expect(plan.tasks.map((t) => t.pendingScore)).toEqual([
      splitTaskScore(parent.queuedAt, 90_000, 0),
      ...chunks.map((_, i) => splitTaskScore(parent.queuedAt, 90_000, 1 + i)),
      null,
    ]);
    expect(plan.tasks[0]?.pendingScore).toBe(2_000);
  });
});
