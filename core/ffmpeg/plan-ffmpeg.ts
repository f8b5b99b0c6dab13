// Turns a preset and a probed input into the ffmpeg commands to run, the files they leave and the guest to use.
import { ok, type Result } from "neverthrow";
import type { PresetName } from "../preset-names.ts";
import { type CheckedInput, checkInput, type PlanLimits, type PlanRejection } from "./check-input.ts";
import type { FfmpegPlan, StepContext, TranscodeStep } from "./ffmpeg-plan.ts";
import { planCopy } from "./plan-copy.ts";
import { planHls } from "./plan-hls.ts";
import { planMp4 } from "./plan-mp4.ts";
import { planPoster } from "./plan-poster.ts";
import { guestFor, PRESETS } from "./presets.ts";
import type { ProbeSummary } from "./probe-summary.ts";

export interface PlanFfmpegInput {
  readonly preset: PresetName;
  readonly probe: ProbeSummary;
  /** Local path of the downloaded input, passed to ffmpeg as is: use an absolute path (a relative one with a
   * colon, "a:b.mp4", would be read as a protocol). */
  readonly inputPath: string;
  /** Local directory for the outputs (absolute, same reason); planned output paths are relative to it. */
  readonly outDir: string;
  readonly limits: PlanLimits;
}

const planStep = (
  input: CheckedInput,
  preset: PresetName,
  ctx: StepContext,
): Result<TranscodeStep, PlanRejection> => {
  const recipe = PRESETS[preset].recipe;
  switch (recipe.kind) {
    case "mp4":
      return ok(planMp4(input, recipe, preset, ctx));
    case "hls":
      return ok(planHls(input, recipe, preset, ctx));
    case "copy":
      return planCopy(input, preset, ctx);
    default: {
      const unreachable: never = recipe;
      throw new Error(`unknown preset recipe ${JSON.stringify(unreachable)}`);
    }
  }
};

export const planFfmpeg = (request: PlanFfmpegInput): Result<FfmpegPlan, PlanRejection> =>
  checkInput(request.probe, request.limits).andThen((input) => {
    const ctx: StepContext = {
      inputPath: request.inputPath,
      outDir: request.outDir,
      maxRunMs: request.limits.maxRunMs,
    };
    const poster = planPoster(input, { ...ctx, preset: request.preset });
    return planStep(input, request.preset, ctx).map(
      (step): FfmpegPlan => ({
        directories: step.directories,
        commands: [step.command, poster.command],
        outputs: [...step.outputs, poster.output],
        expected: step.expected,
        guest: guestFor(request.preset, input.sourcePixels),
      }),
    );
  });
