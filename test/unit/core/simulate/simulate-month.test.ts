// The month simulator: a seed replays a run; every upload ends up somewhere; machines never run two tasks, tasks
// never run twice at once, the cap holds; machine time and cost add up; splitting shortens long files' wait.
import { describe, expect, it } from "vitest";
import { pricePerSecondUsd } from "../../../../core/price-machine-time.ts";
import { DEFAULT_JOB_TIME_MODEL } from "../../../../core/simulate/job-time-model.ts";
import { seededRandom } from "../../../../core/simulate/prng.ts";
import { simulateMonth } from "../../../../core/simulate/simulate-month.ts";
import type { SimulationResult } from "../../../../core/simulate/simulation-result.ts";
import {
  type SettingsOverrides,
  SHIPPED_SPLIT,
  simulationSettings,
} from "../../../../core/simulate/simulation-settings.ts";
import type { Workload } from "../../../../core/simulate/workloads.ts";

const NO_BUDGET = Number.POSITIVE_INFINITY;
const steady = (jobsPerDay: number, days: number): Workload => ({ name: "steady", jobsPerDay, days });
const run = (workload: Workload, overrides: SettingsOverrides, seed = 1) =>
  simulateMonth(
    workload,
    simulationSettings({ monthlyBudgetUsd: NO_BUDGET, ...overrides }),
    seededRandom(seed),
    {
      trace: true,
    },
  );

const accountedFor = (r: SimulationResult) =>
  r.completed + r.failed + r.unfinished + r.refusedBudget + r.refusedBacklog;

/** The most intervals [from, to) open at one instant. */
const mostAtOnce = (intervals: readonly (readonly [number, number])[]): number => {
  const edges = intervals.flatMap(([from, to]) => [
    [from, 1],
    [to, -1],
  ]);
  // Ends before starts at the same instant: a slot given back can be taken at once.
  edges.sort((a, b) => (a[0] as number) - (b[0] as number) || (a[1] as number) - (b[1] as number));
  let open = 0;
  let most = 0;
  for (const [, step] of edges) {
    open += step as number;
    most = Math.max(most, open);
  }
  return most;
};

