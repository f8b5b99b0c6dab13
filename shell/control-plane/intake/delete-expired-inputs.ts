// The cron's input retention: jobs that ended INPUT_RETENTION_DAYS ago or more (jobs:ended, oldest first, a bounded
// number per run) lose their input and the leftovers core/plan-input-retention.ts names (a cancelled job's outputs,
// a failed job's partial ones, split work files).
// An entry is settled only once storage has done its part, so a failed delete is tried again next run.
import { ResultAsync } from "neverthrow";
import { planInputRetention, retentionCutoff } from "../../../core/plan-input-retention.ts";
import type { TimeIndexEntry } from "../../redis/time-index.ts";
import { deletePrefix } from "../../storage/delete-prefix.ts";
import type { ControlPlaneDeps } from "../config/control-plane-deps.ts";

/** Ended jobs cleaned up per cron run; the rest are taken by the next runs. */
export const INPUT_DELETIONS_PER_RUN = 50;

export interface ExpiredInputsReport {
  /** Jobs whose input (and, for cancelled jobs, leftover outputs) were deleted. */
  readonly deleted: readonly string[];
  readonly errors: readonly string[];
}

export const deleteExpiredInputs = async (
  deps: ControlPlaneDeps,
): Promise<ExpiredInputsReport | { readonly error: string }> => {
  const cutoff = retentionCutoff(deps.clock(), deps.config.inputRetentionDays);
  const due = await deps.jobIndexes.ended.due(cutoff, INPUT_DELETIONS_PER_RUN);
  if (due.isErr()) return { error: due.error.kind };
  const results = await Promise.all(due.value.map((entry) => cleanUp(deps, entry)));
  const deleted = results.flatMap((r) => (r.kind === "deleted" ? [r.jobId] : []));
  if (deleted.length > 0) deps.log.info("retention.deleted", { jobs: deleted.length });
  return {
    deleted,
    errors: results.flatMap((r) => (r.kind === "error" ? [`${r.jobId}: ${r.error}`] : [])),
  };
};

type Cleaned =
  | { readonly kind: "deleted" | "kept"; readonly jobId: string }
  | { readonly kind: "error"; readonly jobId: string; readonly error: string };

const cleanUp = async (deps: ControlPlaneDeps, entry: TimeIndexEntry): Promise<Cleaned> => {
  const { jobId } = entry;
  const loaded = await deps.jobs.load(jobId);
  if (loaded.isErr()) return { kind: "error", jobId, error: loaded.error.kind };
  const plan = planInputRetention(loaded.value?.job ?? null);
  if (plan.kind === "delete") {
    const removed = await deps.inputs
      .delete(plan.inputKey)
      .andThen(() =>
        ResultAsync.combine(plan.outputPrefixes.map((prefix) => deletePrefix(deps.outputs, prefix))),
      );
    if (removed.isErr()) return { kind: "error", jobId, error: `storage ${removed.error.kind}` };
    // More than a page of leftovers: the entry stays due, and the next run deletes the next page.
    if (removed.value.some((r) => r.more)) return { kind: "deleted", jobId };
  }
  const settled = await deps.jobIndexes.ended.settle(entry);
  if (settled.isErr()) return { kind: "error", jobId, error: settled.error.kind };
  return { kind: plan.kind === "delete" ? "deleted" : "kept", jobId };
};
