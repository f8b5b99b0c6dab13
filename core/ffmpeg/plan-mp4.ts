// Plans the single-file H.264/AAC MP4 presets (web-optimized, mobile): capped even size, SDR, progressive, faststart.
import type { PresetName } from "../preset-names.ts";
import type { CheckedInput } from "./check-input.ts";
import { fitBox, shortSideOf } from "./display-size.ts";
import {
  CONTENT_TYPES,
  ffmpegHeadArgs,
  joinPath,
  MUXING_QUEUE_ARGS,
  type StepContext,
  type TranscodeStep,
} from "./ffmpeg-plan.ts";
import { transcodeCommand } from "./ffmpeg-time-limit.ts";
import { qualityWindows } from "./plan-quality-check.ts";
import { colourTagArgs, planVideoFilter } from "./plan-video-filter.ts";
import type { Mp4Recipe } from "./presets.ts";

export const MP4_FILE = "video.mp4";

export const planMp4 = (
  input: CheckedInput,
  recipe: Mp4Recipe,
  preset: PresetName,
  ctx: StepContext,
): TranscodeStep => {
  // ffmpeg turns rotated input upright before -vf runs, so the target is in display terms.
  const size = fitBox(input.display, recipe.maxFrame);
  const hasAudio = input.audio !== undefined;
  const rateCap =
    recipe.maxrateKbps !== undefined && recipe.bufsizeKbps !== undefined
      ? ["-maxrate", `${recipe.maxrateKbps}k`, "-bufsize", `${recipe.bufsizeKbps}k`]
      : [];
  const argv = [
    ...ffmpegHeadArgs(),
    ...[...ctx.inputOptions, "-i", ctx.inputPath],
    ...["-map", `0:${input.video.index}`],
    ...(input.audio !== undefined ? ["-map", `0:${input.audio.index}`] : []),
    // Strip container and stream tags: phone videos carry GPS positions and device names.
    ...["-map_metadata", "-1"],
    ...["-vf", planVideoFilter(input, size)],
    ...["-c:v", "libx264", "-preset", recipe.x264Preset, "-crf", String(recipe.crf)],
    // Keyframes where the quality check's windows start (three, a few KB): it then decodes only its own frames.
    // Each is asked for just before its frame's time, so rounding cannot push it onto the next frame.
    ...[
      "-force_key_frames",
      qualityWindows(input)
        .sampleTimes.map((t) => Math.max(0, t - 0.005).toFixed(3))
        .join(","),
    ],
    ...rateCap,
    ...["-profile:v", recipe.profile, "-pix_fmt", "yuv420p"],
    ...colourTagArgs(input),
    ...(hasAudio ? ["-c:a", "aac", "-b:a", `${recipe.audioKbps}k`, "-ac", "2"] : ["-an"]),
    ...MUXING_QUEUE_ARGS,
    ...(input.cutAtSec !== undefined ? ["-t", input.cutAtSec.toFixed(3)] : []),
    // Moov atom first, so a browser can start playing before the whole file has arrived.
    ...["-movflags", "+faststart"],
    ...["-f", "mp4", joinPath(ctx.outDir, MP4_FILE)],
  ];
  const quality = `${shortSideOf(size)}p`;
  return {
    directories: [ctx.outDir],
    command: transcodeCommand(argv, preset, input, ctx),
    outputs: [{ type: "video", path: MP4_FILE, isPattern: false, contentType: CONTENT_TYPES.mp4, quality }],
    expected: {
      container: "mp4",
      videoCodec: "h264",
      audioCodec: hasAudio ? "aac" : null,
      width: size.width,
      height: size.height,
      rotation: 0,
      durationSec: input.durationSec,
    },
  };
};
