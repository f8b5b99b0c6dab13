// Whether the API takes a new job: the month's budget (room for one more machine, as admission counts it), then the
// backlog cap; per key, its budget and pending cap.
import { describe, expect, it } from "vitest";
import { decideAdmission } from "../../../core/decide-admission.ts";
import {
  decideJobAcceptance,
  decideKeyAcceptance,
  type KeyLimits,
  keyLimitsFor,
} from "../../../core/decide-job-acceptance.ts";

describe("decideJobAcceptance", () => {
  // A machine's whole life costs $1 at most: the budget must keep room for one more, as admission does, beyond the
  // machines the jobs already waiting (and not about to be taken by an idle or booting machine) will need.
  const limits = { monthlyBudgetUsd: 10, machineMaxCostUsd: 1, maxPendingJobs: 3, retryAfterMs: 30_000 };
  const none = { machines: 0, freeMachines: 0, committedBeyondTtlUsd: 0, pendingJobs: 0 };
  it.each([
    ["nothing spent", "accept", { ...none, spentUsd: 0 }],
    ["room for exactly one more machine", "accept", { ...none, spentUsd: 9 }],
    ["all spent", "budget-exhausted", { ...none, spentUsd: 10 }],
    ["less than one machine's worst case left", "budget-exhausted", { ...none, spentUsd: 9.5 }],
    ["the machines holding a slot reserve theirs", "accept", { ...none, spentUsd: 5, machines: 4 }],
    ["and then there is no room left", "budget-exhausted", { ...none, spentUsd: 5.5, machines: 4 }],
    [
      "a job that may keep its machine past its TTL holds its commitment",
      "budget-exhausted",
      { ...none, spentUsd: 6, machines: 1, committedBeyondTtlUsd: 2.5 },
    ],
    ["room for the two jobs waiting and this one", "accept", { ...none, spentUsd: 7, pendingJobs: 2 }],
    [
      "the jobs already waiting for a machine come first",
      "budget-exhausted",
      { ...none, spentUsd: 7.5, pendingJobs: 2 },
    ],
    [
      "a job an idle machine is about to take needs no new one",
      "accept",
      { ...none, spentUsd: 6.5, machines: 1, freeMachines: 1, pendingJobs: 2 },
    ],
    [
      "but a busy machine takes none of them",
      "budget-exhausted",
      { ...none, spentUsd: 6.5, machines: 1, pendingJobs: 2 },
    ],
    ["backlog at its cap", "backlog-full", { ...none, spentUsd: 1, pendingJobs: 3 }],
  ] as const)("%s → %s", (_name, kind, snapshot) => {
    expect(decideJobAcceptance(snapshot, limits).kind).toBe(kind);
  });

  it("with no job waiting, refuses for the budget exactly when admission would not start a machine for it", () => {
    const config = {
      maxMachines: 1000,
      spawnRate: { maxSpawns: 1000, windowMs: 1000 },
      monthlyBudgetUsd: 10,
      machineMaxCostUsd: 0.75,
      capacityRetryMs: 30_000,
    };
    for (let spent = 0; spent <= 10.5; spent += 0.25) {
      for (let machines = 0; machines <= 14; machines++) {
        for (const committedBeyondTtlUsd of [0, 0.3, 2]) {
          const admission = decideAdmission(
            {
              now: 0,
              recentSpawns: [],
              liveMachines: machines,
              reservedMachines: 0,
              exitingMachines: 0,
              nextExitAt: 0,
              busyMachines: machines,
              pendingJobs: 1,
              spentThisMonthUsd: spent,
              committedBeyondTtlUsd,
            },
            config,
          );
          const acceptance = decideJobAcceptance(
            { spentUsd: spent, pendingJobs: 0, machines, freeMachines: 0, committedBeyondTtlUsd },
            { ...config, maxPendingJobs: 100, retryAfterMs: 30_000 },
          );
          const state = `spent ${spent}, ${machines} machines, ${committedBeyondTtlUsd} beyond TTL`;
          expect(acceptance.kind === "budget-exhausted", state).toBe(admission.kind === "reject");
        }
      }
    }
  });

  it("says what is spent, what running machines hold, and what one more may cost", () => {
    const decision = decideJobAcceptance(
      { spentUsd: 6.5, pendingJobs: 0, machines: 4, freeMachines: 0, committedBeyondTtlUsd: 0 },
      limits,
    );
    expect(decision).toEqual({
      kind: "budget-exhausted",
      message:
        "this month's budget of $10.00 has no room for another machine's worst case of $1.00 " +
        "($6.50 spent, $4.00 held by machines that may still run)",
    });
  });
});

