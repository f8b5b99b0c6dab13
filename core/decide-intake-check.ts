// The cron's look at a job still waiting for its input (pure): repair it when its input is in storage although the
// storage event never took it (lost in an outage), wait and look again later, or cancel it once its upload URL and
// a grace have expired with nothing uploaded.
import { awaitsInput } from "./job-lifecycle/job-index-changes.ts";
import type { Job } from "./job-lifecycle/job-state.ts";

export interface IntakeCheckPolicy {
  /** How long after the upload URL expires an upload may still arrive (a PUT begun just before the expiry). */
  readonly graceMs: number;
  /** The first look comes this long after the job was created; storage events normally arrive well before. */
  readonly firstCheckMs: number;
  /** Each later look waits as long as the job is old (looks at 1, 2, 4, 8… min), but never longer than this. */
  readonly maxCheckIntervalMs: number;
}

export const MAX_INTAKE_CHECK_INTERVAL_MS = 15 * 60_000;

export interface IntakeCheckInput {
  /** ms, the clock the upload URLs were signed with. */
  readonly now: number;
  readonly job: Job;
  /** When the job's upload URLs stop working; null when unknown (then its creation counts). */
  readonly uploadExpiresAt: number | null;
  /** The object at the job's input key, if any. */
  readonly storedSize: number | null;
}

export type IntakeCheckDecision =
  /** Take the input as its storage event would have (it is there, or it was accepted and never enqueued). */
  | { readonly kind: "repair" }
  | { readonly kind: "wait"; readonly nextCheckAt: number }
  | { readonly kind: "expire"; readonly reason: string }
  /** The job no longer waits for its input: a stale index entry. */
  | { readonly kind: "drop" };

/** When the cron first looks at a new upload job. */
export const firstIntakeCheckAt = (createdAt: number, policy: IntakeCheckPolicy): number =>
  createdAt + policy.firstCheckMs;

export const decideIntakeCheck = (
  input: IntakeCheckInput,
  policy: IntakeCheckPolicy,
): IntakeCheckDecision => {
  const { now, job, uploadExpiresAt, storedSize } = input;
  if (!awaitsInput(job)) return { kind: "drop" };
  if (job.status === "queued" || storedSize !== null) return { kind: "repair" };
  const urlExpiresAt = uploadExpiresAt ?? job.createdAt;
  const deadline = urlExpiresAt + policy.graceMs;
  if (now >= deadline) {
    const urlFor = duration(urlExpiresAt - job.createdAt);
    return {
      kind: "expire",
      reason:
        `upload-expired: no upload arrived within ${duration(deadline - job.createdAt)} ` +
        `(the upload URL's ${urlFor} and a ${duration(policy.graceMs)} grace)`,
    };
  }
  const age = Math.max(0, now - job.createdAt);
  const interval = Math.min(policy.maxCheckIntervalMs, Math.max(policy.firstCheckMs, age));
  return { kind: "wait", nextCheckAt: Math.min(deadline, now + interval) };
};

/**
 * "45 s", "15 min", "6 h 10 min": whole seconds under ten minutes, whole minutes from there (a URL signed a moment
 * before its job was written still reads "15 min").
 */
export const duration = (ms: number): string => {
  const coarse = ms >= 10 * 60_000;
  const seconds = coarse ? Math.round(ms / 60_000) * 60 : Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(seconds / 3600);
  const min = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  const parts = [h > 0 ? `${h} h` : "", min > 0 ? `${min} min` : "", s > 0 ? `${s} s` : ""].filter(Boolean);
  return parts.length > 0 ? parts.join(" ") : "0 s";
};
