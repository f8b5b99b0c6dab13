// Admission control: whether to start another machine, given capacity, the spawn rate window and the budget.
import * as v from "valibot";
import { committedUsd, machinesBudgetAllows } from "./budget-room.ts";

export interface AdmissionConfig {
  /** Hard cap on machines alive or reserved at once. */
  readonly maxMachines: number;
  /** At most `maxSpawns` machine starts in any `windowMs` (Fly allows about one create a second per app). */
  readonly spawnRate: { readonly maxSpawns: number; readonly windowMs: number };
  /** Spending ceiling for the calendar month, in USD. */
  readonly monthlyBudgetUsd: number;
  /** Worst-case cost of one machine's whole life (TTL × price); reserved against the budget at admission. */
  readonly machineMaxCostUsd: number;
  /** How long to wait before asking again when every slot is taken. */
  readonly capacityRetryMs: number;
}

export const AdmissionConfigSchema = v.object({
  maxMachines: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(1000)),
  spawnRate: v.object({
    maxSpawns: v.pipe(v.number(), v.integer(), v.minValue(1)),
    windowMs: v.pipe(v.number(), v.integer(), v.minValue(1)),
  }),
  monthlyBudgetUsd: v.pipe(v.number(), v.minValue(0)),
  machineMaxCostUsd: v.pipe(v.number(), v.gtValue(0)),
  capacityRetryMs: v.pipe(v.number(), v.integer(), v.minValue(1)),
});

export interface AdmissionInput {
  /** Milliseconds since the epoch, from the clock the caller trusts (Redis TIME for the atomic path). */
  readonly now: number;
  /** Start times (ms) of recent machine spawns; older entries than the window are ignored. */
  readonly recentSpawns: readonly number[];
  /** Machines registered with a live lease. */
  readonly liveMachines: number;
  /** Machines admitted but not yet registered (booting). */
  readonly reservedMachines: number;
  /**
   * Machines that gave their slot back moments ago and may still be stopping: they hold a place under the cap
   * (the cap counts machines alive, not workers at work) but not the budget (their cost is charged already).
   */
  readonly exitingMachines: number;
  /** When the first exiting machine's place under the cap frees (ms); ignored when none is exiting. */
  readonly nextExitAt: number;
  /** Live machines currently running a job. */
  readonly busyMachines: number;
  /** Jobs waiting in the work queue. */
  readonly pendingJobs: number;
  /** Spend recorded so far this month, USD. */
  readonly spentThisMonthUsd: number;
  /**
   * What machines running a job that may keep them past their TTL may cost beyond the `machineMaxCostUsd` reserved
   * for each (USD): such a machine is not paid for by its reservation.
   */
  readonly committedBeyondTtlUsd: number;
}

export type AdmissionDecision =
  | { readonly kind: "admit"; readonly machines: number }
  | {
      readonly kind: "wait";
      /** "machines-stopping": the cap is full only with machines that are stopping, and frees at a known time. */
      readonly reason: "rate-limited" | "at-capacity" | "machines-stopping";
      readonly retryAfterMs: number;
    }
  | { readonly kind: "reject"; readonly reason: "budget-exhausted"; readonly message: string }
  | { readonly kind: "none-needed" };

/** Machines that could take a pending job without a new start: idle live ones plus those still booting. */
export const idleCapacity = (
  input: Pick<AdmissionInput, "liveMachines" | "busyMachines" | "reservedMachines">,
): number => Math.max(0, input.liveMachines - input.busyMachines) + input.reservedMachines;

/** Spawn times inside the window ending at `now`, oldest first. */
const spawnsInWindow = (now: number, recentSpawns: readonly number[], windowMs: number): number[] =>
  recentSpawns.filter((t) => t > now - windowMs && t <= now).sort((a, b) => a - b);

/** Milliseconds until the spawn window has room for one more start; 0 when it has room now. */
export const spawnWindowWaitMs = (
  now: number,
  recentSpawns: readonly number[],
  rate: AdmissionConfig["spawnRate"],
): number => {
  const inWindow = spawnsInWindow(now, recentSpawns, rate.windowMs);
  if (inWindow.length < rate.maxSpawns) return 0;
  // The (count - maxSpawns)-th oldest start must leave the window before another fits.
  const blocking = inWindow[inWindow.length - rate.maxSpawns] as number;
  return Math.max(1, blocking + rate.windowMs - now);
};

export const decideAdmission = (input: AdmissionInput, config: AdmissionConfig): AdmissionDecision => {
  const demand = input.pendingJobs - idleCapacity(input);
  if (demand <= 0) return { kind: "none-needed" };

  const machines = input.liveMachines + input.reservedMachines;
  const budget = {
    spentThisMonthUsd: input.spentThisMonthUsd,
    machines,
    committedBeyondTtlUsd: input.committedBeyondTtlUsd,
  };
  const budgetRoom = machinesBudgetAllows(budget, config);
  if (budgetRoom <= 0) {
    return {
      kind: "reject",
      reason: "budget-exhausted",
      message: `monthly budget of $${config.monthlyBudgetUsd.toFixed(2)} leaves no room for another machine ($${committedUsd(budget, config).toFixed(2)} spent or committed)`,
    };
  }

  const capRoom = config.maxMachines - machines - input.exitingMachines;
  if (capRoom <= 0) {
    // A working machine's place frees whenever it is done; a stopping machine's at a known time.
    if (config.maxMachines - machines <= 0) {
      return { kind: "wait", reason: "at-capacity", retryAfterMs: config.capacityRetryMs };
    }
    return {
      kind: "wait",
      reason: "machines-stopping",
      retryAfterMs: Math.max(1, input.nextExitAt - input.now),
    };
  }

  const waitMs = spawnWindowWaitMs(input.now, input.recentSpawns, config.spawnRate);
  if (waitMs > 0) return { kind: "wait", reason: "rate-limited", retryAfterMs: waitMs };
  const rateRoom =
    config.spawnRate.maxSpawns -
    spawnsInWindow(input.now, input.recentSpawns, config.spawnRate.windowMs).length;

  return { kind: "admit", machines: Math.min(demand, capRoom, rateRoom, budgetRoom) };
};
