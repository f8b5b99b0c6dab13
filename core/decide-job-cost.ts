// Whether a planned job may run on its machine within the month's budget. Its estimated machine cost is its ffmpeg
// time limits at the guest's price; admission reserved each machine's TTL × price, so a job that fits in the
// machine's reserved life is paid for, and one that may keep the machine past it must fit what the budget has left.
import { guestKey, type MachineGuest } from "./machine-guest.ts";
import { type MachinePriceTable, pricePerSecondUsd } from "./price-machine-time.ts";

export interface JobCostInput {
  /** The plan's ffmpeg time limits added up, ms: the longest its work may run. */
  readonly timeLimitMs: number;
  readonly guest: MachineGuest;
  /** How long the machine has run so far, ms. */
  readonly machineAgeMs: number;
  /** The machine's TTL: admission reserved TTL × price for it. */
  readonly machineTtlMs: number;
}

export interface JobCostEstimate {
  /** The job's estimated machine cost: its time limits at the guest's price. */
  readonly jobUsd: number;
  /** What the machine has cost so far. */
  readonly machineSoFarUsd: number;
  /** What admission reserved for the machine (TTL × price). */
  readonly reservedUsd: number;
  /** The machine's worst case over its whole life with this job: at least what was reserved. */
  readonly commitmentUsd: number;
  /** For the refusal's wording. */
  readonly timeLimitMs: number;
  readonly guest: MachineGuest;
  readonly pricePerSecondUsd: number;
}

export const estimateJobCost = (input: JobCostInput, prices: MachinePriceTable): JobCostEstimate => {
  const perSecond = pricePerSecondUsd(input.guest, prices);
  const usd = (ms: number) => (perSecond * Math.max(0, ms)) / 1000;
  const jobUsd = usd(input.timeLimitMs);
  const machineSoFarUsd = usd(input.machineAgeMs);
  const reservedUsd = usd(input.machineTtlMs);
  return {
    jobUsd,
    machineSoFarUsd,
    reservedUsd,
    commitmentUsd: Math.max(reservedUsd, machineSoFarUsd + jobUsd),
    timeLimitMs: input.timeLimitMs,
    guest: input.guest,
    pricePerSecondUsd: perSecond,
  };
};

/** The month's budget as Redis holds it at one instant. */
export interface BudgetState {
  readonly monthlyBudgetUsd: number;
  readonly spentUsd: number;
  /** What every other machine holding a slot may still cost: its commitment, or what admission reserved for it. */
  readonly heldByOthersUsd: number;
}

export type JobCostDecision =
  /** Inside the machine's reserved life: nothing more to reserve. */
  | { readonly kind: "within-reservation" }
  /** The machine's commitment must be raised to `commitmentUsd`, if the budget still has room (checkJobBudget). */
  | { readonly kind: "commit"; readonly commitmentUsd: number };

export const decideJobCost = (estimate: JobCostEstimate): JobCostDecision =>
  estimate.commitmentUsd <= estimate.reservedUsd
    ? { kind: "within-reservation" }
    : { kind: "commit", commitmentUsd: estimate.commitmentUsd };

export type JobBudgetCheck =
  | { readonly kind: "fits" }
  /** `retryable`: only other machines' commitments are in the way, and they end when those jobs do. */
  | { readonly kind: "over-budget"; readonly retryable: boolean; readonly message: string };

const usd = (amount: number): string => `$${amount.toFixed(Math.abs(amount) >= 1 ? 2 : 4)}`;

/**
 * Whether the machine's raised commitment fits the budget next to what is spent and what the other machines hold.
 * commit-machine-cost.lua guards with the same arithmetic, so the refusal it answers and this wording agree.
 */
export const checkJobBudget = (estimate: JobCostEstimate, budget: BudgetState): JobBudgetCheck => {
  const { monthlyBudgetUsd: total, spentUsd, heldByOthersUsd } = budget;
  if (spentUsd + heldByOthersUsd + estimate.commitmentUsd <= total + 1e-9) return { kind: "fits" };
  const left = Math.max(0, total - spentUsd - heldByOthersUsd - estimate.machineSoFarUsd);
  return {
    kind: "over-budget",
    retryable: spentUsd + estimate.commitmentUsd <= total + 1e-9,
    message:
      `the job's estimated machine cost of ${usd(estimate.jobUsd)} (its ffmpeg time limits of ` +
      `${Math.ceil(estimate.timeLimitMs / 1000)} s on ${guestKey(estimate.guest)} at ${usd(estimate.pricePerSecondUsd * 3600)}/h) exceeds the ` +
      `${usd(left)} left of this month's ${usd(total)} budget (${usd(spentUsd)} spent, ${usd(heldByOthersUsd)} held ` +
      "by other machines)",
  };
};
