// What an expired lease does to its job: requeue within the retry budget, else fail. Shared by the decider and
// the lease sweep so both always agree.
import { decideJobRetry, type JobRetryPolicy } from "../decide-job-retry.ts";
import type { JobError } from "./job-state.ts";

export const LEASE_EXPIRED = "lease-expired";
export const LEASE_EXPIRED_MAX_ATTEMPTS = "lease-expired-max-attempts";

export interface LeaseExpiryInput {
  /** The job's lifetime attempts and retry base (see Job). */
  readonly attempts: number;
  readonly retryBase: number;
  readonly machineId: string;
  readonly at: number;
}

export type LeaseExpiryDecision =
  | { readonly kind: "requeue"; readonly availableAt: number; readonly error: JobError }
  | { readonly kind: "fail"; readonly error: JobError };

export const decideLeaseExpiry = (input: LeaseExpiryInput, policy: JobRetryPolicy): LeaseExpiryDecision => {
  const lost = `worker ${input.machineId} lost its lease during attempt ${input.attempts}`;
  // A lost worker says nothing about the media, so the error is retryable: a client retry may well succeed.
  const decision = decideJobRetry(
    { attempts: input.attempts - input.retryBase, error: { retryable: true } },
    policy,
  );
  switch (decision.kind) {
    case "retry":
      return {
        kind: "requeue",
        availableAt: input.at + decision.delayMs,
        error: { code: LEASE_EXPIRED, message: lost, retryable: true },
      };
    case "give-up":
      return {
        kind: "fail",
        error: { code: LEASE_EXPIRED_MAX_ATTEMPTS, message: `${lost}; ${decision.reason}`, retryable: true },
      };
    default: {
      const unhandled: never = decision;
      throw new Error(`unhandled retry decision ${JSON.stringify(unhandled)}`);
    }
  }
};
