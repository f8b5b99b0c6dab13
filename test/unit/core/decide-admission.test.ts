// Given / when / then table for admission: capacity, spawn rate, budget and demand.
import { describe, expect, it } from "vitest";
import {
  type AdmissionConfig,
  type AdmissionInput,
  decideAdmission,
  spawnWindowWaitMs,
} from "../../../core/decide-admission.ts";

const config: AdmissionConfig = {
  maxMachines: 5,
  spawnRate: { maxSpawns: 1, windowMs: 1000 },
  monthlyBudgetUsd: 10,
  machineMaxCostUsd: 0.5,
  capacityRetryMs: 5000,
};
const NOW = 1_700_000_000_000;
const idle: AdmissionInput = {
  now: NOW,
  recentSpawns: [],
  liveMachines: 0,
  reservedMachines: 0,
  exitingMachines: 0,
  nextExitAt: 0,
  busyMachines: 0,
  pendingJobs: 0,
  spentThisMonthUsd: 0,
  committedBeyondTtlUsd: 0,
};

const cases: {
  name: string;
  given: Partial<AdmissionInput>;
  cfg?: Partial<AdmissionConfig>;
  then: unknown;
}[] = [
  { name: "no pending work", given: {}, then: { kind: "none-needed" } },
  {
    name: "one pending job, nothing running",
    given: { pendingJobs: 1 },
    then: { kind: "admit", machines: 1 },
  },
  {
    name: "pending job covered by an idle live machine",
    given: { pendingJobs: 1, liveMachines: 1 },
    then: { kind: "none-needed" },
  },
  {
    name: "pending job covered by a machine still booting",
    given: { pendingJobs: 2, reservedMachines: 2 },
    then: { kind: "none-needed" },
  },
  {
    name: "busy machines do not count as capacity",
    given: { pendingJobs: 1, liveMachines: 2, busyMachines: 2 },
    then: { kind: "admit", machines: 1 },
  },
  {
    name: "at the machine cap",
    given: { pendingJobs: 3, liveMachines: 5, busyMachines: 5 },
    then: { kind: "wait", reason: "at-capacity", retryAfterMs: 5000 },
  },
  {
    name: "reservations count against the cap",
    given: { pendingJobs: 9, liveMachines: 2, busyMachines: 2, reservedMachines: 3 },
    then: { kind: "wait", reason: "at-capacity", retryAfterMs: 5000 },
  },
  {
    name: "stopping machines hold the cap until they have stopped: wait just that long",
    given: { pendingJobs: 3, liveMachines: 3, busyMachines: 3, exitingMachines: 2, nextExitAt: NOW + 1200 },
    then: { kind: "wait", reason: "machines-stopping", retryAfterMs: 1200 },
  },
  {
    name: "a cap full of working machines: stopping ones do not shorten the wait",
    given: { pendingJobs: 1, liveMachines: 5, busyMachines: 5, exitingMachines: 1, nextExitAt: NOW + 100 },
    then: { kind: "wait", reason: "at-capacity", retryAfterMs: 5000 },
  },
  {
    name: "an exit already due (not yet reclaimed) asks again at once",
    given: { pendingJobs: 1, liveMachines: 4, busyMachines: 4, exitingMachines: 1, nextExitAt: NOW - 10 },
    then: { kind: "wait", reason: "machines-stopping", retryAfterMs: 1 },
  },
  {
    name: "exiting machines shrink the room, not the budget",
    given: { pendingJobs: 5, exitingMachines: 3, nextExitAt: NOW + 500, spentThisMonthUsd: 8.5 },
    cfg: { spawnRate: { maxSpawns: 10, windowMs: 1000 } },
    then: { kind: "admit", machines: 2 },
  },
  {
    name: "spawned 400 ms ago: wait out the window",
    given: { pendingJobs: 1, recentSpawns: [NOW - 400] },
    then: { kind: "wait", reason: "rate-limited", retryAfterMs: 600 },
  },
  {
    name: "spawn older than the window is forgotten",
    given: { pendingJobs: 1, recentSpawns: [NOW - 1000], reservedMachines: 0 },
    then: { kind: "admit", machines: 1 },
  },
  {
    name: "burst rate admits several up to demand",
    given: { pendingJobs: 4, recentSpawns: [NOW - 100] },
    cfg: { spawnRate: { maxSpawns: 3, windowMs: 1000 } },
    then: { kind: "admit", machines: 2 },
  },
  {
    name: "burst limited by remaining cap",
    given: { pendingJobs: 10, liveMachines: 4, busyMachines: 4 },
    cfg: { spawnRate: { maxSpawns: 3, windowMs: 1000 } },
    then: { kind: "admit", machines: 1 },
  },
  {
    name: "burst limited by budget room",
    given: { pendingJobs: 10, spentThisMonthUsd: 9 },
    cfg: { spawnRate: { maxSpawns: 5, windowMs: 1000 } },
    then: { kind: "admit", machines: 2 },
  },
  {
    name: "budget spent",
    given: { pendingJobs: 1, spentThisMonthUsd: 10 },
    then: {
      kind: "reject",
      reason: "budget-exhausted",
      message: "monthly budget of $10.00 leaves no room for another machine ($10.00 spent or committed)",
    },
  },
  {
    name: "live machines' worst case is committed against the budget",
    given: { pendingJobs: 5, liveMachines: 2, busyMachines: 2, spentThisMonthUsd: 9 },
    then: {
      kind: "reject",
      reason: "budget-exhausted",
      message: "monthly budget of $10.00 leaves no room for another machine ($10.00 spent or committed)",
    },
  },
  {
    name: "a machine whose job runs past its TTL is not paid for by its reservation",
    given: {
      pendingJobs: 5,
      liveMachines: 1,
      busyMachines: 1,
      spentThisMonthUsd: 1,
      committedBeyondTtlUsd: 8.5,
    },
    then: {
      kind: "reject",
      reason: "budget-exhausted",
      message: "monthly budget of $10.00 leaves no room for another machine ($10.00 spent or committed)",
    },
  },
  {
    name: "what a machine may cost past its TTL shrinks the budget room",
    given: {
      pendingJobs: 5,
      liveMachines: 1,
      busyMachines: 1,
      spentThisMonthUsd: 1,
      committedBeyondTtlUsd: 7.5,
    },
    cfg: { spawnRate: { maxSpawns: 5, windowMs: 1000 } },
    then: { kind: "admit", machines: 2 },
  },
  {
    name: "budget exhausted wins over a full cap",
    given: { pendingJobs: 1, liveMachines: 5, busyMachines: 5, spentThisMonthUsd: 50 },
    then: { kind: "reject", reason: "budget-exhausted" },
  },
];

