// One claimed job in pool mode: download → transcode → upload → complete (or fail), fenced by the claim's lease,
// then the callback. The work directory is removed whatever happens.
import { mkdir, rm } from "node:fs/promises";
import { join } from "node:path";
import type { JobRetryPolicy } from "../core/decide-job-retry.ts";
import { type JobRejection, jobRejection } from "../core/job-lifecycle/job-rejection.ts";
import type { Job } from "../core/job-lifecycle/job-state.ts";
import type { JobOutput } from "../core/job-output.ts";
import type { MachineGuest } from "../core/machine-guest.ts";
import { FLY_PRICES_2026, priceMachineTime } from "../core/price-machine-time.ts";
import type { SplitSettings } from "../core/split/plan-chunks.ts";
import type { SplitTask } from "../core/split/split-tasks.ts";
import type { CallbackReport, CallbackSender } from "../shell/callbacks/callback-body.ts";
import type { JobStore } from "../shell/redis/job-store.ts";
import { discardRefusedOutputs } from "../shell/storage/discard-refused-outputs.ts";
import type { ObjectStore } from "../shell/storage/object-store.ts";
import type { AdmitPlan } from "./check-job-cost.ts";
import { localInputName } from "./download-input.ts";
import { describeTransitionError, fencedJob, isFencedOut } from "./fenced-job.ts";
import { type JobFailure, workerFault } from "./job-failure.ts";
import { listOutputFiles } from "./list-output-files.ts";
import { produceTask } from "./run-split-task.ts";
import { type SplitDeps, splitIfLong } from "./split-long-job.ts";
import { stageInput } from "./stage-input.ts";
import {
  FFMPEG_CANCEL_GRACE_MS,
  type MediaTools,
  type Transcoded,
  transcodeMedia,
} from "./transcode-media.ts";
import { uploadOutputs } from "./upload-outputs.ts";
import { type CheckClaim, watchClaim } from "./watch-claim.ts";
import type { Log } from "./worker-log.ts";
import { buildJobRecord, storeJobRecord } from "./write-job-record.ts";

export interface ClaimedJobDeps {
  readonly machineId: string;
  readonly jobs: Pick<JobStore, "transitionFrom" | "load">;
  /** Whether this claim on the job still stands (not cancelled, swept or retried elsewhere). */
  readonly checkClaim: (claim: {
    readonly jobId: string;
    readonly leaseToken: string;
  }) => ReturnType<CheckClaim>;
  /** How often a running job's claim is checked: a cancel stops ffmpeg within about this long. */
  readonly claimCheckMs: number;
  /** Checks a planned job's estimated cost against the budget before it runs (absent: every plan runs). */
  readonly admitPlan?: AdmitPlan;
  /** When a long job is split into tasks (core/split/plan-chunks.ts), and how the split is written. */
  readonly split: SplitSettings;
  readonly splitJob: SplitDeps["splitJob"];
  readonly input: ObjectStore;
  readonly output: ObjectStore;
  /** Sends a callback in the background (pool mode: Redis is authoritative, a callback never holds up the loop). */
  readonly notify: (sender: CallbackSender, report: CallbackReport) => void;
  readonly tools: MediaTools;
  readonly ffmpegVersion: string;
  readonly workDir: string;
  readonly retryPolicy: JobRetryPolicy;
  readonly guest: MachineGuest;
  readonly clock: () => number;
  readonly log: Log;
}

/** Why the worker may have to stop mid-job, and the failure to record for it. */
export interface JobStop {
  readonly signal: AbortSignal;
  readonly failure: () => JobFailure;
}

export type ClaimedJobOutcome =
  | { readonly kind: "completed"; readonly outputs: number }
  /** The job became split tasks (other claims run them); nothing else was recorded. */
  | { readonly kind: "split" }
  /** `requeued`: the retry policy put the job back in the queue. */
  | { readonly kind: "failed"; readonly code: string; readonly requeued: boolean }
  /** Someone else owns the job now; nothing was recorded. */
  | { readonly kind: "fenced-out"; readonly reason: string }
  /** The result could not be written (Redis unreachable); the lease sweep will requeue the job. */
  | { readonly kind: "unrecorded"; readonly reason: string };

/** Where a job's wall time went, in ms: logged with every completion. */
interface PhaseTimes {
  download: number;
  transcode: number;
  upload: number;
}

type Produced = {
  /** Null for a split task (its commands are not a whole job's). */
  readonly transcoded: Transcoded | null;
  readonly outputs: JobOutput[];
  readonly phases: PhaseTimes;
};

