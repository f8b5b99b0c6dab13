// The cron sweep's plan: which orphaned jobs to requeue or fail, which expired machine leases and admission
// reservations to drop. A Redis script applies it, fenced by each job's lease token.
import type { JobRetryPolicy } from "./decide-job-retry.ts";
import { decideLeaseExpiry } from "./job-lifecycle/decide-lease-expiry.ts";
import type { JobError } from "./job-lifecycle/job-state.ts";

export interface LeaseSweepInput {
  /** Redis server time (ms), so every machine's clock agrees. */
  readonly now: number;
  readonly leases: readonly { readonly machineId: string; readonly expiresAt: number }[];
  /** Jobs in `running`, with the lease that claimed them (see Job for attempts and retryBase). */
  readonly activeJobs: readonly {
    readonly jobId: string;
    readonly machineId: string;
    readonly leaseToken: string;
    readonly attempts: number;
    readonly retryBase: number;
  }[];
  /** Admission reservations for machines being started. */
  readonly reservations: readonly { readonly reservationId: string; readonly expiresAt: number }[];
}

export interface LeaseSweepRequeue {
  readonly jobId: string;
  /** Apply only while this is still the job's lease token (and the machine's lease is still expired). */
  readonly leaseToken: string;
  readonly attempts: number;
  /** Earliest claim time: now plus the retry policy's backoff. */
  readonly availableAt: number;
  readonly error: JobError;
}

export interface LeaseSweepFail {
  readonly jobId: string;
  readonly leaseToken: string;
  /** Human-readable; the same text as error.message. */
  readonly reason: string;
  readonly error: JobError;
}

export interface LeaseSweepPlan {
  readonly requeue: readonly LeaseSweepRequeue[];
  readonly fail: readonly LeaseSweepFail[];
  /** Machines whose lease expired (expiresAt <= now). */
  readonly releaseMachines: readonly string[];
  /** Reservations that expired (expiresAt <= now). */
  readonly dropReservations: readonly string[];
}

/**
 * A running job is orphaned when its machine has no lease or an expired one. Its fate is decided exactly as the
 * lifecycle decider's `expire-lease` decides it (decideLeaseExpiry), so plan and decider never disagree.
 * Every list is sorted, so the same input always gives the same plan.
 */
export const planLeaseSweep = (input: LeaseSweepInput, policy: JobRetryPolicy): LeaseSweepPlan => {
  const isExpired = (expiresAt: number): boolean => expiresAt <= input.now;
  const leaseExpiry = new Map(input.leases.map((lease) => [lease.machineId, lease.expiresAt]));

  const requeue: LeaseSweepRequeue[] = [];
  const fail: LeaseSweepFail[] = [];
  for (const job of input.activeJobs) {
    const expiresAt = leaseExpiry.get(job.machineId);
    if (expiresAt !== undefined && !isExpired(expiresAt)) continue;
    const decision = decideLeaseExpiry(
      { attempts: job.attempts, retryBase: job.retryBase, machineId: job.machineId, at: input.now },
      policy,
    );
    switch (decision.kind) {
      case "requeue":
        requeue.push({
          jobId: job.jobId,
          leaseToken: job.leaseToken,
          attempts: job.attempts,
          availableAt: decision.availableAt,
          error: decision.error,
        });
        break;
      case "fail":
        fail.push({
          jobId: job.jobId,
          leaseToken: job.leaseToken,
          reason: decision.error.message,
          error: decision.error,
        });
        break;
      default: {
        const unhandled: never = decision;
        throw new Error(`unhandled lease expiry decision ${JSON.stringify(unhandled)}`);
      }
    }
  }

  return {
    requeue: requeue.sort((a, b) => compare(a.jobId, b.jobId)),
    fail: fail.sort((a, b) => compare(a.jobId, b.jobId)),
    releaseMachines: sortedUnique(
      input.leases.filter((lease) => isExpired(lease.expiresAt)).map((lease) => lease.machineId),
    ),
    dropReservations: sortedUnique(
      input.reservations.filter((r) => isExpired(r.expiresAt)).map((r) => r.reservationId),
    ),
  };
};

const sortedUnique = (ids: readonly string[]): string[] => [...new Set(ids)].sort(compare);

// Code-unit order, independent of locale, so the plan is the same on every runtime.
const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
