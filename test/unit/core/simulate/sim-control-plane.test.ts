// How a split job shares the simulated queue (core/split/split-tasks.ts's rule): its tasks take the job's own place,
// so a job queued after it waits for the tasks queued before it, and its stitch goes ahead of later jobs.
import { describe, expect, it } from "vitest";
import { chunkSeconds, PIXELS_720P } from "../../../../core/simulate/job-time-model.ts";
import { seededRandom } from "../../../../core/simulate/prng.ts";
import { acceptUpload, finishSplitStep, queueStitch } from "../../../../core/simulate/sim-control-plane.ts";
import { SimWorld, T } from "../../../../core/simulate/sim-world.ts";
import { SHIPPED_SPLIT, simulationSettings } from "../../../../core/simulate/simulation-settings.ts";
import type { JobSpec } from "../../../../core/simulate/workloads.ts";

const world = () =>
  new SimWorld(
    { name: "steady", jobsPerDay: 1, days: 1 },
    simulationSettings({ split: SHIPPED_SPLIT }),
    seededRandom(1),
    false,
  );
const upload = (durationS: number): JobSpec => ({
  preset: "web-optimized",
  pixels: PIXELS_720P,
  durationS,
  gopS: 2,
});
const KIND = Object.fromEntries(Object.entries(T).map(([name, kind]) => [kind, name]));

/** Claims every task claimable at `now`: "job:kind" in the order a worker would get them. */
const claimAll = (w: SimWorld, names: Record<number, string>, now: number): string[] => {
  w.now = now;
  const order: string[] = [];
  for (let task = w.claimTask(); task >= 0; task = w.claimTask()) {
    order.push(`${names[w.tasks.job[task] as number]}:${KIND[w.tasks.kind[task] as number]}`);
  }
  return order;
};

describe("a split job in the simulated queue", () => {
  it("queues its tasks at its own place: a later job waits for them, not for the job to finish", () => {
    const w = world();
    const long = acceptUpload(w, upload(600));
    w.now = 10_000;
    const early = acceptUpload(w, upload(30));
    const names: Record<number, string> = { [long]: "long", [early]: "early" };
    // The long job is claimed first, to be split (the probe and keyframe scan); the short one would run whole.
    w.now = 15_000;
    expect(`${names[w.tasks.job[w.claimTask()] as number]}`).toBe("long");
    // It is split at 30 s; a job uploaded after that comes after every task queued before it.
    w.now = 30_000;
    finishSplitStep(w, long);
    w.now = 40_000;
    const late = acceptUpload(w, upload(30));
    names[late] = "late";
    const chunks = Array.from({ length: 10 }, () => "long:Chunk");
    expect(claimAll(w, names, 40_000)).toEqual(["long:Audio", ...chunks, "early:Whole", "late:Whole"]);
    expect(w.c.chunkTasks).toBe(10);
  });

  it("queues the stitch at the job's place, ahead of jobs that came after it", () => {
    const w = world();
    const long = acceptUpload(w, upload(300));
    w.now = 1_000;
    w.claimTask();
    finishSplitStep(w, long);
    const names: Record<number, string> = { [long]: "long" };
    expect(claimAll(w, names, 5_000)).toEqual(["long:Audio", ...Array(5).fill("long:Chunk")]);
    w.now = 60_000;
    const late = acceptUpload(w, upload(20));
    names[late] = "late";
    w.now = 90_000;
    queueStitch(w, long);
    expect(claimAll(w, names, 90_000)).toEqual(["long:Stitch", "late:Whole"]);
  });

  it("cuts an HLS job on the segment grid, an MP4 job at its keyframes, as the worker does", () => {
    const w = world();
    const hls = acceptUpload(w, { ...upload(250), preset: "hls" });
    const mp4 = acceptUpload(w, { ...upload(250), gopS: 7 });
    const plain = acceptUpload(w, { ...upload(250), preset: "default" });
    const names = { [hls]: "hls", [mp4]: "mp4", [plain]: "default" };
    expect(claimAll(w, names, 1_000)).toEqual(["hls:Split", "mp4:Split", "default:Whole"]);
    finishSplitStep(w, hls);
    finishSplitStep(w, mp4);
    const chunkMs = new Map<number, number[]>();
    for (let task = w.claimTask(); task >= 0; task = w.claimTask()) {
      const job = w.tasks.job[task] as number;
      if (w.tasks.kind[task] === T.Chunk)
        chunkMs.set(job, [...(chunkMs.get(job) ?? []), w.tasks.workMs[task] as number]);
    }
    const expected = (preset: "hls" | "web-optimized", lengths: number[]) =>
      lengths.map(
        (durationS) => chunkSeconds({ preset, pixels: PIXELS_720P, durationS }, w.s.jobTime) * 1000,
      );
    // HLS: 60, 120, 180 (the 10 s tail joins the last chunk); MP4: the 7 s keyframes nearest them, 63, 119, 182.
    expect(chunkMs.get(hls)).toEqual(expected("hls", [60, 60, 60, 70]));
    expect(chunkMs.get(mp4)).toEqual(expected("web-optimized", [63, 56, 63, 68]));
  });

  it("counts every waiting task in the backlog, as jobs:pending's ZCARD does", () => {
    const w = world();
    const long = acceptUpload(w, upload(600));
    acceptUpload(w, upload(30));
    expect(w.pending.size).toBe(2);
    w.claimTask();
    finishSplitStep(w, long);
    expect(w.pending.size).toBe(1 + 1 + 10);
  });
});