describe("decideAdmission", () => {
  it.each(cases)("$name", ({ given, cfg, then }) => {
    const decision = decideAdmission({ ...idle, ...given }, { ...config, ...cfg });
    expect(decision).toMatchObject(then as object);
  });

  it("never admits past the cap, whatever the demand", () => {
    for (let live = 0; live <= 5; live++) {
      for (let reserved = 0; reserved + live <= 5; reserved++) {
        for (let exiting = 0; exiting + reserved + live <= 5; exiting++) {
          const taken = live + reserved + exiting;
          const d = decideAdmission(
            {
              ...idle,
              pendingJobs: 100,
              liveMachines: live,
              busyMachines: live,
              reservedMachines: reserved,
              exitingMachines: exiting,
              nextExitAt: NOW + 100,
            },
            { ...config, spawnRate: { maxSpawns: 100, windowMs: 1000 }, monthlyBudgetUsd: 1e6 },
          );
          const admitted = d.kind === "admit" ? d.machines : 0;
          expect(taken + admitted).toBeLessThanOrEqual(5);
          if (taken < 5) expect(admitted).toBe(5 - taken);
        }
      }
    }
  });
});

describe("spawnWindowWaitMs", () => {
  const rate = { maxSpawns: 2, windowMs: 1000 };
  it.each([
    { spawns: [], then: 0 },
    { spawns: [NOW - 10], then: 0 },
    { spawns: [NOW - 900, NOW - 10], then: 100 },
    { spawns: [NOW - 2000, NOW - 900, NOW - 10], then: 100 },
    { spawns: [NOW - 500, NOW - 300, NOW - 10], then: 700 },
    { spawns: [NOW + 50, NOW - 10], then: 0 }, // a future timestamp (clock skew) is not counted
  ])("spawns $spawns → $then ms", ({ spawns, then }) => {
    expect(spawnWindowWaitMs(NOW, spawns, rate)).toBe(then);
  });
});
