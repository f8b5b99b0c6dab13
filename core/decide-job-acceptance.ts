// Whether the API takes a new job now (pure): refused with 402 once the month's budget is spent, and with 429
// while the backlog is at its cap, so clients back off instead of piling up work no machine can start.

export interface AcceptanceLimits {
  readonly monthlyBudgetUsd: number;
  readonly maxPendingJobs: number;
  /** Suggested wait before a client tries again when the backlog is full. */
  readonly retryAfterMs: number;
}

export type JobAcceptance =
  | { readonly kind: "accept" }
  | { readonly kind: "budget-exhausted"; readonly message: string }
  | { readonly kind: "backlog-full"; readonly message: string; readonly retryAfterMs: number };

/** What the decision reads: this month's spend and the jobs waiting for a machine, at one instant. */
export interface BacklogSnapshot {
  readonly spentUsd: number;
  readonly pendingJobs: number;
}

export const decideJobAcceptance = (snapshot: BacklogSnapshot, limits: AcceptanceLimits): JobAcceptance => {
  if (snapshot.spentUsd >= limits.monthlyBudgetUsd) {
    return {
      kind: "budget-exhausted",
      message: `this month's budget of $${limits.monthlyBudgetUsd.toFixed(2)} is spent ($${snapshot.spentUsd.toFixed(2)})`,
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
