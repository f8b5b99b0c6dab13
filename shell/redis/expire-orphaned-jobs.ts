// Runs the decider's `expire-lease` for jobs whose machine is gone, through the job store's compare-and-set.
import { okAsync, ResultAsync } from "neverthrow";
import type { JobRetryPolicy } from "../../core/decide-job-retry.ts";
import type { JobRejectionCode } from "../../core/job-lifecycle/job-rejection.ts";
import type { JobStore, TransitionError } from "./job-store.ts";

export interface OrphanedJob {
  readonly jobId: string;
  /** The lease the job was seen running under; the decider fences on it. */
  readonly leaseToken: string;
}

export interface OrphanExpiry {
  readonly requeued: readonly string[];
  readonly failed: readonly string[];
  /** Already moved on by someone else (another claim, a completion, a cancel, an earlier sweep). */
  readonly skipped: readonly string[];
  /** Transitions that could not be made now; the jobs stay orphaned and the next sweep finds them again. */
  readonly errors: readonly { readonly jobId: string; readonly error: TransitionError }[];
}

/** Rejections meaning the lease was already dealt with: the job is no longer running under that token. */
const ALREADY_HANDLED: readonly JobRejectionCode[] = ["stale-lease", "already-terminal", "not-found"];

type Outcome =
  | { readonly kind: "requeued" | "failed" | "skipped"; readonly jobId: string }
  | { readonly kind: "error"; readonly jobId: string; readonly error: TransitionError };

export const expireOrphanedJobs = (
  store: Pick<JobStore, "transition">,
  policy: JobRetryPolicy,
  jobs: readonly OrphanedJob[],
  at: number,
): ResultAsync<OrphanExpiry, never> => {
  const expireOne = ({ jobId, leaseToken }: OrphanedJob): ResultAsync<Outcome, never> =>
    store
      .transition(jobId, { type: "expire-lease", leaseToken, at }, policy)
      .map((job): Outcome => {
        if (job.status !== "pending" && job.status !== "failed") {
          throw new Error(`expire-lease left job ${jobId} ${job.status}`);
        }
        return { kind: job.status === "pending" ? "requeued" : "failed", jobId };
      })
      .orElse((error) =>
        okAsync<Outcome, never>(
          error.kind === "rejected" && ALREADY_HANDLED.includes(error.rejection.code)
            ? { kind: "skipped", jobId }
            : { kind: "error", jobId, error },
        ),
      );

  return ResultAsync.combine(jobs.map(expireOne)).map((outcomes) => ({
    requeued: outcomes.flatMap((o) => (o.kind === "requeued" ? [o.jobId] : [])),
    failed: outcomes.flatMap((o) => (o.kind === "failed" ? [o.jobId] : [])),
    skipped: outcomes.flatMap((o) => (o.kind === "skipped" ? [o.jobId] : [])),
    errors: outcomes.flatMap((o) => (o.kind === "error" ? [{ jobId: o.jobId, error: o.error }] : [])),
  }));
};
