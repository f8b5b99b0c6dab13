// The cron's look at jobs still waiting for their input (jobs:intake, due first, a bounded number per run): load →
// HEAD the input → decide (core/decide-intake-check.ts) → take the upload as its storage event would have (one lost
// in an outage), look again later, or cancel the job (upload-expired) and abort its multipart upload.
import { decideIntakeCheck } from "../../../core/decide-intake-check.ts";
import type { JobRecord } from "../../redis/job-record.ts";
import type { TimeIndexEntry } from "../../redis/time-index.ts";
import type { ControlPlaneDeps } from "../config/control-plane-deps.ts";
import { intakeCheckPolicy } from "./persist-new-job.ts";
import { takeStoredUpload } from "./take-stored-upload.ts";

/** Jobs looked at per cron run; the rest stay due for the next runs. */
export const INTAKE_CHECKS_PER_RUN = 25;

export interface WaitingUploadsReport {
  /** Taken from storage (enqueued, or refused and deleted) although no storage event had taken them. */
  readonly repaired: readonly string[];
  /** Cancelled: nothing arrived by the upload URL's expiry plus the grace. */
  readonly expired: readonly string[];
  readonly waiting: number;
  readonly errors: readonly string[];
}

type Checked =
  | { readonly kind: "repaired" | "expired" | "waiting" | "dropped"; readonly jobId: string }
  | { readonly kind: "error"; readonly jobId: string; readonly error: string };

export const checkWaitingUploads = async (
  deps: ControlPlaneDeps,
): Promise<WaitingUploadsReport | { readonly error: string }> => {
  const now = deps.clock();
  const due = await deps.jobIndexes.intake.due(now, INTAKE_CHECKS_PER_RUN);
  if (due.isErr()) return { error: due.error.kind };
  const checked = await Promise.all(due.value.map((entry) => checkOne(deps, entry, now)));
  for (const c of checked) {
    if (c.kind === "repaired" || c.kind === "expired") deps.log.info(`intake.${c.kind}`, { jobId: c.jobId });
  }
  const ids = (kind: Checked["kind"]) => checked.flatMap((c) => (c.kind === kind ? [c.jobId] : []));
  return {
    repaired: ids("repaired"),
    expired: ids("expired"),
    waiting: ids("waiting").length,
    errors: checked.flatMap((c) => (c.kind === "error" ? [`${c.jobId}: ${c.error}`] : [])),
  };
};

const checkOne = async (deps: ControlPlaneDeps, entry: TimeIndexEntry, now: number): Promise<Checked> => {
  const { jobId } = entry;
  const fail = (error: string): Checked => ({ kind: "error", jobId, error });
  const loaded = await deps.jobs.load(jobId);
  if (loaded.isErr()) return fail(loaded.error.kind);
  const record = loaded.value;
  if (record === null) {
    await deps.jobIndexes.intake.settle(entry);
    return { kind: "dropped", jobId };
  }
  const { job, meta } = record;
  const head = await deps.inputs.head(job.inputKey);
  if (head.isErr() && head.error.kind !== "not-found") return fail(`storage ${head.error.kind}`);
  const decision = decideIntakeCheck(
    {
      now,
      job,
      uploadExpiresAt: meta.upload?.expiresAt ?? null,
      storedSize: head.isOk() ? head.value.size : null,
    },
    intakeCheckPolicy(deps),
  );
  switch (decision.kind) {
    case "repair": {
      const size = head.isOk() ? head.value.size : (job.inputSize ?? 0);
      const taken = await takeStoredUpload(deps, record, { key: job.inputKey, size });
      return taken.isOk() ? { kind: "repaired", jobId } : fail(taken.error.message);
    }
    case "wait": {
      const moved = await deps.jobIndexes.intake.reschedule(entry, decision.nextCheckAt);
      return moved.isOk() ? { kind: "waiting", jobId } : fail(moved.error.kind);
    }
    case "expire":
      return expire(deps, record, decision.reason);
    case "drop": {
      const settled = await deps.jobIndexes.intake.settle(entry);
      return settled.isOk() ? { kind: "dropped", jobId } : fail(settled.error.kind);
    }
    default: {
      const unhandled: never = decision;
      throw new Error(`unhandled intake check ${JSON.stringify(unhandled)}`);
    }
  }
};

/** Cancels the job only if it still waits for its upload (a late event wins), then aborts its multipart upload. */
const expire = async (deps: ControlPlaneDeps, { job, meta }: JobRecord, reason: string): Promise<Checked> => {
  const { jobId } = job;
  const cancelled = await deps.jobs.transitionFrom(
    job,
    { type: "expire-upload", reason, at: deps.clock() },
    deps.config.retryPolicy,
  );
  if (cancelled.isErr()) {
    // The upload arrived (or the job was cancelled) meanwhile: that commit took it out of the index.
    if (cancelled.error.kind === "rejected") return { kind: "dropped", jobId };
    return { kind: "error", jobId, error: cancelled.error.kind };
  }
  const multipartId = meta.upload?.multipartId ?? null;
  if (multipartId !== null) {
    const aborted = await deps.inputs.abortMultipart(job.inputKey, multipartId);
    // Not found: never begun, or already gone. Any other failure leaves it to R2, which drops it after 7 days.
    if (aborted.isErr() && aborted.error.kind !== "not-found") {
      deps.log.warn("intake.abort-failed", { jobId, error: aborted.error.kind });
    }
  }
  return { kind: "expired", jobId };
};
