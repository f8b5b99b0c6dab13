// What a worker's report may claim its machine cost: never more than the machine's price for the time since its job
// was claimed (a single-job machine is started after the claim), so a worker cannot charge the budget at will.

export interface ReportedUsage {
  readonly costUsd: number;
  readonly machineSeconds: number;
}

/** Slack for the clocks involved (the claim's Redis TIME, the control plane's clock at the report). */
export const USAGE_CLOCK_SLACK_MS = 1_000;

/**
 * The usage to record and charge: the report's, each figure capped at what `elapsedMs` (claim → report) plus the
 * clock slack can have cost at `usdPerSecond`. Costs are rounded up to a millionth of a dollar, as they are priced.
 */
export const boundReportedUsage = (
  reported: ReportedUsage,
  limits: { readonly usdPerSecond: number; readonly elapsedMs: number },
): ReportedUsage => {
  const seconds = Math.max(0, limits.elapsedMs + USAGE_CLOCK_SLACK_MS) / 1000;
  const maxCostUsd = Math.ceil(limits.usdPerSecond * seconds * 1e6) / 1e6;
  return {
    costUsd: Math.min(reported.costUsd, maxCostUsd),
    machineSeconds: Math.min(reported.machineSeconds, seconds),
  };
};
