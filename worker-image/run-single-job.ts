// Single-job mode: the job comes from the environment (JOB_ID, INPUT_URL, OUTPUT_URL, PRESET, and RECORD_URL for
// the job's record), there is no Redis; the result is the exit code and, when CALLBACK_URL is set, the signed
// callback that records it.
import { mkdir, rm, stat } from "node:fs/promises";
import { basename, join } from "node:path";
import { err, ok, type Result } from "neverthrow";
import { checkOutputName } from "../core/ffmpeg/check-output-name.ts";
import { DEFAULT_PROGRESS_THROTTLE, shouldReportProgress } from "../core/ffmpeg/parse-ffmpeg-progress.ts";
import type { JobOutput } from "../core/job-output.ts";
import { FLY_PRICES_2026, priceMachineTime } from "../core/price-machine-time.ts";
import type { CallbackReport } from "../shell/callbacks/callback-body.ts";
import { deliverToPath, deliverToUrl, urlObjectName } from "./deliver-outputs.ts";
import { downloadUrl, localInputName } from "./download-input.ts";
import {
  inputUnavailable,
  type JobFailure,
  planRejected,
  workerFault,
  workerStopped,
} from "./job-failure.ts";
import { listOutputFiles } from "./list-output-files.ts";
import type { WorkerExit } from "./run-pool-worker.ts";
import type { CallbackClient } from "./send-callback.ts";
import { type MediaTools, type Transcoded, transcodeMedia } from "./transcode-media.ts";
import type { Location, SingleJobConfig } from "./worker-env.ts";
import type { Log } from "./worker-log.ts";
import { buildJobRecord, deliverJobRecord } from "./write-job-record.ts";

export interface SingleJobDeps {
  readonly tools: MediaTools;
  readonly ffmpegVersion: string;
  readonly callbacks: CallbackClient | null;
  /** Aborted (with the signal's name as reason) when the process is told to stop. */
  readonly stop: AbortSignal;
  readonly clock: () => number;
  readonly log: Log;
}

type Done = { readonly transcoded: Transcoded; readonly outputs: JobOutput[] };

const localInput = async (
  location: Location,
  jobDir: string,
  signal: AbortSignal,
): Promise<Result<string, JobFailure>> => {
  if (location.kind === "http") {
    const path = join(jobDir, localInputName(new URL(location.url).pathname));
    return (await downloadUrl(location.url, path, signal)).map(() => path);
  }
  const info = await stat(location.path).catch(() => null);
  return info?.isFile() ? ok(location.path) : err(inputUnavailable(`${location.path} is not a file`, false));
};

const work = async (
  config: SingleJobConfig,
  deps: SingleJobDeps,
  jobDir: string,
  onPercent: (percent: number) => void,
): Promise<Result<Done, JobFailure>> => {
  const stopFailure = () => workerStopped(String(deps.stop.reason));
  // What OUTPUT_URL's name promises is checked before anything is downloaded; stream copy also learns its container.
  const { output } = config;
  const named = checkOutputName(
    config.preset,
    output.kind === "file" ? basename(output.path) : urlObjectName(output.url),
    output.kind === "file" ? "path" : "url",
  );
  if (named.isErr()) return err(planRejected(named.error));
  try {
    await mkdir(jobDir, { recursive: true });
  } catch (error) {
    return err(workerFault(`cannot create ${jobDir}: ${(error as Error).message}`));
  }
  const startedAt = deps.clock();
  const input = await localInput(config.input, jobDir, deps.stop);
  const downloadedAt = deps.clock();
  if (deps.stop.aborted) return err(stopFailure());
  if (input.isErr()) return err(input.error);
  const outDir = join(jobDir, "out");
  const hooks = { signal: deps.stop, stopFailure, onPercent };
  const transcoded = await transcodeMedia(
    deps.tools,
    {
      preset: config.preset,
      inputPath: input.value,
      outDir,
      ...(named.value !== undefined ? { copyContainer: named.value } : {}),
    },
    hooks,
  );
  if (transcoded.isErr()) return err(transcoded.error);
  const transcodedAt = deps.clock();
  const files = await listOutputFiles(transcoded.value.plan, outDir);
  if (files.isErr()) return err(files.error);
  const delivered =
    config.output.kind === "file"
      ? await deliverToPath(files.value, config.output.path)
      : await deliverToUrl(files.value, config.output.url, Math.floor(deps.clock() / 1000));
  if (delivered.isErr() || config.record === null) {
    return delivered.map((outputs) => ({ transcoded: transcoded.value, outputs }));
  }
  const record = buildJobRecord({
    jobId: config.jobId,
    preset: config.preset,
    ffmpegVersion: deps.ffmpegVersion,
    transcoded: transcoded.value,
    outputs: delivered.value,
    timings: {
      downloadMs: downloadedAt - startedAt,
      transcodeMs: transcodedAt - downloadedAt,
      uploadMs: deps.clock() - transcodedAt,
    },
    at: deps.clock(),
  });
  const written = await deliverJobRecord(config.record, record);
  return written.map(() => ({ transcoded: transcoded.value, outputs: delivered.value }));
};