const produce = async (
  job: Job,
  deps: ClaimedJobDeps,
  hooks: {
    signal: AbortSignal;
    stopFailure: () => JobFailure;
    onPercent: (p: number) => void;
    abortGraceMs: () => number | undefined;
    admitPlan?: AdmitPlan;
  },
): Promise<{ ok: true; value: Produced } | { ok: false; error: JobFailure } | { ok: "split" }> => {
  const jobDir = join(deps.workDir, job.jobId);
  const inputPath = join(jobDir, localInputName(job.inputKey));
  const outDir = join(jobDir, "out");
  try {
    await mkdir(jobDir, { recursive: true });
  } catch (error) {
    return { ok: false, error: workerFault(`cannot create ${jobDir}: ${(error as Error).message}`) };
  }
  const phases: PhaseTimes = { download: 0, transcode: 0, upload: 0 };
  let mark = deps.clock();
  const lap = (phase: keyof PhaseTimes) => {
    const now = deps.clock();
    phases[phase] = now - mark;
    mark = now;
  };
  const staged = await stageInput(deps.input, job.inputKey, inputPath, {
    streamMinBytes: deps.tools.streamInputMinBytes ?? Number.POSITIVE_INFINITY,
    urlSeconds: deps.tools.limits.maxRunMs / 1000 + 3600,
    signal: hooks.signal,
  });
  lap("download");
  if (hooks.signal.aborted) return { ok: false, error: hooks.stopFailure() };
  if (staged.isErr()) return { ok: false, error: staged.error };
  const { inputPath: source, inputBytes, streamed } = staged.value;
  if (streamed) deps.log("input-streamed", { jobId: job.jobId, bytes: inputBytes });
  const split = await splitIfLong(job, { inputPath: source, inputBytes }, deps, hooks.signal);
  if (split !== "whole") return { ok: "split" };
  const transcoded = await transcodeMedia(
    deps.tools,
    { preset: job.preset, inputPath: source, inputBytes, outDir },
    hooks,
  );
  lap("transcode");
  if (transcoded.isErr()) return { ok: false, error: transcoded.error };
  const files = await listOutputFiles(transcoded.value.plan, outDir);
  if (files.isErr()) return { ok: false, error: files.error };
  // Once ffmpeg is done the upload runs to its end even if a stop arrives: completing beats handing back.
  const uploaded = await uploadOutputs(deps.output, job.jobId, job.preset, files.value);
  if (uploaded.isErr()) return { ok: false, error: uploaded.error };
  // Written before the job is marked completed, so a completed job's record is always there to read.
  const record = buildJobRecord({
    jobId: job.jobId,
    preset: job.preset,
    ffmpegVersion: deps.ffmpegVersion,
    transcoded: transcoded.value,
    outputs: uploaded.value,
    timings: { downloadMs: phases.download, transcodeMs: phases.transcode, uploadMs: deps.clock() - mark },
    at: deps.clock(),
  });
  const stored = await storeJobRecord(deps.output, record);
  lap("upload");
  if (stored.isErr()) return { ok: false, error: stored.error };
  return { ok: true, value: { transcoded: transcoded.value, outputs: uploaded.value, phases } };
};

/** A split job's task runs its part (run-split-task.ts) instead of a whole encode. */
const produceSplitTask = async (
  job: Job,
  meta: { readonly parent: string; readonly task: SplitTask },
  deps: ClaimedJobDeps,
  hooks: { signal: AbortSignal; stopFailure: () => JobFailure; onPercent: (p: number) => void },
  startedAt: number,
): ReturnType<typeof produce> => {
  const dir = join(deps.workDir, job.jobId);
  const done = await produceTask(job, meta, deps, hooks, dir, startedAt);
  if (hooks.signal.aborted) return { ok: false, error: hooks.stopFailure() };
  if (done.isErr()) return { ok: false, error: done.error };
  return {
    ok: true,
    value: { transcoded: null, outputs: [], phases: { download: 0, transcode: 0, upload: 0 } },
  };
};

