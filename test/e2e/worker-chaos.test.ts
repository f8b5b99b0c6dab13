// Machines die mid-job: worker processes (with their ffmpeg) SIGKILLed at random during a 30-job batch. Leases
// lapse, the cron's sweep hands the jobs back, admission starts new machines: every job completes exactly once.
import { describe, expect, it } from "vitest";
import { completionsPerJob, expectNothingLeft, sleep, stackPerFile } from "./e2e-stack.ts";

const JOBS = 30;
const KILLS = 5;
// More attempts than kills: however the kills fall, no job can run out of attempts because of them.
const MAX_ATTEMPTS = KILLS + 1;
const WORKER_TTL_MS = 12_000;

const file = stackPerFile({
  // A lease lapses 3 s after its worker's last heartbeat; the cron (every second) then requeues its job.
  cronIntervalMs: 1_000,
  vars: {
    MAX_MACHINES: "5",
    SPAWN_RATE_MAX: "100",
    LEASE_MS: "3000",
    HEARTBEAT_MS: "500",
    MAX_ATTEMPTS: String(MAX_ATTEMPTS),
    WORKER_TTL_MS: String(WORKER_TTL_MS),
    WORKER_DRAIN_MS: "4000",
    WORKER_MAX_JOBS: "10",
    // A machine killed before it registered: its reservation is re-created after 2 s.
    RESPAWN_AFTER_MS: "2000",
  },
});

/** Machines whose worker has started a job and not finished it (from their logs). */
const busyMachines = (live: readonly string[]): string[] => {
  const last = new Map<string, string>();
  for (const event of file.current.workerEvents()) {
    if (event.event === "job-started" || event.event === "job-finished") last.set(event.machine, event.event);
  }
  return live.filter((id) => last.get(id) === "job-started");
};

describe("worker chaos", () => {
  it(`completes all ${JOBS} jobs exactly once while ${KILLS} busy machines are SIGKILLed`, async () => {
    const e2e = file.current;
    const input = file.media["no-audio-3s.mp4"];
    const uploads = await Promise.all(
      Array.from({ length: JOBS }, (_, i) => e2e.client.upload(input, "mobile", `chaos-${i}.mp4`)),
    );
    const { launcher } = e2e.stack;
    const killed: string[] = [];
    const done = new Set<string>();
    const finished = Promise.all(
      uploads.map(async (u) => {
        const job = await e2e.client.waitFor(u.jobId, { timeoutMs: 200_000 });
        done.add(u.jobId);
        return job;
      }),
    );
    // Kill a random busy machine every ~1.5 s while work remains.
    while (killed.length < KILLS && done.size < JOBS) {
      await sleep(1_000 + Math.random() * 1_000);
      const id = launcher.killOne((live) => {
        const busy = busyMachines(live);
        return busy[Math.floor(Math.random() * busy.length)];
      });
      if (id !== null) killed.push(id);
    }
    const jobs = await finished;

    expect(killed.length).toBe(KILLS);
    expect(jobs.map((job) => job.status)).toEqual(Array(JOBS).fill("completed"));
    const completions = completionsPerJob(e2e);
    expect(uploads.map((u) => completions.get(u.jobId))).toEqual(Array(JOBS).fill(1));
    // The kills hit running jobs, which were handed back and run again.
    expect(jobs.filter((job) => job.attempts > 1).length).toBeGreaterThanOrEqual(1);
    const killedRecords = launcher.records().filter((r) => killed.includes(r.id));
    expect(killedRecords.map((r) => r.signal)).toEqual(Array(KILLS).fill("SIGKILL"));

    await expectNothingLeft(e2e, WORKER_TTL_MS + 20_000);
  });
});
