// What a single-job worker's report does to its machine, besides the job's own transition. Only the report that
// finished the job releases the machine (charging the cost the job recorded): a duplicate, or a report that named
// another machine, releases nothing, so it can neither free a live machine nor requeue its job nor charge twice.

export type SpawnMode = "pool" | "single-job";

export interface WorkerReportOutcome {
  readonly spawnMode: SpawnMode;
  readonly reportKind: "progress" | "completed" | "failed";
  /** The machine the report came from (its callback key signed it). */
  readonly machineId: string;
  /** Whether the report's transition took effect now (false: it had already, or was a repeat). */
  readonly applied: boolean;
  /** The job's cost as recorded by the transition (null unless completed). */
  readonly recordedCostUsd: number | null;
}

export type ReportEffect =
  | { readonly kind: "release"; readonly machineId: string; readonly costUsd: number }
  | { readonly kind: "heartbeat"; readonly machineId: string }
  | { readonly kind: "none" };

export const decideReportEffect = (outcome: WorkerReportOutcome): ReportEffect => {
  // Pool workers hold their own lease and release it themselves.
  if (outcome.spawnMode !== "single-job" || !outcome.applied) return { kind: "none" };
  const { machineId } = outcome;
  switch (outcome.reportKind) {
    case "progress":
      return { kind: "heartbeat", machineId };
    case "completed":
      return { kind: "release", machineId, costUsd: outcome.recordedCostUsd ?? 0 };
    case "failed":
      return { kind: "release", machineId, costUsd: 0 };
    default: {
      const unhandled: never = outcome.reportKind;
      throw new Error(`unhandled report kind ${JSON.stringify(unhandled)}`);
    }
  }
};