export const runClaimedJob = async (
  claimed: Job,
  deps: ClaimedJobDeps,
  stop: JobStop,
  meta?: { readonly parent?: string | null; readonly task?: SplitTask | null },
): Promise<ClaimedJobOutcome> => {
  const startedAt = deps.clock();
  const { jobId } = claimed;
  const fencedOut = new AbortController();
  /** Why the store refused this attempt, when it did: what decides whether its outputs go. */
  let refusedBy: JobRejection | null = null;
  const job = fencedJob(claimed, {
    jobs: deps.jobs,
    policy: deps.retryPolicy,
    clock: deps.clock,
    log: deps.log,
    onFencedOut: (reason, error) => {
      if (error.kind === "rejected") refusedBy = error.rejection;
      fencedOut.abort(reason);
    },
  });
  /** A cancel that won leaves nothing behind: what this attempt uploaded is deleted (decide-refused-outputs.ts). */
  const discard = async (rejection: JobRejection | null) =>
    rejection ? discardRefusedOutputs(deps.output, jobId, rejection) : { deleted: 0 };
  const signal = AbortSignal.any([stop.signal, fencedOut.signal]);
  const notify = (report: CallbackReport) =>
    deps.notify({ jobId, leaseToken, machineId: deps.machineId }, report);

  deps.log("job-started", { jobId, preset: claimed.preset, attempt: claimed.attempts });
  const leaseToken = claimed.leaseToken ?? "";
  const stopWatching = watchClaim(
    jobId,
    () => deps.checkClaim({ jobId, leaseToken }),
    deps.claimCheckMs,
    (reason, status) => {
      // A cancel the claim check sees first is the refusal the next commit would meet: the same cleanup follows.
      if (status === "cancelled") refusedBy ??= jobRejection("already-terminal", "cancelled", reason);
      fencedOut.abort(reason);
    },
    deps.log,
  );
  let produced: Awaited<ReturnType<typeof produce>>;
  try {
    const hooks = {
      signal,
      stopFailure: stop.failure,
      onPercent: (percent: number) => job.progress(percent),
      // Cancelled or taken elsewhere: nothing of this run is kept. A stop keeps ffmpeg's usual grace.
      abortGraceMs: () => (fencedOut.signal.aborted ? FFMPEG_CANCEL_GRACE_MS : undefined),
      ...(deps.admitPlan !== undefined ? { admitPlan: deps.admitPlan } : {}),
    };
    const task = meta?.parent != null && meta.task != null ? { parent: meta.parent, task: meta.task } : null;
    produced =
      task === null
        ? await produce(claimed, deps, hooks)
        : await produceSplitTask(claimed, task, deps, hooks, startedAt);
  } finally {
    stopWatching();
    await rm(join(deps.workDir, jobId), { recursive: true, force: true }).catch(() => undefined);
  }
  if (produced.ok === "split") return { kind: "split" };
  if (fencedOut.signal.aborted) {
    const reason = String(fencedOut.signal.reason);
    deps.log("job-fenced-out", { jobId, reason, outputs: await discard(refusedBy) });
    return { kind: "fenced-out", reason };
  }

  const machineSeconds = Math.max(0, (deps.clock() - startedAt) / 1000);
  const costUsd = priceMachineTime(deps.guest, machineSeconds, FLY_PRICES_2026);
  const finished = produced.ok
    ? await job.finish((leaseToken, at) => ({
        type: "complete",
        leaseToken,
        outputs: produced.value.outputs,
        costUsd,
        machineSeconds,
        at,
      }))
    : await job.finish((leaseToken, at) => ({ type: "fail", leaseToken, error: produced.error, at }));
  if (!finished.ok) {
    const reason = describeTransitionError(finished.error);
    const rejection = finished.error.kind === "rejected" ? finished.error.rejection : null;
    deps.log("job-not-recorded", { jobId, reason, outputs: await discard(rejection) });
    return isFencedOut(finished.error) ? { kind: "fenced-out", reason } : { kind: "unrecorded", reason };
  }
  if (produced.ok) {
    const { outputs, phases, transcoded } = produced.value;
    if (transcoded === null) {
      deps.log("task-completed", { jobId, machineSeconds, costUsd });
      return { kind: "completed", outputs: 0 };
    }
    deps.log("job-completed", {
      jobId,
      outputs: outputs.length,
      phasesMs: phases,
      machineSeconds,
      costUsd,
      ffmpegVersion: deps.ffmpegVersion,
      argv: transcoded.argv,
      notes: transcoded.notes,
    });
    notify({
      kind: "completed",
      outputs,
      costUsd,
      machineSeconds,
      ffmpegVersion: deps.ffmpegVersion,
      argv: transcoded.argv,
      notes: transcoded.notes,
    });
    return { kind: "completed", outputs: outputs.length };
  }
  const requeued = finished.job.status === "pending";
  deps.log("job-failed", { jobId, error: produced.error, requeued });
  notify({ kind: "failed", error: produced.error });
  return { kind: "failed", code: produced.error.code, requeued };
};
