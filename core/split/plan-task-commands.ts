// The ffmpeg commands of a split job's tasks. A chunk encodes only its own time range of the video (ffmpeg seeks the
// presigned input with range reads) with the preset's own settings; the audio is encoded once for the whole file;
// the stitch joins the chunks without re-encoding (MP4: the concat demuxer, then faststart).
import type { CheckedInput } from "../ffmpeg/check-input.ts";
import { fitBox } from "../ffmpeg/display-size.ts";
import { type FfmpegCommand, ffmpegHeadArgs, joinPath, MUXING_QUEUE_ARGS } from "../ffmpeg/ffmpeg-plan.ts";
import { commandWork, ffmpegTimeLimitMs } from "../ffmpeg/ffmpeg-time-limit.ts";
import { framesPerSegment } from "../ffmpeg/frame-timing.ts";
import { type LadderRung, ladderFor } from "../ffmpeg/ladder-for.ts";
import { MASTER_PLAYLIST, SEGMENT_PATTERN, VARIANT_PLAYLIST } from "../ffmpeg/plan-hls.ts";
import { colourTagArgs, planLadderFilter, planVideoFilter } from "../ffmpeg/plan-video-filter.ts";
import { PRESETS } from "../ffmpeg/presets.ts";
import type { PresetName } from "../preset-names.ts";
import type { ChunkSpan } from "./plan-chunks.ts";
import { chunkName } from "./split-tasks.ts";

export interface TaskContext {
  readonly preset: PresetName;
  readonly inputPath: string;
  readonly inputOptions: readonly string[];
  readonly outDir: string;
  readonly maxRunMs: number;
}

/** The audio rendition's directory in a split HLS package (video rungs keep their own names). */
export const AUDIO_RENDITION = "audio";
export const AUDIO_FILE = "audio.m4a";
/**
 * A chunk seeks half a millisecond before its first frame: ffprobe prints times rounded to the microsecond, and a
 * seek a hair past the keyframe would drop it. Frames before the start are decoded and dropped, never encoded.
 */
const SEEK_SLACK_S = 0.0005;

const seconds = (s: number): string => s.toFixed(6);

/**
 * Where an HLS split package's timeline starts (s). ffmpeg shifts a stream whose first timestamp would be negative
 * (the B-frame delay of the first chunk, the AAC priming of the audio) by its own amount; with every chunk and the
 * audio placed this far in, none is, so the chunks join frame to frame and the audio keeps its place against them.
 */
export const HLS_SPLIT_TIMELINE_START_S = 10;

const command = (
  argv: string[],
  ctx: TaskContext,
  input: CheckedInput,
  durationSec: number,
): FfmpegCommand => ({
  argv,
  purpose: "transcode",
  timeLimitMs: ffmpegTimeLimitMs({
    preset: ctx.preset,
    purpose: "transcode",
    durationSec,
    sourcePixels: input.sourcePixels,
    maxRunMs: ctx.maxRunMs,
  }),
  work: commandWork(ctx.preset, { durationSec, video: input.video }),
});

/**
 * Presets whose split the stitch can join: the MP4 ones (concat) and HLS (chunks write video-only rungs with
 * continuous timestamps and segment numbers, the audio is its own rendition; the stitch joins playlists).
 */
export const stitchable = (preset: PresetName): boolean => {
  const kind = PRESETS[preset].recipe.kind;
  return kind === "mp4" || kind === "hls";
};

/** HLS chunks are cut on the segment grid (planGridChunks); MP4 chunks at source keyframes (planChunks). */
export const cutsOnSegmentGrid = (preset: PresetName): boolean => PRESETS[preset].recipe.kind === "hls";

/** HLS rungs of a source, as planHls picks them. */
export const rungsFor = (input: CheckedInput, preset: PresetName): readonly LadderRung[] => {
  const recipe = PRESETS[preset].recipe;
  return recipe.kind === "hls" ? ladderFor(input.display, recipe.ladder) : [];
};

/** What a chunk leaves in outDir: "c003.mp4", or "c003/master.m3u8", "c003/<rung>/index.m3u8" and its segments. */
export const chunkOutput = (preset: PresetName, index: number): string =>
  PRESETS[preset].recipe.kind === "hls" ? chunkName(index) : `${chunkName(index)}.mp4`;