describe("decideKeyAcceptance", () => {
  const HOUR = 3_600_000;
  const none: KeyLimits = { monthlyBudgetUsd: null, maxPendingJobs: null };
  const both: KeyLimits = { monthlyBudgetUsd: 20, maxPendingJobs: 5 };
  const usage = (openJobs: number, spentUsd: number, msUntilMonthEnd = 5 * HOUR) => ({
    openJobs,
    spentUsd,
    msUntilMonthEnd,
  });
  it.each([
    { name: "no limits: anything goes", usage: usage(10_000, 1e6), limits: none, kind: "accept", after: 0 },
    { name: "under both", usage: usage(4, 19.99), limits: both, kind: "accept", after: 0 },
    {
      name: "budget spent: back when the month ends",
      usage: usage(0, 20),
      limits: both,
      kind: "key-budget-exhausted",
      after: 5 * HOUR,
    },
    {
      name: "budget spent in the month's last instant: at least a second",
      usage: usage(0, 25, 10),
      limits: both,
      kind: "key-budget-exhausted",
      after: 1000,
    },
    {
      name: "at the pending cap: the capacity wait",
      usage: usage(5, 0),
      limits: both,
      kind: "key-pending-cap",
      after: 30_000,
    },
    {
      name: "budget before the cap",
      usage: usage(5, 20),
      limits: both,
      kind: "key-budget-exhausted",
      after: 5 * HOUR,
    },
    {
      name: "only a cap",
      usage: usage(2, 99),
      limits: { monthlyBudgetUsd: null, maxPendingJobs: 2 },
      kind: "key-pending-cap",
      after: 30_000,
    },
    {
      name: "a zero budget refuses at once",
      usage: usage(0, 0),
      limits: { monthlyBudgetUsd: 0, maxPendingJobs: null },
      kind: "key-budget-exhausted",
      after: 5 * HOUR,
    },
  ])("$name → $kind", ({ usage: u, limits, kind, after }) => {
    const decision = decideKeyAcceptance(u, limits, 30_000);
    expect(decision.kind).toBe(kind);
    if (decision.kind !== "accept") {
      expect(decision.retryAfterMs).toBe(after);
      expect(decision.message).toMatch(/this API key/);
    }
  });
});

describe("keyLimitsFor", () => {
  const settings = {
    defaults: { monthlyBudgetUsd: 10, maxPendingJobs: 50 },
    overrides: {
      "3f2a9c0d1e2b4a5c": { monthlyBudgetUsd: 20 },
      aaaaaaaaaaaaaaaa: { maxPendingJobs: null },
    },
  };
  it.each([
    ["0000000000000000", { monthlyBudgetUsd: 10, maxPendingJobs: 50 }],
    ["3f2a9c0d1e2b4a5c", { monthlyBudgetUsd: 20, maxPendingJobs: 50 }],
    ["aaaaaaaaaaaaaaaa", { monthlyBudgetUsd: 10, maxPendingJobs: null }],
    ["constructor", { monthlyBudgetUsd: 10, maxPendingJobs: 50 }],
  ])("%s → %o", (keyId, limits) => {
    expect(keyLimitsFor(keyId, settings)).toEqual(limits);
  });
});