describe("simulateMonth", () => {
  it("replays the same month for the same seed, and another for another seed", () => {
    const a = run(steady(200, 3), { maxMachines: 5 }, 7);
    const b = run(steady(200, 3), { maxMachines: 5 }, 7);
    const c = run(steady(200, 3), { maxMachines: 5 }, 8);
    expect(b).toEqual(a);
    expect(c.arrived === a.arrived && c.costUsd === a.costUsd).toBe(false);
  });

  it("gives every variant of a seed the same uploads", () => {
    const seed = run(steady(300, 2), { maxMachines: 5 });
    const oneJob = run(steady(300, 2), { maxMachines: 50, maxJobs: 1, split: SHIPPED_SPLIT });
    expect(oneJob.arrived).toBe(seed.arrived);
  });

  type Case = readonly [string, SettingsOverrides & { readonly maxMachines: number }];
  it.each<Case>([
    ["the seed's settings", { maxMachines: 5 }],
    ["one job per machine, cap 50, split", { maxMachines: 50, maxJobs: 1, split: SHIPPED_SPLIT }],
    ["machines that often die mid-task", { maxMachines: 5, crashProbability: 0.05, split: SHIPPED_SPLIT }],
    ["an overloaded cap of 1 with a short backlog", { maxMachines: 1, maxPendingJobs: 3 }],
  ])("accounts for every upload, one task per machine and one machine per task: %s", (_name, overrides) => {
    const r = run(steady(800, 2), overrides);
    const cap = overrides.maxMachines;
    expect(r.arrived).toBeGreaterThan(1000);
    expect(accountedFor(r)).toBe(r.arrived);
    expect(r.unfinished).toBe(0);
    expect(r.latencyS.count).toBe(r.completed);
    const trace = r.trace;
    if (trace === null) throw new Error("no trace");
    // Never two runs of one task at once, never two runs on one machine at once.
    for (const key of ["task", "machine"] as const) {
      const byKey = new Map<number, (typeof trace.runs)[number][]>();
      for (const x of trace.runs) byKey.set(x[key], [...(byKey.get(x[key]) ?? []), x]);
      for (const runs of byKey.values()) {
        expect(mostAtOnce(runs.map((x) => [x.startMs, x.endMs]))).toBeLessThanOrEqual(1);
      }
    }
    // Each run inside its machine's life; the machines alive at once never above the cap.
    const lives = new Map(trace.machines.map((m) => [m.machine, m]));
    for (const x of trace.runs) {
      const life = lives.get(x.machine);
      expect(life).toBeDefined();
      expect(x.startMs).toBeGreaterThanOrEqual(life?.startedMs ?? Number.NaN);
      expect(x.endMs).toBeLessThanOrEqual(life?.endedMs ?? Number.NaN);
    }
    // A machine holds its place from its create until its slot frees (stop grace, or the sweep of a dead one).
    expect(mostAtOnce(trace.machines.map((m) => [m.createdMs, m.slotFreedMs]))).toBeLessThanOrEqual(cap);
    expect(r.maxMachinesAtOnce).toBeLessThanOrEqual(cap);
    expect(trace.machines).toHaveLength(r.machinesStarted);
    if (overrides.maxPendingJobs !== undefined) expect(r.refusedBacklog).toBeGreaterThan(0);
    if (overrides.crashProbability !== undefined) expect(r.requeues).toBeGreaterThan(0);
  });

  it("with one job per machine, bills at least a boot and a job's time per job", () => {
    // Every task takes exactly 30 s, so the bound is exact arithmetic.
    const fixed = {
      ...DEFAULT_JOB_TIME_MODEL,
      encode: Object.fromEntries(
        Object.keys(DEFAULT_JOB_TIME_MODEL.encode).map((preset) => [preset, { p720: 0, p1080: 0 }]),
      ) as unknown as typeof DEFAULT_JOB_TIME_MODEL.encode,
      taskFixedS: 30,
      transferSPerMediaS: 0,
    };
    const settings = { maxMachines: 50, maxJobs: 1, crashProbability: 0, jobTime: fixed, bootMs: 10_000 };
    const r = run(steady(500, 2), settings);
    const minBootS = 10 * (1 - simulationSettings().bootJitter);
    expect(r.completed).toBe(r.arrived);
    expect(r.machinesStarted).toBeGreaterThanOrEqual(r.completed);
    expect(r.busySeconds).toBeCloseTo(r.completed * 30, 3);
    expect(r.machineSeconds).toBeGreaterThanOrEqual(r.completed * (minBootS + 30));
  });

  it("charges exactly the guest's price for the machine time it bills", () => {
    const r = run(steady(500, 3), { maxMachines: 5 });
    const settings = simulationSettings();
    const perSecond = pricePerSecondUsd(settings.guest, settings.prices);
    expect(r.machineSeconds).toBeCloseTo(r.bootSeconds + r.busySeconds + r.idleSeconds, 3);
    // Fly bills each machine to the millionth of a dollar.
    expect(Math.abs(r.costUsd - perSecond * r.machineSeconds)).toBeLessThanOrEqual(r.machinesStarted * 5e-7);
    expect(r.costUsd).toBeGreaterThan(0);
  });

  it("splitting long files cuts their p95 when the cap has room for the chunks", () => {
    const longFiles: Workload = { name: "long-files", jobsPerDay: 400, days: 5 };
    const whole = run(longFiles, { maxMachines: 50 });
    const split = run(longFiles, { maxMachines: 50, split: SHIPPED_SPLIT });
    expect(whole.longLatencyS.count).toBeGreaterThan(5);
    expect(split.splitJobs).toBeGreaterThan(0);
    expect(split.longLatencyS.p95).toBeLessThan(whole.longLatencyS.p95 / 2);
  });

  it("leaves idle machines after idleExitMs: far less idle time than idling out the TTL, little more boot", () => {
    const idleExit = run(steady(300, 3), { maxMachines: 5 });
    const ttlIdle = run(steady(300, 3), { maxMachines: 5, idleExitMs: 5 * 60_000 });
    expect(idleExit.idleExits).toBeGreaterThan(0);
    expect(ttlIdle.idleExits).toBe(0);
    expect(idleExit.idleSeconds).toBeLessThan(ttlIdle.idleSeconds / 2);
    expect(idleExit.costUsd).toBeLessThan(ttlIdle.costUsd);
    expect(idleExit.completed).toBe(ttlIdle.completed);
  });

  it("refuses uploads once the budget has no room for another machine: none it accepted is left unrun", () => {
    const budget = 1;
    const settings = simulationSettings({ maxMachines: 5, monthlyBudgetUsd: budget });
    const r = simulateMonth(steady(500, 10), settings, seededRandom(3));
    // Acceptance and admission count the budget alike: every accepted upload found a machine.
    expect(r.unfinished).toBe(0);
    expect(r.refusedBudget).toBeGreaterThan(0);
    expect(r.spentUsd).toBeLessThanOrEqual(budget);
    expect(accountedFor(r)).toBe(r.arrived);
  });

  it.each([
    ["cap 50, 2,000 a day", 2_000, 5, 2],
    ["cap 50 overloaded: 100,000 a day, the backlog full", 100_000, 1, 10],
  ])("%s: no accepted upload is stranded when the budget runs out", (_name, perDay, days, budget) => {
    const settings = simulationSettings({ maxMachines: 50, monthlyBudgetUsd: budget, split: SHIPPED_SPLIT });
    const r = simulateMonth(steady(perDay, days), settings, seededRandom(4));
    expect(r.unfinished).toBe(0);
    expect(r.refusedBudget).toBeGreaterThan(0);
  });
});
