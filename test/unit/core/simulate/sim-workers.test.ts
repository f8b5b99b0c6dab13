// The simulated workers on the core's current decisions: an idle machine leaves idleExitMs after its last task
// instead of idling out its TTL, but stays for a retry that is due; a job that may keep its machine past its TTL
// commits its whole-life cost (which admission counts) or fails over-budget when the budget has no room for it.
import { describe, expect, it } from "vitest";
import { PIXELS_1080P } from "../../../../core/simulate/job-time-model.ts";
import { seededRandom } from "../../../../core/simulate/prng.ts";
import { acceptUpload, startMachine } from "../../../../core/simulate/sim-control-plane.ts";
import { SimWorld, T } from "../../../../core/simulate/sim-world.ts";
import { runEvents } from "../../../../core/simulate/simulate-month.ts";
import { type SettingsOverrides, simulationSettings } from "../../../../core/simulate/simulation-settings.ts";

const IDLE_EXIT_MS = 20_000;

const world = (overrides: SettingsOverrides = {}) =>
  new SimWorld(
    { name: "steady", jobsPerDay: 1, days: 1 },
    simulationSettings({ crashProbability: 0, monthlyBudgetUsd: 1_000, ...overrides }),
    seededRandom(1),
    true,
  );

/** A job of `seconds` of work whose only task waits in the queue at `score` (a retry backing off until then). */
const queuedJob = (w: SimWorld, seconds: number, score: number): number => {
  const job = w.jobs.take();
  w.jobs.upload[job] = 0;
  w.jobs.queuedAt[job] = 0;
  w.jobs.failed[job] = 0;
  w.jobs.long[job] = 0;
  w.queueTask(w.newTask(job, T.Whole, seconds), score);
  return job;
};

const lifeOf = (w: SimWorld) => {
  const [machine] = w.result().trace?.machines ?? [];
  if (machine === undefined) throw new Error("no machine ran");
  return machine;
};

describe("a simulated worker's idle exit", () => {
  it("leaves idleExitMs after it registered when nothing waits", () => {
    const w = world();
    startMachine(w);
    runEvents(w);
    const life = lifeOf(w);
    expect(life.endedMs - life.startedMs).toBe(IDLE_EXIT_MS);
    expect(w.c.idleExits).toBe(1);
  });

  it("with an idle exit as long as its life, idles out to its TTL less the drain (the old behaviour)", () => {
    const w = world({ idleExitMs: 5 * 60_000 });
    startMachine(w);
    runEvents(w);
    const life = lifeOf(w);
    expect(life.endedMs - life.startedMs).toBeGreaterThanOrEqual(4 * 60_000);
    expect(life.endedMs - life.startedMs).toBeLessThan(4 * 60_000 + 3_000); // one poll interval
    expect(w.c.idleExits).toBe(0);
  });

  it("stays for a retry that comes due after its idle exit would have been, and runs it", () => {
    const w = world();
    startMachine(w);
    queuedJob(w, 10, 45_000);
    runEvents(w);
    const [run] = w.runs ?? [];
    expect(run?.startMs).toBe(45_000);
    // Then it idles again, from the task's end.
    expect(lifeOf(w).endedMs).toBe(45_000 + 10_000 + IDLE_EXIT_MS);
    expect(w.c.completed).toBe(1);
  });

  it("takes a job uploaded while it waits (nudged), and leaves idleExitMs after finishing it", () => {
    const w = world();
    startMachine(w);
    runEvents(w, 25_000);
    w.now = 25_000;
    acceptUpload(w, { preset: "default", pixels: PIXELS_1080P, durationS: 10, gopS: 2 });
    runEvents(w);
    const [run] = w.runs ?? [];
    expect(run?.startMs).toBeCloseTo(25_000 + w.s.nudgeMs, 6);
    expect(lifeOf(w).endedMs).toBeCloseTo((run?.endMs ?? Number.NaN) + IDLE_EXIT_MS, 6);
    expect(w.c.machinesStarted).toBe(1);
  });
});

describe("a simulated whole job's cost check", () => {
  // 20 minutes of 1080p web-optimized: its time limits (about 70 min) outrun the machine's 5-minute TTL.
  const longJob = { preset: "web-optimized", pixels: PIXELS_1080P, durationS: 1200, gopS: 2 } as const;

  it("commits the machine's whole-life cost, which admission counts until the machine leaves", () => {
    const w = world({ split: null });
    acceptUpload(w, longJob);
    runEvents(w, 60_000);
    expect(w.busy).toBe(1);
    const reservedUsd = w.s.admission.machineMaxCostUsd;
    expect(w.commitments).toBe(1);
    expect(w.beyondTtlUsd()).toBeGreaterThan(10 * reservedUsd);
    runEvents(w);
    expect(w.c.completed).toBe(1);
    expect(w.commitments).toBe(0);
    expect(w.beyondTtlUsd()).toBe(0);
  });

  it("fails the job over-budget, before it encodes, when the budget has no room for that cost", () => {
    const w = world({ split: null, monthlyBudgetUsd: 0.05 });
    acceptUpload(w, longJob);
    runEvents(w);
    expect(w.c.overBudget).toBe(1);
    expect(w.c.failed).toBe(1);
    expect(w.c.completed).toBe(0);
    const runs = w.runs ?? [];
    expect(runs).toHaveLength(1);
    expect((runs[0]?.endMs ?? 0) - (runs[0]?.startMs ?? 0)).toBe(w.s.jobTime.taskFixedS * 1000);
  });
});
