// One job's media work on local disk: ffprobe → plan (core) → run the encode → check it while the poster is cut.
import { mkdir } from "node:fs/promises";
import { err, ok, type Result } from "neverthrow";
import type { PlanLimits } from "../core/ffmpeg/check-input.ts";
import type { FfmpegCommand, FfmpegPlan } from "../core/ffmpeg/ffmpeg-plan.ts";
import { parseFfmpegProgress, progressPercent } from "../core/ffmpeg/parse-ffmpeg-progress.ts";
import { planFfmpeg } from "../core/ffmpeg/plan-ffmpeg.ts";
import type { PresetName } from "../core/preset-names.ts";
import { ffmpegFailed, ffmpegTimedOut, type JobFailure, planRejected, workerFault } from "./job-failure.ts";
import { probeMedia, readableStderr } from "./probe-media.ts";
import { describeExit, runTool } from "./run-tool.ts";
import { verifyOutput } from "./verify-output.ts";

export interface MediaTools {
  readonly ffmpegPath: string;
  readonly ffprobePath: string;
  readonly limits: PlanLimits;
}

export interface TranscodeRequest {
  readonly preset: PresetName;
  /** Absolute paths (the core passes them to ffmpeg as they are). */
  readonly inputPath: string;
  readonly outDir: string;
}

export interface TranscodeHooks {
  /** Aborting stops ffmpeg; the caller decides what the stop means (its reason becomes the failure). */
  readonly signal: AbortSignal;
  /** Whole percent of the main encode, as ffmpeg reports it (unthrottled). */
  readonly onPercent: (percent: number) => void;
  /** Called with the reason the signal was aborted, to turn it into the job's failure. */
  readonly stopFailure: () => JobFailure;
}

export interface Transcoded {
  readonly plan: FfmpegPlan;
  /** The exact argv (after the binary) of each command run, in order. */
  readonly argv: readonly (readonly string[])[];
}

/** SIGTERM lets ffmpeg close its files; a hung one gets SIGKILL after this. */
export const FFMPEG_KILL_GRACE_MS = 5_000;

const runCommand = async (
  tools: MediaTools,
  command: FfmpegCommand,
  expectedDurationSec: number,
  hooks: TranscodeHooks,
): Promise<Result<void, JobFailure>> => {
  let buffered = "";
  const started = await runTool([tools.ffmpegPath, ...command.argv], {
    timeLimitMs: command.timeLimitMs,
    killGraceMs: FFMPEG_KILL_GRACE_MS,
    signal: hooks.signal,
    stderrLines: 20,
    onStdout: (text) => {
      if (command.purpose !== "transcode") return;
      const parsed = parseFfmpegProgress(buffered + text);
      buffered = parsed.rest;
      const last = parsed.blocks.at(-1);
      if (last !== undefined) hooks.onPercent(progressPercent(last.outTimeMs, expectedDurationSec));
    },
  });
  if (!started.ok) return err(workerFault(started.error.message));
  const { run } = started;
  switch (run.stoppedBy) {
    case "time-limit":
      return err(ffmpegTimedOut(command.purpose, command.timeLimitMs));
    case "aborted":
      return err(hooks.stopFailure());
    case null:
      break;
    default: {
      const unreachable: never = run.stoppedBy;
      throw new Error(`unknown stop cause ${String(unreachable)}`);
    }
  }
  if (run.exitCode === 0) return ok(undefined);
  const failure = ffmpegFailed(command.purpose, describeExit(run), readableStderr(run.stderrTail, ""));
  // Killed by a signal we did not send (the kernel's OOM killer): the machine's fault, worth a retry.
  return err(run.exitCode === null ? { ...failure, retryable: true } : failure);
};

/** Stops at the first failure; every failure is a value with a readable message. */
export const transcodeMedia = async (
  tools: MediaTools,
  request: TranscodeRequest,
  hooks: TranscodeHooks,
): Promise<Result<Transcoded, JobFailure>> => {
  const probe = await probeMedia(tools.ffprobePath, request.inputPath, hooks.signal);
  if (hooks.signal.aborted) return err(hooks.stopFailure());
  if (probe.isErr()) return err(probe.error);
  const planned = planFfmpeg({
    preset: request.preset,
    probe: probe.value,
    inputPath: request.inputPath,
    outDir: request.outDir,
    limits: tools.limits,
  });
  if (planned.isErr()) return err(planRejected(planned.error));
  const plan = planned.value;
  try {
    for (const dir of plan.directories) await mkdir(dir, { recursive: true });
  } catch (error) {
    return err(workerFault(`cannot create ${request.outDir}: ${(error as Error).message}`));
  }
  const main = plan.commands.filter((c) => c.purpose === "transcode");
  const extras = plan.commands.filter((c) => c.purpose !== "transcode");
  for (const command of main) {
    const ran = await runCommand(tools, command, plan.expected.durationSec, hooks);
    if (ran.isErr()) return err(ran.error);
  }
  const finished = await verifyWhileExtrasRun(tools, plan, request.outDir, extras, hooks);
  if (finished.isErr()) return err(finished.error);
  return ok({ plan, argv: [...main, ...extras].map((c) => c.argv) });
};

/**
 * The check of the main output (an ffprobe, ~0.1 s of process start-up) runs alongside the poster: neither needs
 * the other, and the job is ready sooner. The first failure stops the other and is the one reported.
 */
const verifyWhileExtrasRun = async (
  tools: MediaTools,
  plan: FfmpegPlan,
  outDir: string,
  extras: readonly FfmpegCommand[],
  hooks: TranscodeHooks,
): Promise<Result<void, JobFailure>> => {
  const sibling = new AbortController();
  const signal = AbortSignal.any([hooks.signal, sibling.signal]);
  let first: JobFailure | null = null;
  const settle = (result: Result<void, JobFailure>) => {
    if (result.isErr() && first === null && !hooks.signal.aborted) {
      first = result.error;
      sibling.abort();
    }
  };
  const siblingHooks: TranscodeHooks = { ...hooks, signal };
  await Promise.all([
    verifyOutput(tools.ffprobePath, plan, outDir, signal).then(settle),
    (async () => {
      for (const command of extras) {
        if (signal.aborted) return;
        const ran = await runCommand(tools, command, plan.expected.durationSec, siblingHooks);
        settle(ran);
        if (ran.isErr()) return;
      }
    })(),
  ]);
  if (hooks.signal.aborted) return err(hooks.stopFailure());
  return first === null ? ok(undefined) : err(first);
};
