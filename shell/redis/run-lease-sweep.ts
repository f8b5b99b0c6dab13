// The cron's lease sweep: snapshot → plan (core) → expire orphaned jobs via the job store → release the dead.
import type { ResultAsync } from "neverthrow";
import type { JobRetryPolicy } from "../../core/decide-job-retry.ts";
import { type LeaseSweepInput, planLeaseSweep } from "../../core/plan-lease-sweep.ts";
import { expireOrphanedJobs } from "./expire-orphaned-jobs.ts";
import { inRedisMonth } from "./in-redis-month.ts";
import type { JobStore, TransitionError } from "./job-store.ts";
import type { RedisKeys } from "./key-schema.ts";
import type { MachineStoreError } from "./machine-script.ts";
import type { ScriptRunner } from "./script-runner.ts";
import { type ActiveIndexEntry, readSweepSnapshot, releaseSwept } from "./sweep-scripts.ts";

export interface LeaseSweepReport {
  /** Redis time of the snapshot the sweep planned from. */
  readonly now: number;
  readonly requeued: number;
  readonly failed: number;
  /** Orphaned jobs someone else had already moved on (fenced out by their lease token). */
  readonly skipped: number;
  readonly machinesReleased: number;
  readonly reservationsDropped: number;
  /** Running-job index entries whose job was gone or no longer running under that lease. */
  readonly staleEntriesRemoved: number;
  /** Left for the next sweep: jobs whose transition failed, and index entries too corrupt to judge. */
  readonly errors: readonly { readonly jobId: string; readonly error: TransitionError | CorruptEntry }[];
}

export type CorruptEntry = { readonly kind: "corrupt-record"; readonly message: string };

export interface LeaseSweepConfig {
  /** Charged to the month for every dead machine or dropped reservation: its whole TTL, as admission reserved. */
  readonly machineMaxCostUsd: number;
}

type Classified =
  | { readonly kind: "running"; readonly job: LeaseSweepInput["activeJobs"][number] }
  | { readonly kind: "stale" }
  | { readonly kind: "corrupt"; readonly error: CorruptEntry };

/** An index entry is current only while its job runs under the entry's own lease token. */
const classify = (entry: ActiveIndexEntry): Classified => {
  const { job } = entry;
  if (job.status !== "running" || job.leaseToken !== entry.leaseToken) return { kind: "stale" };
  if (job.attempts === null || job.retryBase === null) {
    const message = `running job ${entry.jobId} has no readable attempts/retryBase`;
    return { kind: "corrupt", error: { kind: "corrupt-record", message } };
  }
  const { jobId, machineId, leaseToken } = entry;
  return {
    kind: "running",
    job: { jobId, machineId, leaseToken, attempts: job.attempts, retryBase: job.retryBase },
  };
};

export const runLeaseSweep = (
  runner: ScriptRunner,
  keys: RedisKeys,
  jobs: Pick<JobStore, "transition">,
  policy: JobRetryPolicy,
  config: LeaseSweepConfig,
): ResultAsync<LeaseSweepReport, MachineStoreError> =>
  readSweepSnapshot(runner, keys).andThen((snapshot) => {
    const classified = snapshot.active.map((entry) => ({ entry, as: classify(entry) }));
    const running = classified.flatMap(({ as }) => (as.kind === "running" ? [as.job] : []));
    const stale = classified.flatMap(({ entry, as }) => (as.kind === "stale" ? [entry] : []));
    const corrupt = classified.flatMap(({ entry, as }) =>
      as.kind === "corrupt" ? [{ jobId: entry.jobId, error: as.error }] : [],
    );
    const { now, leases, reservations } = snapshot;
    const plan = planLeaseSweep({ now, leases, activeJobs: running, reservations }, policy);
    const orphans = [...plan.requeue, ...plan.fail].map(({ jobId, leaseToken }) => ({ jobId, leaseToken }));

    return expireOrphanedJobs(jobs, policy, orphans, now).andThen((expiry) => {
      // A dead machine keeps its expired lease until all its jobs are handled, so the next sweep still sees it.
      const unhandled = new Set(expiry.errors.map((e) => e.jobId));
      const blocked = new Set(running.filter((job) => unhandled.has(job.jobId)).map((job) => job.machineId));
      const machineIds = plan.releaseMachines.filter((id) => !blocked.has(id));
      return inRedisMonth(now, (month) =>
        releaseSwept(runner, keys, month, config.machineMaxCostUsd, {
          machineIds,
          reservationIds: plan.dropReservations,
          staleEntries: stale,
        }),
      ).map(
        (released): LeaseSweepReport => ({
          now,
          requeued: expiry.requeued.length,
          failed: expiry.failed.length,
          skipped: expiry.skipped.length,
          ...released,
          errors: [...expiry.errors, ...corrupt],
        }),
      );
    });
  });
