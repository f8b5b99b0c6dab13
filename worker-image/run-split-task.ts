// One claimed task of a split job (core/split/split-tasks.ts): a chunk or the audio encodes its part from the
// presigned input (MP4 pieces into the job's work prefix, HLS segments straight among its outputs); the stitch
// joins them without re-encoding (MP4 here, HLS in stitch-hls.ts), checks the result, uploads the outputs and
// completes the job with the machine time of every task. What the task itself costs is recorded on the task when
// the caller completes it.

import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { err, ok } from "neverthrow";
import type { CheckedInput } from "../core/ffmpeg/check-input.ts";
import { checkForPreset, type PlanFfmpegInput } from "../core/ffmpeg/plan-ffmpeg.ts";
import { PRESETS } from "../core/ffmpeg/presets.ts";
import { inputReadOptions } from "../core/ffmpeg/probe-summary.ts";
import type { Job } from "../core/job-lifecycle/job-state.ts";
import type { OnRun } from "../core/job-record.ts";
import { checkStitchedDuration } from "../core/split/check-stitched.ts";
import {
  AUDIO_FILE,
  AUDIO_RENDITION,
  concatList,
  planAudioCommand,
  planChunkCommand,
  planMp4Stitch,
  type TaskContext,
} from "../core/split/plan-task-commands.ts";
import { type SplitTask, splitWorkPrefix } from "../core/split/split-tasks.ts";
import { inputUnavailable, outputInvalid, planRejected, workerFault } from "./job-failure.ts";
import { listOutputFiles } from "./list-output-files.ts";
import { probeMedia } from "./probe-media.ts";
import { readInput } from "./read-input.ts";
import {
  completeJob,
  makePoster,
  prepareStitch,
  runFfmpeg,
  type SplitTaskDeps,
  type Step,
  type StitchWhere,
  storeWork,
  type TaskHooks,
} from "./split-task-steps.ts";
import { stitchHls } from "./stitch-hls.ts";
import { uploadOutputs } from "./upload-outputs.ts";
import { verifyOutput } from "./verify-output.ts";

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
      return ran.isErr() ? ran : storeWork(deps, job, outDir);
    }
    case "audio": {
      // The HLS rendition's directory (ffmpeg creates the chunks' %v directories, not this one).
      await mkdir(join(outDir, AUDIO_RENDITION), { recursive: true });
      const ran = await runFfmpeg(
        deps,
        planAudioCommand(input, task.segmentS, ctx),
        "audio",
        hooks,
        input.durationSec,
      );
      return ran.isErr() ? ran : storeWork(deps, job, outDir);
    }
    case "stitch": {
      const source = { input, request, url: url.value };
      const where = { dir, outDir, prefix, startedAt };
      return PRESETS[job.preset].recipe.kind === "hls"
        ? stitchHls(job, task, source, deps, hooks, where)
        : stitchMp4(job, task, source, deps, hooks, where);
    }
    default: {
      const unreachable: never = task;
      throw new Error(`unknown split task ${JSON.stringify(unreachable)}`);
    }
  }
};

const stitchMp4 = async (
  job: Job,
  task: Extract<SplitTask, { kind: "stitch" }>,
  source: { readonly input: CheckedInput; readonly request: PlanFfmpegInput; readonly url: string },
  deps: SplitTaskDeps,
  hooks: TaskHooks,
  where: StitchWhere,
): Step<void> => {
  const prepared = await prepareStitch(deps, source.request, where);
  if (prepared.isErr()) return err(prepared.error);
  const { work, plan } = prepared.value;
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
  const poster = await makePoster(deps, plan, hooks);
  if (poster.isErr()) return poster;
  const files = await listOutputFiles(plan, where.outDir);
  if (files.isErr()) return err(files.error);
  const uploaded = await uploadOutputs(deps.output, job.jobId, job.preset, files.value);
  if (uploaded.isErr()) return err(uploaded.error);
  return completeJob(deps, job, task, uploaded.value, where);
};