export const runSingleJob = async (config: SingleJobConfig, deps: SingleJobDeps): Promise<WorkerExit> => {
  const startedAt = deps.clock();
  const { jobId } = config;
  const sender =
    deps.callbacks !== null && config.leaseToken !== null
      ? { client: deps.callbacks, who: { jobId, leaseToken: config.leaseToken, machineId: config.machineId } }
      : null;
  // Progress callbacks go one at a time, best effort; the final report waits for them so it arrives last.
  let progressSent: Promise<unknown> = Promise.resolve();
  let last: { percent: number; at: number } | null = null;
  const onPercent = (percent: number) => {
    const now = deps.clock();
    if (sender === null || !shouldReportProgress({ percent, now, last }, DEFAULT_PROGRESS_THROTTLE)) return;
    last = { percent, at: now };
    progressSent = progressSent.then(() => sender.client.send(sender.who, { kind: "progress", percent }));
  };

  const jobDir = join(config.workDir, jobId);
  deps.log("job-started", { jobId, preset: config.preset, mode: "single" });
  let result: Result<Done, JobFailure>;
  try {
    result = await work(config, deps, jobDir, onPercent);
  } finally {
    await rm(jobDir, { recursive: true, force: true }).catch(() => undefined);
  }
  const machineSeconds = Math.max(0, (deps.clock() - startedAt) / 1000);
  let report: CallbackReport;
  if (result.isOk()) {
    const { transcoded, outputs } = result.value;
    const costUsd = priceMachineTime(config.guest ?? transcoded.plan.guest, machineSeconds, FLY_PRICES_2026);
    const argv = transcoded.argv;
    deps.log("job-completed", {
      jobId,
      outputs: outputs.length,
      machineSeconds,
      costUsd,
      argv,
      ffmpegVersion: deps.ffmpegVersion,
      notes: transcoded.notes,
    });
    report = {
      kind: "completed",
      outputs,
      costUsd,
      machineSeconds,
      ffmpegVersion: deps.ffmpegVersion,
      argv,
      notes: transcoded.notes,
    };
  } else {
    deps.log("job-failed", { jobId, error: result.error });
    report = { kind: "failed", error: result.error };
  }
  await progressSent;
  const sent = sender === null ? null : await sender.client.send(sender.who, report);
  if (result.isErr())
    return { code: 1, reason: `job ${jobId} failed: ${result.error.code}: ${result.error.message}` };
  if (sent?.isErr())
    return { code: 1, reason: `job ${jobId} completed but was not recorded: ${sent.error.message}` };
  return { code: 0, reason: `job ${jobId} completed` };
};
