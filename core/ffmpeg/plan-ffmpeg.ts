// Turns a preset and a probed input into the ffmpeg commands to run, the files they leave and the guest to use.
import { ok, type Result } from "neverthrow";
import type { PresetName } from "../preset-names.ts";
import {
  type CheckedInput,
  checkInput,
  type InputFacts,
  type PlanLimits,
  type PlanRejection,
} from "./check-input.ts";
import type { CopyContainer } from "./copy-containers.ts";
import { type AudioOverhangRule, decideOutputDuration } from "./decide-output-duration.ts";
import { describePlanDecisions } from "./describe-plan-decisions.ts";
import type { FfmpegPlan, StepContext, TranscodeStep } from "./ffmpeg-plan.ts";
import { planCopy } from "./plan-copy.ts";
import { planHls } from "./plan-hls.ts";
import { planMp4 } from "./plan-mp4.ts";
import { planPoster } from "./plan-poster.ts";
import { planQualityChecks } from "./plan-quality-check.ts";
import { guestFor, PRESETS, type PresetRecipe } from "./presets.ts";
import { inputReadOptions, type ProbeDepth, type ProbeSummary } from "./probe-summary.ts";

export interface PlanFfmpegInput extends InputFacts {
  readonly preset: PresetName;
  readonly probe: ProbeSummary;
  /** Local path of the downloaded input, passed to ffmpeg as is: use an absolute path (a relative one with a
   * colon, "a:b.mp4", would be read as a protocol). */
  readonly inputPath: string;
  /** Local directory for the outputs (absolute, same reason); planned output paths are relative to it. */
  readonly outDir: string;
  readonly limits: PlanLimits;
  /** How hard ffprobe had to look to recognise the input; ffmpeg opens it the same way. */
  readonly probeDepth?: ProbeDepth;
  /** Stream copy only: the container the output must be (single-job mode: OUTPUT_URL's extension). */
  readonly copyContainer?: CopyContainer;
}

const OVERHANG_RULES: Readonly<Record<PresetRecipe["kind"], AudioOverhangRule>> = {
  mp4: "keep-long-audio",
  hls: "end-with-video",
  copy: "keep-as-is",
};

/** The checked input as one preset sees it: the output's length and cut follow the preset's overhang rule. */
const forPreset = (input: CheckedInput, recipe: PresetRecipe): CheckedInput => {
  const decided = decideOutputDuration({
    video: input.videoSpan,
    ...(input.audio !== undefined && input.audioSpan !== undefined ? { audio: input.audioSpan } : {}),
    ...(input.clockStartSec !== undefined ? { clockStartSec: input.clockStartSec } : {}),
    rule: OVERHANG_RULES[recipe.kind],
  });
  return {
    ...input,
    durationSec: decided.durationSec,
    ...(decided.cutAtSec !== undefined ? { cutAtSec: decided.cutAtSec } : {}),
    notes: [...input.notes, ...decided.notes],
  };
};

const planStep = (
  input: CheckedInput,
  request: PlanFfmpegInput,
  ctx: StepContext,
): Result<TranscodeStep, PlanRejection> => {
  const { preset } = request;
  const recipe = PRESETS[preset].recipe;
  switch (recipe.kind) {
    case "mp4":
      return ok(planMp4(input, recipe, preset, ctx));
    case "hls":
      return ok(planHls(input, recipe, preset, ctx));
    case "copy":
      return planCopy(input, preset, ctx, request.copyContainer);
    default: {
      const unreachable: never = recipe;
      throw new Error(`unknown preset recipe ${JSON.stringify(unreachable)}`);
    }
  }
};

/** HLS outputs have a keyframe at every segment start: the quality check's windows start there too. */
const keyframeGrid = (recipe: PresetRecipe): { readonly keyframeGridSec?: number } =>
  recipe.kind === "hls" ? { keyframeGridSec: recipe.segmentSec } : {};

/** The checked input as the preset sees it (its length and cut): what split tasks plan their commands from. */
export const checkForPreset = (request: PlanFfmpegInput): Result<CheckedInput, PlanRejection> =>
  checkInput(request.probe, request.limits, request).map((checked) =>
    forPreset(checked, PRESETS[request.preset].recipe),
  );

export const planFfmpeg = (request: PlanFfmpegInput): Result<FfmpegPlan, PlanRejection> =>
  checkInput(request.probe, request.limits, request).andThen((checked) => {
    const input = forPreset(checked, PRESETS[request.preset].recipe);
    const ctx: StepContext = {
      inputPath: request.inputPath,
      outDir: request.outDir,
      maxRunMs: request.limits.maxRunMs,
      inputOptions: inputReadOptions(request.inputPath, request.probeDepth ?? "normal"),
    };
    const poster = planPoster(input, { ...ctx, preset: request.preset });
    const recipe = PRESETS[request.preset].recipe;
    const reencodes = recipe.kind !== "copy";
    return planStep(input, request, ctx).map((step): FfmpegPlan => {
      const notes = [...input.notes, ...(step.notes ?? [])];
      const outputs = [...step.outputs, poster.output];
      return {
        directories: step.directories,
        commands: [step.command, poster.command],
        outputs,
        expected: step.expected,
        guest: guestFor(request.preset, input.sourcePixels),
        notes,
        decisions: describePlanDecisions(input, step.expected, reencodes, notes),
        // A copy's video is the source's own stream: there is nothing to score.
        quality: reencodes
          ? planQualityChecks(
              { outputs, expected: step.expected },
              { ...ctx, input, ...keyframeGrid(recipe) },
            )
          : [],
      };
    });
  });

/**
 * Whether the worker must measure the input's packets before planning: the probe states no usable span for the
 * streams the plan would transcode (elementary streams, "unknown" durations, a subtitle the container's duration
 * includes) and nothing was measured yet.
 */
export const needsPacketMeasuring = (
  probe: ProbeSummary,
  limits: PlanLimits,
  facts: InputFacts = {},
): boolean =>
  facts.measured === undefined &&
  checkInput(probe, limits, facts).match(
    () => false,
    (rejection) => rejection.code === "zero-duration",
  );
