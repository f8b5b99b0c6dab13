// One job's media work on local disk: read the input (size, probe, packets if need be) → plan (core) → run the
// encode → check it while the poster is cut → score each video output's SSIM. An audio track whose decoder will not
// start is dropped and the job planned again without it. Every ffprobe/ffmpeg run is collected for the job's record.
import { mkdir, rm } from "node:fs/promises";
import { err, ok, type Result } from "neverthrow";
import type { PlanLimits } from "../core/ffmpeg/check-input.ts";
import type { CopyContainer } from "../core/ffmpeg/copy-containers.ts";
import type { FfmpegCommand, FfmpegPlan } from "../core/ffmpeg/ffmpeg-plan.ts";
import { parseFfmpegProgress, progressPercent } from "../core/ffmpeg/parse-ffmpeg-progress.ts";
import { planFfmpeg } from "../core/ffmpeg/plan-ffmpeg.ts";
import type { ProbeSummary } from "../core/ffmpeg/probe-summary.ts";
import { readableStderr } from "../core/ffmpeg/readable-stderr.ts";
import { audioToDropAfter } from "../core/ffmpeg/spot-undecodable-stream.ts";
import type { MeasuredSpans } from "../core/ffmpeg/stream-spans.ts";
import { type OnRun, type QualityScore, type RecordedRun, withoutUrlQueries } from "../core/job-record.ts";
import type { PresetName } from "../core/preset-names.ts";
import type { AdmitPlan } from "./check-job-cost.ts";
import { checkQuality } from "./check-quality.ts";
import { ffmpegFailed, ffmpegTimedOut, type JobFailure, planRejected, workerFault } from "./job-failure.ts";
import { measureIfNeeded, type ReadInput, readInput } from "./read-input.ts";
import { describeExit, runTool } from "./run-tool.ts";
import { verifyOutput } from "./verify-output.ts";

export interface MediaTools {
  readonly ffmpegPath: string;
  readonly ffprobePath: string;
  readonly limits: PlanLimits;
  /** Pool inputs of at least this size are read in place over HTTP, not staged on disk (absent: always staged). */
  readonly streamInputMinBytes?: number;
}

export interface TranscodeRequest {
  readonly preset: PresetName;
  /** An absolute path (the core passes it to ffmpeg as it is), or a presigned URL for an input not staged on disk. */
  readonly inputPath: string;
  /** The input's size when it is a URL. */
  readonly inputBytes?: number;
  readonly outDir: string;
  /** Stream copy in single-job mode: the container OUTPUT_URL's extension names. */
  readonly copyContainer?: CopyContainer;
}

export interface TranscodeHooks {
  /** Aborting stops ffmpeg; the caller decides what the stop means (its reason becomes the failure). */
  readonly signal: AbortSignal;
  /** Whole percent of the main encode, as ffmpeg reports it (unthrottled). */
  readonly onPercent: (percent: number) => void;
  /** Called with the reason the signal was aborted, to turn it into the job's failure. */
  readonly stopFailure: () => JobFailure;
  /** Lets a plan run before any of its commands do, or answers why not (the job's cost against the budget). */
  readonly admitPlan?: AdmitPlan;
  /** How long a stopped ffmpeg gets between SIGTERM and SIGKILL, asked when it is stopped (default 5 s). */
  readonly abortGraceMs?: () => number | undefined;
  /** Receives every ffprobe/ffmpeg run as it ends (transcodeMedia collects them for the job's record). */
  readonly onRun?: OnRun;
}

export interface Transcoded {
  readonly plan: FfmpegPlan;
  /** The exact argv (after the binary) of each command run, in order. */
  readonly argv: readonly (readonly string[])[];
  /** For the job's result: what the plan left out or kept (plan.notes). */
  readonly notes: readonly string[];
  /** The input's probe summary the plan was made from. */
  readonly probe: ProbeSummary;
  /** Every ffprobe/ffmpeg run of the job, in the order they ended. */
  readonly runs: readonly RecordedRun[];
  /** SSIM of each video output against the source (plan.quality), and the time the checks took. */
  readonly quality: readonly QualityScore[];
  readonly qualityMs: number;
}

