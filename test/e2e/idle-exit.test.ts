// Zero idle cost: after a batch, the machines leave on their own once they have been idle for WORKER_IDLE_EXIT_MS
// (passed to them by the control plane), long before their TTL, giving their slots back; none is left running.
import { describe, expect, it } from "vitest";
import { eventually, expectNothingLeft, stackPerFile } from "./e2e-stack.ts";

const JOBS = 6;
/** Far beyond the test's reach: a machine that leaves did so because it was idle, not because its time was up. */
const WORKER_TTL_MS = 30 * 60_000;
const IDLE_EXIT_MS = 3_000;

const file = stackPerFile({
  vars: {
    MAX_MACHINES: "2",
    SPAWN_RATE_MAX: "50",
    WORKER_TTL_MS: String(WORKER_TTL_MS),
    WORKER_DRAIN_MS: "60000",
    WORKER_MAX_JOBS: "100",
    WORKER_IDLE_EXIT_MS: String(IDLE_EXIT_MS),
  },
});

describe("idle machines after a batch", () => {
  it("exit on their own for idleness, long before their TTL, and give their slots back", async () => {
    const e2e = file.current;
    const input = file.media["no-audio-3s.mp4"];
    const uploads = await Promise.all(
      Array.from({ length: JOBS }, (_, i) => e2e.client.upload(input, "default", `idle-${i}.mp4`)),
    );
    const jobs = await Promise.all(uploads.map((u) => e2e.client.waitFor(u.jobId, { timeoutMs: 120_000 })));
    expect(jobs.map((job) => job.status)).toEqual(Array(JOBS).fill("completed"));

    const { launcher } = e2e.stack;
    // Bounded by the test, not timed: with a 30 min TTL only idleness can end them within a minute.
    await eventually(
      () => launcher.live() === 0,
      60_000,
      () => `machines still alive: [${launcher.liveIds().join(", ")}]`,
    );
    const records = launcher.records();
    expect(records.length).toBeGreaterThanOrEqual(1);
    for (const record of records) {
      const events = e2e.workerEvents().filter((event) => event.machine === record.id);
      const exit = events.find((event) => event.event === "worker-exit");
      expect(exit?.reason, `machine ${record.id}: ${JSON.stringify(events.map((e) => e.event))}`).toMatch(
        /^idle after \d+ job\(s\)$/,
      );
      expect(events.find((event) => event.event === "worker-released")).toMatchObject({ reason: "idle" });
      expect(record.exitCode).toBe(0);
    }
    await expectNothingLeft(e2e, 20_000);
  });
});
