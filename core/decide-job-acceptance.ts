// Whether the API takes a new job now (pure): refused with 402 once the month's budget has no room for one more
// machine's worst case beyond the machines the jobs already waiting need (the arithmetic admission starts machines by,
// core/budget-room.ts: otherwise jobs would be accepted and never run), and with 429 while the backlog is at its cap,
// so clients back off instead of piling up work no machine can start; per API key, 429 once the key's own budget is
// spent or its own unfinished jobs are at their cap.
import { type BudgetLimits, machinesBudgetAllows } from "./budget-room.ts";

export interface AcceptanceLimits extends BudgetLimits {
  readonly maxPendingJobs: number;
  /** Suggested wait before a client tries again when the backlog is full. */
  readonly retryAfterMs: number;
}

export type JobAcceptance =
  | { readonly kind: "accept" }
  | { readonly kind: "budget-exhausted"; readonly message: string }
  | { readonly kind: "backlog-full"; readonly message: string; readonly retryAfterMs: number };

/** What the decision reads, at one instant: the month's spend and what machines hold, and the jobs waiting. */
export interface BacklogSnapshot {
  readonly spentUsd: number;
  /** Machines registered or booting (each holds its worst case against the budget until it is charged). */
  readonly machines: number;
  /** Of them, those that can take a waiting job without a new start: idle registered ones and booting ones. */
  readonly freeMachines: number;
  /** What machines whose job may keep them past their TTL may cost beyond that worst case. */
  readonly committedBeyondTtlUsd: number;
  readonly pendingJobs: number;
}

const usd = (amount: number): string => `$${amount.toFixed(2)}`;

export const decideJobAcceptance = (snapshot: BacklogSnapshot, limits: AcceptanceLimits): JobAcceptance => {
  const budget = {
    spentThisMonthUsd: snapshot.spentUsd,
    machines: snapshot.machines,
    committedBeyondTtlUsd: snapshot.committedBeyondTtlUsd,
  };
  // Each job already waiting beyond the free machines may need a machine of its own (at worst one per job: a
  // machine may leave at its TTL after one), so those machines' worst cases come before this job's.
  const waiting = Math.max(0, snapshot.pendingJobs - snapshot.freeMachines);
  if (machinesBudgetAllows(budget, limits) <= waiting) {
    const heldUsd = snapshot.machines * limits.machineMaxCostUsd + snapshot.committedBeyondTtlUsd;
    const ahead = waiting === 0 ? "" : ` beyond the ${waiting} the jobs already waiting may need`;
    return {
      kind: "budget-exhausted",
      message:
        `this month's budget of ${usd(limits.monthlyBudgetUsd)} has no room for another machine's worst case of ` +
        `${usd(limits.machineMaxCostUsd)}${ahead} (${usd(snapshot.spentUsd)} spent, ${usd(heldUsd)} held by ` +
        "machines that may still run)",
    };
  }
  if (snapshot.pendingJobs >= limits.maxPendingJobs) return backlogFull(snapshot.pendingJobs, limits);
  return { kind: "accept" };
};

/**
 * The refusal when `waiting` jobs are at the cap. create-job.lua applies the cap atomically (counting jobs still
 * waiting for their upload too); the snapshot check above only refuses early, before any upload URL is signed.
 */
export const backlogFull = (
  waiting: number,
  limits: Pick<AcceptanceLimits, "maxPendingJobs" | "retryAfterMs">,
): Extract<JobAcceptance, { readonly kind: "backlog-full" }> => ({
  kind: "backlog-full",
  message: `${waiting} jobs are already waiting (limit ${limits.maxPendingJobs})`,
  retryAfterMs: limits.retryAfterMs,
});
/** One API key's own limits (KEY_MONTHLY_BUDGET_USD, KEY_MAX_PENDING_JOBS, KEY_LIMITS); null: no such limit. */
export interface KeyLimits {
  readonly monthlyBudgetUsd: number | null;
  readonly maxPendingJobs: number | null;
}

/** Every key's defaults, and per key id the limits that differ (a field left out keeps the default). */
export interface KeyLimitSettings {
  readonly defaults: KeyLimits;
  readonly overrides: Readonly<Record<string, Partial<KeyLimits>>>;
}

export const keyLimitsFor = (keyId: string, settings: KeyLimitSettings): KeyLimits => ({
  ...settings.defaults,
  ...(Object.hasOwn(settings.overrides, keyId) ? settings.overrides[keyId] : {}),
});

export const hasKeyLimits = (limits: KeyLimits): boolean =>
  limits.monthlyBudgetUsd !== null || limits.maxPendingJobs !== null;

/** What one key has in flight and has spent, at one Redis instant. */
export interface KeyUsage {
  /** The key's unfinished jobs: waiting for their upload, queued, pending or running. */
  readonly openJobs: number;
  /** What the key's jobs completed this month cost. */
  readonly spentUsd: number;
  /** Until the month ends and the key's spend starts again from zero. */
  readonly msUntilMonthEnd: number;
}

export type KeyAcceptance =
  | { readonly kind: "accept" }
  | { readonly kind: "key-budget-exhausted"; readonly message: string; readonly retryAfterMs: number }
  | { readonly kind: "key-pending-cap"; readonly message: string; readonly retryAfterMs: number };

/** The refusal of a key at its pending cap (also what the create script's atomic re-check answers with). */
export const keyPendingCapRefusal = (openJobs: number, maxPendingJobs: number, retryAfterMs: number) =>
  ({
    kind: "key-pending-cap",
    message: `this API key has ${openJobs} unfinished jobs (its limit is ${maxPendingJobs})`,
    retryAfterMs,
  }) as const;

/**
 * Whether one key may add a job, on top of the global check: one tenant cannot spend the month or fill the backlog
 * for all. Its budget counts the cost of its jobs completed this month; its cap counts its unfinished jobs.
 */
export const decideKeyAcceptance = (
  usage: KeyUsage,
  limits: KeyLimits,
  retryAfterMs: number,
): KeyAcceptance => {
  if (limits.monthlyBudgetUsd !== null && usage.spentUsd >= limits.monthlyBudgetUsd) {
    return {
      kind: "key-budget-exhausted",
      message: `this API key's monthly budget of $${limits.monthlyBudgetUsd.toFixed(2)} is spent ($${usage.spentUsd.toFixed(2)})`,
      retryAfterMs: Math.max(1000, usage.msUntilMonthEnd),
    };
  }
  if (limits.maxPendingJobs !== null && usage.openJobs >= limits.maxPendingJobs) {
    return keyPendingCapRefusal(usage.openJobs, limits.maxPendingJobs, retryAfterMs);
  }
  return { kind: "accept" };
};