/** SIGTERM lets ffmpeg close its files; a hung one gets SIGKILL after this. */
export const FFMPEG_KILL_GRACE_MS = 5_000;
/**
 * A cancelled job's outputs are thrown away: ffmpeg, which on SIGTERM still flushes its encoder's lookahead (seconds
 * at 4K), gets SIGKILL this soon after.
 */
export const FFMPEG_CANCEL_GRACE_MS = 500;

/** A failed command: the job's failure, and the stderr lines it was read from (the core reads them again). */
interface CommandFailure {
  readonly failure: JobFailure;
  readonly stderrTail: readonly string[];
}

const runCommand = async (
  tools: MediaTools,
  command: FfmpegCommand,
  context: { readonly expectedDurationSec: number; readonly inputPath: string },
  hooks: TranscodeHooks,
): Promise<Result<void, CommandFailure>> => {
  let buffered = "";
  const started = await runTool([tools.ffmpegPath, ...command.argv], {
    timeLimitMs: command.timeLimitMs,
    killGraceMs: FFMPEG_KILL_GRACE_MS,
    ...(hooks.abortGraceMs !== undefined ? { abortGraceMs: hooks.abortGraceMs } : {}),
    signal: hooks.signal,
    stderrLines: 20,
    ...(hooks.onRun !== undefined ? { record: { purpose: command.purpose, onRun: hooks.onRun } } : {}),
    onStdout: (text) => {
      if (command.purpose !== "transcode") return;
      const parsed = parseFfmpegProgress(buffered + text);
      buffered = parsed.rest;
      const last = parsed.blocks.at(-1);
      if (last !== undefined) hooks.onPercent(progressPercent(last.outTimeMs, context.expectedDurationSec));
    },
  });
  const fail = (failure: JobFailure, stderrTail: readonly string[] = []) => err({ failure, stderrTail });
  if (!started.ok) return fail(workerFault(started.error.message));
  const { run } = started;
  switch (run.stoppedBy) {
    case "time-limit":
      return fail(ffmpegTimedOut(command));
    case "aborted":
      return fail(hooks.stopFailure());
    case null:
      break;
    default: {
      const unreachable: never = run.stoppedBy;
      throw new Error(`unknown stop cause ${String(unreachable)}`);
    }
  }
  if (run.exitCode === 0) return ok(undefined);
  const why = readableStderr(run.stderrTail, context.inputPath);
  const failure = ffmpegFailed(command.purpose, describeExit(run), why);
  // Killed by a signal we did not send (the kernel's OOM killer): the machine's fault, worth a retry.
  return fail(run.exitCode === null ? { ...failure, retryable: true } : failure, run.stderrTail);
};

const freshDirectories = async (plan: FfmpegPlan, outDir: string): Promise<Result<void, JobFailure>> => {
  try {
    // A failed attempt may have left a partial output behind.
    await rm(outDir, { recursive: true, force: true });
    for (const dir of plan.directories) await mkdir(dir, { recursive: true });
    return ok(undefined);
  } catch (error) {
    return err(workerFault(`cannot create ${outDir}: ${(error as Error).message}`));
  }
};

/** Stops at the first failure; every failure is a value with a readable message. */
export const transcodeMedia = async (
  tools: MediaTools,
  request: TranscodeRequest,
  given: TranscodeHooks,
): Promise<Result<Transcoded, JobFailure>> => {
  const runs: RecordedRun[] = [];
  const onRun: OnRun = (run) => {
    // A presigned input URL is a credential for as long as it lasts: records and logs keep it without its query.
    const shown = { ...run, argv: withoutUrlQueries(run.argv) };
    runs.push(shown);
    given.onRun?.(shown);
  };
  const hooks: TranscodeHooks = { ...given, onRun };
  const input = await readInput(
    tools.ffprobePath,
    request.inputPath,
    tools.limits,
    hooks.signal,
    onRun,
    request.inputBytes,
  );
  if (hooks.signal.aborted) return err(hooks.stopFailure());
  if (input.isErr()) return err(input.error);
  const done = await planAndRun(tools, request, input.value, hooks, new Map(), undefined);
  if (done.isErr()) return err(done.error);
  // After the outputs are known good: scored one by one (CPU-bound, like the encode), never failing the job.
  const started = Date.now();
  const quality = await checkQuality(tools.ffmpegPath, done.value.plan.quality, Date.now, {
    signal: hooks.signal,
    onRun,
  });
  if (hooks.signal.aborted) return err(hooks.stopFailure());
  const qualityArgv = done.value.plan.quality.map((check) => check.argv);
  return ok({
    ...done.value,
    argv: [...done.value.argv, ...qualityArgv].map(withoutUrlQueries),
    probe: input.value.probe,
    runs,
    quality,
    qualityMs: Date.now() - started,
  });
};

