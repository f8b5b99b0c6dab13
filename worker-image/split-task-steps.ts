// The steps every split task shares: run its ffmpeg with progress and the time limit, store what it wrote, fetch
// the work files for the stitch, and complete the job with the machine time of every task.
import { mkdir, readdir, readFile } from "node:fs/promises";
import { dirname, join, relative } from "node:path";
import { err, ok, type Result } from "neverthrow";
import { CONTENT_TYPES, type FfmpegCommand, type FfmpegPlan } from "../core/ffmpeg/ffmpeg-plan.ts";
import { type PlanFfmpegInput, planFfmpeg } from "../core/ffmpeg/plan-ffmpeg.ts";
import type { Job } from "../core/job-lifecycle/job-state.ts";
import type { JobOutput } from "../core/job-output.ts";
import type { MachineGuest } from "../core/machine-guest.ts";
import { outputPrefix } from "../core/output-keys.ts";
import { FLY_PRICES_2026, priceMachineTime } from "../core/price-machine-time.ts";
import { workFileDestination } from "../core/split/plan-task-commands.ts";
import { chunkName, type SplitTask, splitTaskId, splitWorkPrefix } from "../core/split/split-tasks.ts";
import type { JobStore } from "../shell/redis/job-store.ts";
import { deletePrefix } from "../shell/storage/delete-prefix.ts";
import type { ObjectStore, ObjectSummary } from "../shell/storage/object-store.ts";
import { downloadObject } from "./download-input.ts";
import { describeTransitionError } from "./fenced-job.ts";
import {
  ffmpegFailed,
  ffmpegTimedOut,
  inputUnavailable,
  type JobFailure,
  planRejected,
  uploadFailed,
  workerFault,
} from "./job-failure.ts";
import { describeExit, runTool } from "./run-tool.ts";
import { FFMPEG_KILL_GRACE_MS, type MediaTools } from "./transcode-media.ts";
import type { Log } from "./worker-log.ts";

export interface SplitTaskDeps {
  readonly jobs: Pick<JobStore, "transitionFrom" | "load">;
  readonly input: ObjectStore;
  readonly output: ObjectStore;
  readonly tools: MediaTools;
  readonly guest: MachineGuest;
  readonly retryPolicy: Parameters<JobStore["transitionFrom"]>[2];
  readonly clock: () => number;
  readonly log: Log;
}

export interface TaskHooks {
  readonly signal: AbortSignal;
  readonly stopFailure: () => JobFailure;
  readonly onPercent: (percent: number) => void;
}

/** Where a stitch works: its directory, the outputs under it, the work prefix, and when its task started. */
export interface StitchWhere {
  readonly dir: string;
  readonly outDir: string;
  readonly prefix: string;
  readonly startedAt: number;
}

/** Listing pages of work files the stitch deletes (1,000 keys each: far more than a split writes). */
const WORK_PAGES_DELETED = 10;

export type Step<T> = Promise<Result<T, JobFailure>>;

export const runFfmpeg = async (
  deps: SplitTaskDeps,
  command: FfmpegCommand,
  purpose: string,
  hooks: TaskHooks,
  expectedSec: number,
): Step<void> => {
  let buffered = "";
  const started = await runTool([deps.tools.ffmpegPath, ...command.argv], {
    timeLimitMs: command.timeLimitMs,
    killGraceMs: FFMPEG_KILL_GRACE_MS,
    signal: hooks.signal,
    stderrLines: 20,
    onStdout: (text) => {
      buffered += text;
      const matches = [...buffered.matchAll(/out_time_us=(\d+)/g)];
      const last = matches.at(-1)?.[1];
      if (last !== undefined && expectedSec > 0) {
        hooks.onPercent(Math.min(99, Math.floor((Number(last) / 1e6 / expectedSec) * 100)));
      }
      buffered = buffered.slice(-200);
    },
  });
  if (!started.ok) return err(workerFault(started.error.message));
  if (started.run.stoppedBy === "aborted") return err(hooks.stopFailure());
  if (started.run.stoppedBy === "time-limit") return err(ffmpegTimedOut(command));
  if (started.run.exitCode === 0) return ok(undefined);
  const failure = ffmpegFailed(purpose, describeExit(started.run), started.run.stderrTail.join(" | "));
  return err(started.run.exitCode === null ? { ...failure, retryable: true } : failure);
};

const filesUnder = async (dir: string): Promise<string[]> => {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
};

/**
 * Stores what a task wrote: HLS segments among the job's outputs, the rest in its work prefix
 * (workFileDestination). A redone task overwrites its own files.
 */
