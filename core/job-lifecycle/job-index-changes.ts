// Which indexes a job transition touches: the pending queue (by claimable time), the running-job index, the
// outbox of finished jobs whose client webhook is owed, and its owner's unfinished jobs and monthly spend.
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

export interface JobIndexChanges {
  readonly pending: PendingIndexChange;
  readonly active: ActiveIndexChange;
  /** The job has just reached a terminal status: its webhook (if it has one) is now owed. */
  readonly finished: boolean;
  /** A finished job runs again (a client retry): it is one of its owner's unfinished jobs once more. */
  readonly reopened: boolean;
  /** The cost this transition commits (a job completing), charged to its owner's month; 0 for any other. */
  readonly chargeUsd: number;
}

/** The index writes that keep `jobs:pending`, `jobs:active` and the webhook outbox in step with `before` → `after`. */
export const jobIndexChanges = (before: JobState, after: Job): JobIndexChanges => {
  const wasPending = before.status === "pending";
  const wasRunning = before.status === "running";
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
  const finished =
    isTerminalStatus(after.status) && (before.status === "none" || !isTerminalStatus(before.status));
  const reopened =
    before.status !== "none" && isTerminalStatus(before.status) && !isTerminalStatus(after.status);
  const chargeUsd = finished && after.status === "completed" ? (after.costUsd ?? 0) : 0;
  return { pending, active, finished, reopened, chargeUsd };
};
