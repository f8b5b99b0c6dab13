// One claimed task of a split job (core/split/split-tasks.ts): a chunk or the audio encodes its part from the
// presigned input into the job's work prefix; the stitch joins them without re-encoding, checks the result,
// uploads the outputs and completes the job with the machine time of every task. What the task itself costs is
// recorded on the task when the caller completes it.

import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join, relative } from "node:path";
import { err, ok, type Result } from "neverthrow";
import type { CheckedInput } from "../core/ffmpeg/check-input.ts";
import type { FfmpegCommand } from "../core/ffmpeg/ffmpeg-plan.ts";
import { checkForPreset, type PlanFfmpegInput, planFfmpeg } from "../core/ffmpeg/plan-ffmpeg.ts";
import { inputReadOptions } from "../core/ffmpeg/probe-summary.ts";
import type { Job } from "../core/job-lifecycle/job-state.ts";
import type { JobOutput } from "../core/job-output.ts";
import type { OnRun } from "../core/job-record.ts";
import type { MachineGuest } from "../core/machine-guest.ts";
import { FLY_PRICES_2026, priceMachineTime } from "../core/price-machine-time.ts";
import { checkStitchedDuration } from "../core/split/check-stitched.ts";
import {
  AUDIO_FILE,
  concatList,
  planAudioCommand,
  planChunkCommand,
  planMp4Stitch,
  type TaskContext,
} from "../core/split/plan-task-commands.ts";
import { chunkName, type SplitTask, splitTaskId, splitWorkPrefix } from "../core/split/split-tasks.ts";
import type { JobStore } from "../shell/redis/job-store.ts";
import type { ObjectStore } from "../shell/storage/object-store.ts";
import { downloadObject } from "./download-input.ts";
import { describeTransitionError } from "./fenced-job.ts";
import {
  ffmpegFailed,
  ffmpegTimedOut,
  inputUnavailable,
  type JobFailure,
  outputInvalid,
  planRejected,
  uploadFailed,
  workerFault,
} from "./job-failure.ts";
import { listOutputFiles } from "./list-output-files.ts";
import { probeMedia } from "./probe-media.ts";
import { readInput } from "./read-input.ts";
import { describeExit, runTool } from "./run-tool.ts";
import { FFMPEG_KILL_GRACE_MS, type MediaTools } from "./transcode-media.ts";
import { uploadOutputs } from "./upload-outputs.ts";
import { verifyOutput } from "./verify-output.ts";
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

type Step<T> = Promise<Result<T, JobFailure>>;

/** The input of the job the task belongs to, read in place: a chunk reads only its own byte ranges. */
const sourceUrl = async (deps: SplitTaskDeps, task: Job): Step<string> => {
  const hours = Math.ceil(deps.tools.limits.maxRunMs / 3_600_000) + 1;
  const signed = await deps.input.presignGet(task.inputKey, { expiresInSeconds: hours * 3600 });
  return signed.isOk() ? ok(signed.value.url) : err(inputUnavailable("cannot presign the input", true));
};

const readChecked = async (
  deps: SplitTaskDeps,
  task: Job,
  url: string,
  signal: AbortSignal,
  onRun?: OnRun,
) => {
  const size = await deps.input.head(task.inputKey);
  if (size.isErr()) return err(inputUnavailable(`${task.inputKey}: ${size.error.kind}`, true));
  const read = await readInput(
    deps.tools.ffprobePath,
    url,
    deps.tools.limits,
    signal,
    onRun,
    size.value.size,
  );
  if (read.isErr()) return err(read.error);
  const request = {
    preset: task.preset,
    probe: read.value.probe,
    inputPath: url,
    outDir: "",
    limits: deps.tools.limits,
    probeDepth: read.value.depth,
  };
  const checked = checkForPreset(request);
  if (checked.isErr()) return err(planRejected(checked.error));
  return ok({ input: checked.value, request, depth: read.value.depth });
};

