// Plans the HLS preset: an ABR ladder up to the source size (capped), encoded in one ffmpeg run with aligned keyframes.
import type { PresetName } from "../preset-names.ts";
import type { CheckedInput } from "./check-input.ts";
import {
  CONTENT_TYPES,
  ffmpegHeadArgs,
  joinPath,
  MUXING_QUEUE_ARGS,
  type PlannedOutput,
  type StepContext,
  type TranscodeStep,
} from "./ffmpeg-plan.ts";
import { transcodeCommand } from "./ffmpeg-time-limit.ts";
import { framesPerSegment } from "./frame-timing.ts";
import { type LadderRung, ladderFor } from "./ladder-for.ts";
import { colourTagArgs, planLadderFilter } from "./plan-video-filter.ts";
import type { HlsRecipe } from "./presets.ts";

export const MASTER_PLAYLIST = "master.m3u8";
export const VARIANT_PLAYLIST = "index.m3u8";
export const SEGMENT_PATTERN = "seg_%03d.ts";

export const planHls = (
  input: CheckedInput,
  recipe: HlsRecipe,
  preset: PresetName,
  ctx: StepContext,
): TranscodeStep => {
  const rungs = ladderFor(input.display, recipe.ladder);
  const hasAudio = input.audio !== undefined;
  const gop = framesPerSegment(input.video, recipe.segmentSec);
  const perRung = (build: (r: LadderRung, i: number) => string[]) => rungs.flatMap(build);
  const argv = [
    ...ffmpegHeadArgs(),
    ...[...ctx.inputOptions, "-i", ctx.inputPath],
    ...[
      "-filter_complex",
      planLadderFilter(
        input,
        rungs.map((r) => r.size),
      ),
    ],
    // One audio encode per variant, so every variant playlist is self-contained (video + audio).
    ...perRung((_, i) => ["-map", `[v${i}]`, ...(input.audio ? ["-map", `0:${input.audio.index}`] : [])]),
    ...["-map_metadata", "-1"],
    ...["-c:v", "libx264", "-preset", recipe.x264Preset, "-profile:v", recipe.profile, "-pix_fmt", "yuv420p"],
    ...colourTagArgs(input),
    ...perRung((r, i) => [
      ...[`-b:v:${i}`, `${r.videoKbps}k`, `-maxrate:v:${i}`, `${r.maxrateKbps}k`, `-bufsize:v:${i}`],
      `${r.bufsizeKbps}k`,
    ]),
    // Keyframes on the same timestamps in every rung, so players can switch at any segment boundary.
    ...["-g", String(gop), "-keyint_min", String(gop), "-sc_threshold", "0"],
    ...["-force_key_frames:v", `expr:gte(t,n_forced*${recipe.segmentSec})`],
    ...(hasAudio ? ["-c:a", "aac", "-ac", "2", ...perRung((r, i) => [`-b:a:${i}`, `${r.audioKbps}k`])] : []),
    ...MUXING_QUEUE_ARGS,
    ...(input.cutAtSec !== undefined ? ["-t", input.cutAtSec.toFixed(3)] : []),
    ...["-f", "hls", "-hls_time", String(recipe.segmentSec), "-hls_playlist_type", "vod"],
    ...["-hls_flags", "independent_segments", "-hls_segment_type", "mpegts"],
    ...["-hls_segment_filename", joinPath(ctx.outDir, `%v/${SEGMENT_PATTERN}`)],
    ...["-master_pl_name", MASTER_PLAYLIST],
    ...[
      "-var_stream_map",
      rungs.map((r, i) => `v:${i}${hasAudio ? `,a:${i}` : ""},name:${r.name}`).join(" "),
    ],
    // The master playlist lands in outDir (the directory above %v) and refers to "<rung>/index.m3u8".
    joinPath(ctx.outDir, `%v/${VARIANT_PLAYLIST}`),
  ];
  const outputs: PlannedOutput[] = [
    { type: "hls-master", path: MASTER_PLAYLIST, isPattern: false, contentType: CONTENT_TYPES.m3u8 },
    ...rungs.flatMap((r): PlannedOutput[] => [
      {
        type: "hls-playlist",
        path: `${r.name}/${VARIANT_PLAYLIST}`,
        isPattern: false,
        contentType: CONTENT_TYPES.m3u8,
        quality: r.name,
      },
      {
        type: "hls-segment",
        path: `${r.name}/${SEGMENT_PATTERN}`,
        isPattern: true,
        contentType: CONTENT_TYPES.ts,
        quality: r.name,
      },
    ]),
  ];
  const top = rungs[0];
  if (top === undefined) throw new Error("HLS ladder is empty: the preset table has no rungs");
  return {
    directories: [ctx.outDir, ...rungs.map((r) => joinPath(ctx.outDir, r.name))],
    command: transcodeCommand(argv, preset, input, ctx),
    outputs,
    expected: {
      container: "hls",
      videoCodec: "h264",
      audioCodec: hasAudio ? "aac" : null,
      width: top.size.width,
      height: top.size.height,
      rotation: 0,
      durationSec: input.durationSec,
      renditions: rungs.map((r) => ({ quality: r.name, width: r.size.width, height: r.size.height })),
    },
  };
};
