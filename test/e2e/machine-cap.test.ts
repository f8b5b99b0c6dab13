// 20 uploads at once with a cap of 5 machines: all complete, never more than 5 machines alive, and once the queue
// is empty and the workers' TTL has passed no machine is left (zero idle cost, from the launcher's record).
import { describe, expect, it } from "vitest";
import { completionsPerJob, expectNothingLeft, stackPerFile } from "./e2e-stack.ts";

const JOBS = 20;
const MAX_MACHINES = 5;
const WORKER_TTL_MS = 10_000;

const file = stackPerFile({
  vars: {
    MAX_MACHINES: String(MAX_MACHINES),
    // The cap, not the spawn rate, is what this test holds the pipeline to.
    SPAWN_RATE_MAX: "50",
    WORKER_TTL_MS: String(WORKER_TTL_MS),
    WORKER_DRAIN_MS: "3000",
    WORKER_MAX_JOBS: "3",
  },
});

describe("machine cap", () => {
  it(`runs ${JOBS} simultaneous uploads on at most ${MAX_MACHINES} machines, then leaves none running`, async () => {
    const e2e = file.current;
    const input = file.media["no-audio-3s.mp4"];
    const uploads = await Promise.all(
      Array.from({ length: JOBS }, (_, i) => e2e.client.upload(input, "default", `clip-${i}.mp4`)),
    );
    const jobs = await Promise.all(uploads.map((u) => e2e.client.waitFor(u.jobId, { timeoutMs: 150_000 })));
    expect(jobs.map((job) => job.status)).toEqual(Array(JOBS).fill("completed"));
    expect(jobs.every((job) => job.outputs.some((o) => o.type === "video" && o.size > 0))).toBe(true);

    const { launcher } = e2e.stack;
    const explain = launcher.peakIds().map((id) => {
      const events = e2e.workerEvents().filter((ev) => ev.machine === id);
      const record = launcher.records().find((r) => r.id === id);
      const span = `spawned ${new Date(record?.startedAt ?? 0).toISOString().slice(17)} exit seen ${new Date(record?.exitedAt ?? 0).toISOString().slice(17)}`;
      return `${id} (${span}): ${events.map((ev) => `${String(ev.at).slice(17)} ${ev.event}`).join(", ")}`;
    });
    expect(launcher.peakLive(), explain.join("\n")).toBeLessThanOrEqual(MAX_MACHINES);
    // More than one machine shared the work: the cap was what bounded it, not a lack of demand.
    expect(launcher.peakLive()).toBeGreaterThan(1);
    const completions = completionsPerJob(e2e);
    expect(uploads.map((u) => completions.get(u.jobId))).toEqual(Array(JOBS).fill(1));

    await expectNothingLeft(e2e, WORKER_TTL_MS + 20_000);
    // Every machine ended on its own (TTL, job budget or no free slot), none was killed or failed.
    const records = launcher.records();
    const unclean = records
      .filter((r) => r.exitCode !== 0)
      .map((r) => ({
        id: r.id,
        exitCode: r.exitCode,
        events: e2e.workerEvents().filter((ev) => ev.machine === r.id),
      }));
    expect(unclean).toEqual([]);
    // No machine outlived its TTL by more than a job's drain: the bill stops when the work does.
    for (const record of records) {
      expect((record.exitedAt ?? Number.POSITIVE_INFINITY) - record.startedAt).toBeLessThan(
        WORKER_TTL_MS + 5_000,
      );
    }
  });
});
