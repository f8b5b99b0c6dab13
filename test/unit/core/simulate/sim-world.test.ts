// The backlog the simulated control plane reads: admission counts tasks (chunks are work), acceptance counts jobs.
import { describe, expect, it } from "vitest";
import { seededRandom } from "../../../../core/simulate/prng.ts";
import { SimWorld, T } from "../../../../core/simulate/sim-world.ts";
import { simulationSettings } from "../../../../core/simulate/simulation-settings.ts";

describe("SimWorld's backlog", () => {
  it("counts a split job's waiting chunks as tasks for admission and as one job for acceptance", () => {
    const w = new SimWorld(
      { name: "steady", jobsPerDay: 1, days: 1 },
      simulationSettings(),
      seededRandom(1),
      false,
    );
    const split = w.jobs.take();
    const whole = w.jobs.take();
    for (const job of [split, whole]) {
      w.jobs.failed[job] = 0;
      w.jobs.waiting[job] = 0;
    }
    for (let i = 0; i < 3; i++) w.queueTask(w.newTask(split, T.Chunk, 60));
    w.queueTask(w.newTask(whole, T.Whole, 30), 5_000); // backing off until 5 s
    expect(w.pendingTasks()).toBe(4);
    expect(w.pendingJobs).toBe(2);
    // The first claim takes the oldest claimable task: a chunk; the job still waits with its other two.
    expect(w.tasks.job[w.claimTask()]).toBe(split);
    expect(w.pendingJobs).toBe(2);
    w.claimTask();
    w.claimTask();
    expect(w.pendingJobs).toBe(1);
    expect(w.claimTask()).toBe(-1); // the whole job is not claimable before 5 s
    expect(w.pendingTasks()).toBe(1);
  });
});