export const storeWork = async (deps: SplitTaskDeps, job: Job, outDir: string): Step<void> => {
  const prefix = splitWorkPrefix(job);
  for (const path of await filesUnder(outDir)) {
    const name = relative(outDir, path);
    const to = workFileDestination(job.preset, name);
    const put = await deps.output.put(
      to.kind === "output" ? `${outputPrefix(job.jobId, job.preset)}${to.path}` : `${prefix}${to.path}`,
      new Uint8Array(await readFile(path)),
      { contentType: to.kind === "output" ? CONTENT_TYPES.ts : "application/octet-stream" },
    );
    if (put.isErr()) return err(uploadFailed(`${name}: ${put.error.kind}`));
  }
  return ok(undefined);
};

/** Every object under `prefix`, all pages, keyed by its path below the prefix. */
export const listUnder = async (deps: SplitTaskDeps, prefix: string): Step<Map<string, ObjectSummary>> => {
  const found = new Map<string, ObjectSummary>();
  let cursor: string | null = null;
  do {
    const page = await deps.output.list(prefix, cursor === null ? {} : { cursor });
    if (page.isErr()) return err(inputUnavailable(`cannot list ${prefix}: ${page.error.kind}`, true));
    for (const object of page.value.objects) found.set(object.key.slice(prefix.length), object);
    cursor = page.value.nextCursor;
  } while (cursor !== null);
  return ok(found);
};

const fetchWork = async (deps: SplitTaskDeps, prefix: string, into: string): Step<void> => {
  const listed = await listUnder(deps, prefix);
  if (listed.isErr()) return err(listed.error);
  for (const [name, object] of listed.value) {
    const path = join(into, name);
    await mkdir(dirname(path), { recursive: true });
    const got = await downloadObject(deps.output, object.key, path, new AbortController().signal);
    if (got.isErr()) return err(got.error);
  }
  return ok(undefined);
};

/** A stitch's start: the work files fetched into `<dir>/work`, the preset's plan for the whole file, its directories. */
export const prepareStitch = async (
  deps: SplitTaskDeps,
  request: PlanFfmpegInput,
  where: StitchWhere,
): Step<{ readonly work: string; readonly plan: FfmpegPlan }> => {
  const work = join(where.dir, "work");
  const fetched = await fetchWork(deps, where.prefix, work);
  if (fetched.isErr()) return err(fetched.error);
  const planned = planFfmpeg({ ...request, outDir: where.outDir });
  if (planned.isErr()) return err(planRejected(planned.error));
  for (const d of planned.value.directories) await mkdir(d, { recursive: true });
  return ok({ work, plan: planned.value });
};

/** The plan's poster, from the source (the stitched file is not read again). */
export const makePoster = async (deps: SplitTaskDeps, plan: FfmpegPlan, hooks: TaskHooks): Step<void> => {
  for (const command of plan.commands.filter((c) => c.purpose === "poster")) {
    const poster = await runFfmpeg(deps, command, "poster", hooks, 0);
    if (poster.isErr()) return poster;
  }
  return ok(undefined);
};

/** Machine time and cost of every task but this stitch (still running), completed ones only. */
const otherTaskCosts = async (
  deps: SplitTaskDeps,
  job: Job,
  task: Extract<SplitTask, { kind: "stitch" }>,
) => {
  const names = [...(task.hasAudio ? ["audio"] : []), ...task.chunks.map((c) => chunkName(c.index))];
  let machineSeconds = 0;
  let costUsd = 0;
  for (const name of names) {
    const loaded = await deps.jobs.load(splitTaskId(job, name));
    if (loaded.isOk() && loaded.value !== null) {
      machineSeconds += loaded.value.job.machineSeconds ?? 0;
      costUsd += loaded.value.job.costUsd ?? 0;
    }
  }
  return { machineSeconds, costUsd };
};

export const completeJob = async (
  deps: SplitTaskDeps,
  job: Job,
  task: Extract<SplitTask, { kind: "stitch" }>,
  outputs: readonly JobOutput[],
  where: { readonly prefix: string; readonly startedAt: number },
): Step<void> => {
  const others = await otherTaskCosts(deps, job, task);
  const ownSeconds = Math.max(0, (deps.clock() - where.startedAt) / 1000);
  const machineSeconds = others.machineSeconds + ownSeconds;
  const costUsd = others.costUsd + priceMachineTime(deps.guest, ownSeconds, FLY_PRICES_2026);
  const leaseToken = job.leaseToken ?? "";
  const done = await deps.jobs.transitionFrom(
    job,
    () => ({ type: "complete", leaseToken, outputs, costUsd, machineSeconds, at: deps.clock() }),
    deps.retryPolicy,
  );
  if (done.isErr()) {
    const reason = describeTransitionError(done.error);
    if (done.error.kind === "rejected" && done.error.rejection.code === "already-terminal")
      return ok(undefined);
    return err(workerFault(`cannot complete job ${job.jobId}: ${reason}`));
  }
  deps.log("split-job-completed", { jobId: job.jobId, outputs: outputs.length, machineSeconds, costUsd });
  // The work files are no longer needed (best effort: input retention deletes what is left, core/plan-input-retention).
  await deletePrefix(deps.output, where.prefix, WORK_PAGES_DELETED);
  return ok(undefined);
};