/**
 * Where a task's file is stored: an HLS segment ("c003/720p/seg_045.ts", "audio/seg_007.ts") goes straight to its
 * place among the job's outputs ("720p/seg_045.ts"), numbered for the whole file, so the stitch moves no media;
 * anything else (MP4 chunks, the audio M4A, chunk playlists) to the job's work prefix under its own name.
 */
export const workFileDestination = (
  preset: PresetName,
  relativePath: string,
): { readonly kind: "output" | "work"; readonly path: string } => {
  if (PRESETS[preset].recipe.kind !== "hls" || !relativePath.endsWith(".ts")) {
    return { kind: "work", path: relativePath };
  }
  const parts = relativePath.split("/");
  return { kind: "output", path: parts.slice(parts[0] === AUDIO_RENDITION ? 0 : 1).join("/") };
};

export const planChunkCommand = (
  input: CheckedInput,
  chunk: ChunkSpan,
  segmentS: number,
  ctx: TaskContext,
): FfmpegCommand => {
  const recipe = PRESETS[ctx.preset].recipe;
  const lengthS = chunk.endS - chunk.startS;
  const read = [
    ...ctx.inputOptions,
    ...(chunk.startS > 0 ? ["-ss", seconds(Math.max(0, chunk.startS - SEEK_SLACK_S))] : []),
    ...["-t", seconds(lengthS), "-i", ctx.inputPath],
  ];
  const head = [...ffmpegHeadArgs(), ...read];
  switch (recipe.kind) {
    case "mp4": {
      const size = fitBox(input.display, recipe.maxFrame);
      const rateCap =
        recipe.maxrateKbps !== undefined && recipe.bufsizeKbps !== undefined
          ? ["-maxrate", `${recipe.maxrateKbps}k`, "-bufsize", `${recipe.bufsizeKbps}k`]
          : [];
      const argv = [
        ...head,
        ...["-map", `0:${input.video.index}`, "-an", "-sn", "-map_metadata", "-1"],
        ...["-vf", planVideoFilter(input, size)],
        ...["-c:v", "libx264", "-preset", recipe.x264Preset, "-crf", String(recipe.crf), ...rateCap],
        ...["-profile:v", recipe.profile, "-pix_fmt", "yuv420p"],
        ...colourTagArgs(input),
        ...MUXING_QUEUE_ARGS,
        ...["-f", "mp4", joinPath(ctx.outDir, chunkOutput(ctx.preset, chunk.index))],
      ];
      return command(argv, ctx, input, lengthS);
    }
    case "hls": {
      const rungs = rungsFor(input, ctx.preset);
      const gop = framesPerSegment(input.video, segmentS);
      const dir = joinPath(ctx.outDir, chunkOutput(ctx.preset, chunk.index));
      const argv = [
        ...head,
        ...[
          "-filter_complex",
          planLadderFilter(
            input,
            rungs.map((r) => r.size),
          ),
        ],
        ...rungs.flatMap((_, i) => ["-map", `[v${i}]`]),
        ...["-an", "-sn", "-map_metadata", "-1"],
        ...[
          "-c:v",
          "libx264",
          "-preset",
          recipe.x264Preset,
          "-profile:v",
          recipe.profile,
          "-pix_fmt",
          "yuv420p",
        ],
        ...colourTagArgs(input),
        ...rungs.flatMap((r, i) => [
          ...[`-b:v:${i}`, `${r.videoKbps}k`, `-maxrate:v:${i}`, `${r.maxrateKbps}k`, `-bufsize:v:${i}`],
          `${r.bufsizeKbps}k`,
        ]),
        // Keyframes on the segment grid of the whole file (the chunk starts on it), the same in every rung.
        ...["-g", String(gop), "-keyint_min", String(gop), "-sc_threshold", "0"],
        ...["-force_key_frames:v", `expr:gte(t,n_forced*${segmentS})`],
        ...MUXING_QUEUE_ARGS,
        // The chunk's timestamps continue the file's, and its segments its numbering: the stitch only joins lists.
        ...["-output_ts_offset", seconds(HLS_SPLIT_TIMELINE_START_S + chunk.startS)],
        ...["-f", "hls", "-hls_time", String(segmentS), "-hls_playlist_type", "vod"],
        ...["-start_number", String(Math.round(chunk.startS / segmentS))],
        ...["-hls_flags", "independent_segments", "-hls_segment_type", "mpegts"],
        ...["-hls_segment_filename", joinPath(dir, `%v/${SEGMENT_PATTERN}`)],
        // Its master describes the rungs (bandwidth, resolution, codecs) for the stitch's own.
        ...["-master_pl_name", MASTER_PLAYLIST],
        ...["-var_stream_map", rungs.map((r, i) => `v:${i},name:${r.name}`).join(" ")],
        joinPath(dir, `%v/${VARIANT_PLAYLIST}`),
      ];
      return command(argv, ctx, input, lengthS);
    }
    case "copy":
      throw new Error(`preset ${ctx.preset} copies its streams and is never split`);
    default: {
      const unreachable: never = recipe;
      throw new Error(`unknown preset recipe ${JSON.stringify(unreachable)}`);
    }
  }
};

