// Whether the API takes a new job: the month's budget, then the backlog cap; per key, its budget and pending cap.
import { describe, expect, it } from "vitest";
import {
  decideJobAcceptance,
  decideKeyAcceptance,
  type KeyLimits,
  keyLimitsFor,
} from "../../../core/decide-job-acceptance.ts";

describe("decideJobAcceptance", () => {
  const limits = { monthlyBudgetUsd: 10, maxPendingJobs: 3, retryAfterMs: 30_000 };
  it.each([
    [{ spentUsd: 0, pendingJobs: 0 }, "accept"],
    [{ spentUsd: 9.99, pendingJobs: 2 }, "accept"],
    [{ spentUsd: 10, pendingJobs: 0 }, "budget-exhausted"],
    [{ spentUsd: 1, pendingJobs: 3 }, "backlog-full"],
  ])("%o → %s", (snapshot, kind) => {
    expect(decideJobAcceptance(snapshot, limits).kind).toBe(kind);
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