type Ran = Omit<Transcoded, "probe" | "runs" | "quality" | "qualityMs">;

/** One attempt; when ffmpeg could not start the chosen audio track's decoder, the next attempt goes without it. */
const planAndRun = async (
  tools: MediaTools,
  request: TranscodeRequest,
  input: ReadInput,
  hooks: TranscodeHooks,
  undecodableAudio: ReadonlyMap<number, string>,
  measuredBefore: MeasuredSpans | undefined,
): Promise<Result<Ran, JobFailure>> => {
  const facts = {
    limits: tools.limits,
    undecodableAudio,
    ...(measuredBefore !== undefined ? { measured: measuredBefore } : {}),
  };
  const measured = await measureIfNeeded(
    tools.ffprobePath,
    request.inputPath,
    input,
    facts,
    hooks.signal,
    hooks.onRun,
  );
  if (hooks.signal.aborted) return err(hooks.stopFailure());
  if (measured.isErr()) return err(measured.error);
  const planned = planFfmpeg({
    preset: request.preset,
    probe: input.probe,
    inputPath: request.inputPath,
    outDir: request.outDir,
    limits: tools.limits,
    probeDepth: input.depth,
    undecodableAudio,
    ...(measured.value !== undefined ? { measured: measured.value } : {}),
    ...(request.copyContainer !== undefined ? { copyContainer: request.copyContainer } : {}),
  });
  if (planned.isErr()) return err(planRejected(planned.error));
  const plan = planned.value;
  const admitted = (await hooks.admitPlan?.(plan)) ?? ok(undefined);
  if (admitted.isErr()) return err(admitted.error);
  const ready = await freshDirectories(plan, request.outDir);
  if (ready.isErr()) return err(ready.error);
  const main = plan.commands.filter((c) => c.purpose === "transcode");
  const extras = plan.commands.filter((c) => c.purpose !== "transcode");
  const context = { expectedDurationSec: plan.expected.durationSec, inputPath: request.inputPath };
  for (const command of main) {
    const ran = await runCommand(tools, command, context, hooks);
    if (ran.isOk()) continue;
    const dropped = hooks.signal.aborted
      ? undefined
      : audioToDropAfter(input.probe, undecodableAudio, ran.error.stderrTail);
    if (dropped === undefined) return err(ran.error.failure);
    const without = new Map(undecodableAudio).set(dropped.index, dropped.reason);
    return planAndRun(tools, request, input, hooks, without, measured.value);
  }
  const finished = await verifyWhileExtrasRun(tools, plan, request, extras, hooks);
  if (finished.isErr()) return err(finished.error);
  return ok({ plan, argv: [...main, ...extras].map((c) => c.argv), notes: plan.notes });
};

/**
 * The check of the main output (an ffprobe, ~0.1 s of process start-up) runs alongside the poster: neither needs
 * the other, and the job is ready sooner. The first failure stops the other and is the one reported.
 */
const verifyWhileExtrasRun = async (
  tools: MediaTools,
  plan: FfmpegPlan,
  request: TranscodeRequest,
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
    verifyOutput(tools.ffprobePath, plan, request.outDir, signal, hooks.onRun).then(settle),
    (async () => {
      for (const command of extras) {
        if (signal.aborted) return;
        const context = { expectedDurationSec: plan.expected.durationSec, inputPath: request.inputPath };
        const ran = (await runCommand(tools, command, context, siblingHooks)).mapErr((e) => e.failure);
        settle(ran);
        if (ran.isErr()) return;
      }
    })(),
  ]);
  if (hooks.signal.aborted) return err(hooks.stopFailure());
  return first === null ? ok(undefined) : err(first);
};
