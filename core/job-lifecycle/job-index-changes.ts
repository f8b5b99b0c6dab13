// Which queue indexes a job transition touches: the pending queue (by claimable time) and the running-job index.
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
}

/** The index writes that keep `jobs:pending` and `jobs:active` in step with a job going from `before` to `after`. */
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
  return { pending, active };
};
