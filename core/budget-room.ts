// How many more machines the month's budget has room for: what is spent, plus every machine holding a slot at its
// worst case, plus what committed machines may cost past their TTL. Admission and acceptance share this arithmetic,
// so an upload is accepted only while a machine could still be started for it.

export interface BudgetCommitments {
  /** Spend recorded so far this month, USD. */
  readonly spentThisMonthUsd: number;
  /** Machines registered or booting: each may still cost its worst case. */
  readonly machines: number;
  /** What machines whose job may keep them past their TTL may cost beyond that worst case, USD. */
  readonly committedBeyondTtlUsd: number;
}

export interface BudgetLimits {
  readonly monthlyBudgetUsd: number;
  /** Worst-case cost of one machine's whole life (TTL × price). */
  readonly machineMaxCostUsd: number;
}

/** Spent plus held: what the month has paid or may still pay for machines already started. */
export const committedUsd = (state: BudgetCommitments, limits: BudgetLimits): number =>
  state.spentThisMonthUsd + state.machines * limits.machineMaxCostUsd + state.committedBeyondTtlUsd;

/** How many more machines' worst cases fit under the budget (0 or less: none). */
export const machinesBudgetAllows = (state: BudgetCommitments, limits: BudgetLimits): number =>
  Math.floor((limits.monthlyBudgetUsd - committedUsd(state, limits)) / limits.machineMaxCostUsd + 1e-9);
