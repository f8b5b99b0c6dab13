// Deletes everything written for a job whose completion was refused because the job was cancelled meanwhile
// (core/decide-refused-outputs.ts): the cancel won, so nothing of the job may stay in the output bucket. Used by the
// pool worker (its own commit refused) and the control plane (a single-job worker's completed callback refused).
import { decideRefusedOutputs } from "../../core/decide-refused-outputs.ts";
import type { JobRejection } from "../../core/job-lifecycle/job-rejection.ts";
import { jobOutputsPrefix } from "../../core/output-keys.ts";
import { deletePrefix } from "./delete-prefix.ts";
import type { ObjectStore } from "./object-store.ts";

/** Listing pages at most: 1,000 keys each, far more than any job writes. */
export const MAX_OUTPUT_PAGES = 20;

/** Deletes the job's outputs when the refusal says the cancel won; answers how many objects went (0 if kept). */
export const discardRefusedOutputs = async (
  output: ObjectStore,
  jobId: string,
  rejection: JobRejection,
): Promise<{ readonly deleted: number } | { readonly error: string }> => {
  if (decideRefusedOutputs(rejection) === "keep") return { deleted: 0 };
  const removed = await deletePrefix(output, jobOutputsPrefix(jobId), MAX_OUTPUT_PAGES);
  return removed.isOk()
    ? { deleted: removed.value.deleted }
    : { error: `${removed.error.kind}: ${removed.error.message}` };
};