const runFfmpeg = async (
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

/** Stores what a task wrote in the job's work prefix (a redone task overwrites its own files). */
const storeWork = async (deps: SplitTaskDeps, prefix: string, outDir: string): Step<void> => {
  for (const path of await filesUnder(outDir)) {
    const put = await deps.output.put(
      `${prefix}${relative(outDir, path)}`,
      new Uint8Array(await readFile(path)),
      {
        contentType: "application/octet-stream",
      },
    );
    if (put.isErr()) return err(uploadFailed(`${relative(outDir, path)}: ${put.error.kind}`));
  }
  return ok(undefined);
};

/** Runs one task in `dir`; a stitch also completes the job (its outputs and summed cost) before answering. */
export const produceTask = async (
  claimed: Job,
  meta: { readonly parent: string; readonly task: SplitTask },
  deps: SplitTaskDeps,
  hooks: TaskHooks,
  dir: string,
  startedAt: number,
): Step<void> => {
  const parent = await deps.jobs.load(meta.parent);
  if (parent.isErr()) return err(workerFault(`cannot load job ${meta.parent}: ${parent.error.kind}`));
  if (parent.value === null)
    return err({ code: "job-gone", message: `job ${meta.parent} is gone`, retryable: false });
  const job = parent.value.job;
  // The job completed already: a stitch redone after its worker died between the two commits.
  if (job.status === "completed") return ok(undefined);
  const url = await sourceUrl(deps, claimed);
  if (url.isErr()) return err(url.error);
  const read = await readChecked(deps, claimed, url.value, hooks.signal);
  if (hooks.signal.aborted) return err(hooks.stopFailure());
  if (read.isErr()) return err(read.error);
  const { input, request, depth } = read.value;
  const outDir = join(dir, "out");
  await mkdir(outDir, { recursive: true });
  const ctx: TaskContext = {
    preset: claimed.preset,
    inputPath: url.value,
    inputOptions: inputReadOptions(url.value, depth),
    outDir,
    maxRunMs: deps.tools.limits.maxRunMs,
  };
  const prefix = splitWorkPrefix(job);
  const { task } = meta;
  switch (task.kind) {
    case "chunk": {
      const command = planChunkCommand(input, task.chunk, task.segmentS, ctx);
      const ran = await runFfmpeg(deps, command, "chunk", hooks, task.chunk.endS - task.chunk.startS);
      return ran.isErr() ? ran : storeWork(deps, prefix, outDir);
    }
    case "audio": {
      const ran = await runFfmpeg(
        deps,
        planAudioCommand(input, task.segmentS, ctx),
        "audio",
        hooks,
        input.durationSec,
      );
      return ran.isErr() ? ran : storeWork(deps, prefix, outDir);
    }
    case "stitch":
      return stitch(job, task, { input, request, url: url.value }, deps, hooks, {
        dir,
        outDir,
        prefix,
        startedAt,
      });
    default: {
      const unreachable: never = task;
      throw new Error(`unknown split task ${JSON.stringify(unreachable)}`);
    }
  }
};

const fetchWork = async (deps: SplitTaskDeps, prefix: string, into: string): Step<void> => {
  let cursor: string | null = null;
  do {
    const page = await deps.output.list(prefix, cursor === null ? {} : { cursor });
    if (page.isErr()) return err(inputUnavailable(`cannot list ${prefix}: ${page.error.kind}`, true));
    for (const object of page.value.objects) {
      const path = join(into, object.key.slice(prefix.length));
      await mkdir(dirname(path), { recursive: true });
      const got = await downloadObject(deps.output, object.key, path, new AbortController().signal);
      if (got.isErr()) return err(got.error);
    }
    cursor = page.value.nextCursor;
  } while (cursor !== null);
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

const stitch = async (
  job: Job,
  task: Extract<SplitTask, { kind: "stitch" }>,
  source: { readonly input: CheckedInput; readonly request: PlanFfmpegInput; readonly url: string },
  deps: SplitTaskDeps,
  hooks: TaskHooks,
  where: {
    readonly dir: string;
    readonly outDir: string;
    readonly prefix: string;
    readonly startedAt: number;
  },
): Step<void> => {
  const work = join(where.dir, "work");
  const fetched = await fetchWork(deps, where.prefix, work);
  if (fetched.isErr()) return fetched;
  const planned = planFfmpeg({ ...source.request, outDir: where.outDir });
  if (planned.isErr()) return err(planRejected(planned.error));
  const plan = planned.value;
  for (const d of plan.directories) await mkdir(d, { recursive: true });
  const listPath = join(work, "chunks.ffconcat");
  await writeFile(listPath, concatList(task.chunks, job.preset));
  const main = plan.outputs.find((o) => o.type === "video");
  if (main === undefined)
    return err(workerFault(`preset ${job.preset} has no single video output to stitch`));
  const outPath = join(where.outDir, main.path);
  const joined = await runFfmpeg(
    deps,
    planMp4Stitch(
      source.input,
      { listPath, audioPath: task.hasAudio ? join(work, AUDIO_FILE) : null, outPath },
      {
        preset: job.preset,
        maxRunMs: deps.tools.limits.maxRunMs,
      },
    ),
    "stitch",
    hooks,
    0,
  );
  if (joined.isErr()) return joined;
  const verified = await verifyOutput(deps.tools.ffprobePath, plan, where.outDir, hooks.signal);
  if (verified.isErr()) return verified;
  const probed = await probeMedia(deps.tools.ffprobePath, outPath, hooks.signal);
  if (probed.isErr())
    return err(outputInvalid(`the stitched output cannot be read back: ${probed.error.message}`));
  const exact = checkStitchedDuration(source.input, probed.value);
  if (exact.isErr()) return err(outputInvalid(exact.error));
  for (const command of plan.commands.filter((c) => c.purpose === "poster")) {
    const poster = await runFfmpeg(deps, command, "poster", hooks, 0);
    if (poster.isErr()) return poster;
  }
  const files = await listOutputFiles(plan, where.outDir);
  if (files.isErr()) return err(files.error);
  const uploaded = await uploadOutputs(deps.output, job.jobId, job.preset, files.value);
  if (uploaded.isErr()) return err(uploaded.error);
  return completeJob(deps, job, task, uploaded.value, where);
};

const completeJob = async (
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
  // The work files are no longer needed (best effort: a bucket lifecycle rule can sweep what is left).
  const listed = await deps.output.list(where.prefix);
  if (listed.isOk()) for (const o of listed.value.objects) await deps.output.delete(o.key);
  return ok(undefined);
};
