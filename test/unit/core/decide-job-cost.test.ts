// Given / when / then tables for a job's cost against the budget: estimate, whether the machine's commitment must
// be raised, and whether that fits what the month has left.
import { describe, expect, it } from "vitest";
import {
  type BudgetState,
  checkJobBudget,
  decideJobCost,
  estimateJobCost,
  type JobCostInput,
} from "../../../core/decide-job-cost.ts";
import type { MachineGuest } from "../../../core/machine-guest.ts";
import { FLY_PRICES_2026, pricePerSecondUsd } from "../../../core/price-machine-time.ts";

const GUEST: MachineGuest = { cpuKind: "performance", cpus: 2, memoryMb: 4096 };
const LARGE: MachineGuest = { cpuKind: "performance", cpus: 4, memoryMb: 8192 };
const PER_S = pricePerSecondUsd(GUEST, FLY_PRICES_2026);
const base: JobCostInput = { timeLimitMs: 110_000, guest: GUEST, machineAgeMs: 5_000, machineTtlMs: 300_000 };
const estimate = (given: Partial<JobCostInput>) => estimateJobCost({ ...base, ...given }, FLY_PRICES_2026);

describe("estimateJobCost and decideJobCost", () => {
  it("prices the time limits, what the machine cost so far and what admission reserved", () => {
    expect(estimate({})).toMatchObject({
      jobUsd: 110 * PER_S,
      machineSoFarUsd: 5 * PER_S,
      reservedUsd: 300 * PER_S,
      commitmentUsd: 300 * PER_S,
    });
  });

  const cases: { name: string; given: Partial<JobCostInput>; then: ReturnType<typeof decideJobCost> }[] = [
    {
      name: "a 110 s job on a fresh machine: inside its TTL",
      given: {},
      then: { kind: "within-reservation" },
    },
    {
      name: "ends exactly at the TTL: still inside",
      given: { machineAgeMs: 190_000 },
      then: { kind: "within-reservation" },
    },
    {
      name: "a 110 s job on a machine 250 s old: past the TTL, commit the whole life",
      given: { machineAgeMs: 250_000 },
      then: { kind: "commit", commitmentUsd: 360 * PER_S },
    },
    {
      name: "three hours of 8K at 1 fps (a 5.4 h limit) on a fresh large machine",
      given: { guest: LARGE, timeLimitMs: 19_500_000, machineAgeMs: 0 },
      then: { kind: "commit", commitmentUsd: 19_500 * pricePerSecondUsd(LARGE, FLY_PRICES_2026) },
    },
  ];
  it.each(cases)("given $name, then $then.kind", ({ given, then }) => {
    const decision = decideJobCost(estimate(given));
    expect(decision.kind).toBe(then.kind);
    if (decision.kind === "commit" && then.kind === "commit") {
      expect(decision.commitmentUsd).toBeCloseTo(then.commitmentUsd, 12);
    }
  });
});

describe("checkJobBudget", () => {
  const budget = (given: Partial<BudgetState>): BudgetState => ({
    monthlyBudgetUsd: 50,
    spentUsd: 0,
    heldByOthersUsd: 0,
    ...given,
  });
  const long = estimate({ machineAgeMs: 250_000 });

  const cases: { name: string; given: Partial<BudgetState>; kind: string; retryable?: boolean }[] = [
    { name: "plenty left", given: {}, kind: "fits" },
    { name: "exactly what is left", given: { monthlyBudgetUsd: long.commitmentUsd }, kind: "fits" },
    {
      name: "spent leaves too little: not retryable",
      given: { spentUsd: 50 - long.commitmentUsd / 2 },
      kind: "over-budget",
      retryable: false,
    },
    {
      name: "other machines' commitments leave too little: retryable once they end",
      given: { spentUsd: 49.99, heldByOthersUsd: 0.01 },
      kind: "over-budget",
      retryable: true,
    },
  ];
  it.each(cases)("given $name, then $kind", ({ given, kind, retryable }) => {
    const check = checkJobBudget(long, budget(given));
    expect(check.kind).toBe(kind);
    if (check.kind === "over-budget") expect(check.retryable).toBe(retryable);
  });

  it("says what the job would cost, on what, and what the month has left", () => {
    const check = checkJobBudget(estimate({ machineTtlMs: 20_000 }), budget({ monthlyBudgetUsd: 0.002 }));
    expect(check).toEqual({
      kind: "over-budget",
      retryable: false,
      message:
        "the job's estimated machine cost of $0.0027 (its ffmpeg time limits of 110 s on performance-2x-4096 at " +
        "$0.0894/h) exceeds the $0.0019 left of this month's $0.0020 budget ($0.0000 spent, $0.0000 held by other " +
        "machines)",
    });
  });

  it("refuses the 8K hours in a month with $0.50 left", () => {
    const eightK = estimate({ guest: LARGE, timeLimitMs: 19_500_000, machineAgeMs: 0 });
    const check = checkJobBudget(eightK, budget({ spentUsd: 49.5 }));
    expect(check).toMatchObject({ kind: "over-budget", retryable: false });
    expect(check.kind === "over-budget" && check.message).toMatch(
      /^the job's estimated machine cost of \$0\.9687 \(its ffmpeg time limits of 19500 s on performance-4x-8192/,
    );
  });
});
