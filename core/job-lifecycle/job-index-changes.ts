// Which indexes a job transition touches: the pending queue (by claimable time), the running-job index, the
// outbox of finished jobs whose client webhook is owed, its owner's unfinished jobs and monthly spend, the jobs
// still waiting for their input, and the ended jobs (by end time, for input retention).
import { isTerminalStatus } from "../job-status.ts";
import type { Job, JobState } from "./job-state.ts";

export type PendingIndexChange =
  | { readonly op: "add"; readonly score: number }
  | { readonly op: "remove" }
  | { readonly op: "keep" };
export type ActiveIndexChange =
  | { readonly op: "set"; readonly machineId: string; readonly leaseToken: string }
  | { readonly op: "remove" }
  | { readonly op: "keep" };
/** Jobs join the intake index only when created (create-job.lua); a transition can only take them out. */
export type IntakeIndexChange = { readonly op: "remove" } | { readonly op: "keep" };
export type EndedIndexChange =
  | { readonly op: "add"; readonly score: number }
  | { readonly op: "remove" }
  | { readonly op: "keep" };

export interface JobIndexChanges {
  readonly pending: PendingIndexChange;
  readonly active: ActiveIndexChange;
  /** The job has just reached a terminal status: its webhook (if it has one) is now owed. */
  readonly finished: boolean;
  /** A finished job runs again (a client retry): it is one of its owner's unfinished jobs once more. */
  readonly reopened: boolean;
  /** The cost this transition commits (a job completing), charged to its owner's month; 0 for any other. */
  readonly chargeUsd: number;
  readonly intake: IntakeIndexChange;
  readonly ended: EndedIndexChange;
}

/** Statuses of a job whose input has not reached the work queue yet (the cron's intake check looks at these). */
export const awaitsInput = (state: JobState): boolean =>
  state.status === "uploading" || state.status === "queued";

/** The index writes that keep every job index in step with `before` → `after`. */
export const jobIndexChanges = (before: JobState, after: Job): JobIndexChanges => {
  const wasPending = before.status === "pending";
  const wasRunning = before.status === "running";
  const wasTerminal = before.status !== "none" && isTerminalStatus(before.status);
  const pendingScore = after.availableAt ?? after.updatedAt;
  const pending: PendingIndexChange =
    after.status === "pending"
      ? !wasPending || before.availableAt !== after.availableAt
        ? { op: "add", score: pendingScore }
        : { op: "keep" }
      : wasPending
        ? { op: "remove" }
        : { op: "keep" };
  const active: ActiveIndexChange =
    after.status === "running" && after.machineId !== null && after.leaseToken !== null
      ? wasRunning && before.leaseToken === after.leaseToken
        ? { op: "keep" }
        : { op: "set", machineId: after.machineId, leaseToken: after.leaseToken }
      : wasRunning
        ? { op: "remove" }
        : { op: "keep" };
  const finished = isTerminalStatus(after.status) && !wasTerminal;
  const reopened = wasTerminal && !isTerminalStatus(after.status);
  const chargeUsd = finished && after.status === "completed" ? (after.costUsd ?? 0) : 0;
  const intake: IntakeIndexChange =
    awaitsInput(before) && !awaitsInput(after) ? { op: "remove" } : { op: "keep" };
  const ended: EndedIndexChange = finished
    ? { op: "add", score: after.finishedAt ?? after.updatedAt }
    : reopened
      ? { op: "remove" }
      : { op: "keep" };
  return { pending, active, finished, reopened, chargeUsd, intake, ended };
};