/** The audio task's bitrate: the preset's, or for HLS its top rung's (one rendition serves every rung). */
export const splitAudioKbps = (preset: PresetName): number => {
  const recipe = PRESETS[preset].recipe;
  if (recipe.kind === "mp4") return recipe.audioKbps;
  return recipe.kind === "hls" ? (recipe.ladder[0]?.audioKbps ?? 128) : 128;
};

/** The whole file's audio, encoded once: an M4A for MP4 presets, an audio-only HLS rendition for HLS. */
export const planAudioCommand = (input: CheckedInput, segmentS: number, ctx: TaskContext): FfmpegCommand => {
  const recipe = PRESETS[ctx.preset].recipe;
  if (input.audio === undefined) throw new Error("an audio task for an input without audio");
  const kbps = splitAudioKbps(ctx.preset);
  const head = [
    ...ffmpegHeadArgs(),
    ...[...ctx.inputOptions, "-i", ctx.inputPath],
    ...["-map", `0:${input.audio.index}`, "-vn", "-sn", "-map_metadata", "-1"],
    ...["-c:a", "aac", "-b:a", `${kbps}k`, "-ac", "2", ...MUXING_QUEUE_ARGS],
    // Where the preset's output stops (HLS ends with the video).
    ...(input.cutAtSec !== undefined ? ["-t", input.cutAtSec.toFixed(3)] : []),
  ];
  const dir = joinPath(ctx.outDir, AUDIO_RENDITION);
  const argv =
    recipe.kind === "hls"
      ? [
          ...head,
          ...["-output_ts_offset", seconds(HLS_SPLIT_TIMELINE_START_S)],
          ...[
            "-f",
            "hls",
            "-hls_time",
            String(segmentS),
            "-hls_playlist_type",
            "vod",
            "-hls_segment_type",
            "mpegts",
          ],
          ...["-hls_segment_filename", joinPath(dir, SEGMENT_PATTERN), joinPath(dir, VARIANT_PLAYLIST)],
        ]
      : [...head, "-f", "mp4", joinPath(ctx.outDir, AUDIO_FILE)];
  return command(argv, ctx, input, input.durationSec);
};

/**
 * The concat demuxer's list for an MP4 stitch: each chunk with its planned length, so every chunk starts exactly
 * where the source's range did whatever the chunk's container rounded.
 */
export const concatList = (chunks: readonly ChunkSpan[], preset: PresetName): string =>
  [
    "ffconcat version 1.0",
    ...chunks.flatMap((c) => [
      `file '${chunkOutput(preset, c.index)}'`,
      `duration ${seconds(c.endS - c.startS)}`,
    ]),
    "",
  ].join("\n");

/** Joins the chunks (listed in `listPath`) and the audio into the final MP4: stream copy, moov atom first. */
export const planMp4Stitch = (
  input: CheckedInput,
  paths: { readonly listPath: string; readonly audioPath: string | null; readonly outPath: string },
  ctx: Pick<TaskContext, "preset" | "maxRunMs">,
): FfmpegCommand => ({
  argv: [
    ...ffmpegHeadArgs(),
    ...["-f", "concat", "-safe", "0", "-i", paths.listPath],
    ...(paths.audioPath !== null ? ["-i", paths.audioPath] : []),
    ...["-map", "0:v:0", ...(paths.audioPath !== null ? ["-map", "1:a:0"] : [])],
    ...["-c", "copy", "-map_metadata", "-1", ...MUXING_QUEUE_ARGS],
    ...["-movflags", "+faststart", "-f", "mp4", paths.outPath],
  ],
  purpose: "transcode",
  timeLimitMs: ffmpegTimeLimitMs({
    preset: "default",
    purpose: "transcode",
    durationSec: input.durationSec,
    sourcePixels: input.sourcePixels,
    maxRunMs: ctx.maxRunMs,
  }),
  work: commandWork("default", input),
});
