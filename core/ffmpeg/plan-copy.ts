// Plans the default preset: copy the first video and audio stream, untouched, into a container that holds them.
import { err, ok, type Result } from "neverthrow";
import type { PresetName } from "../preset-names.ts";
import type { CheckedInput, PlanRejection } from "./check-input.ts";
import { shortSideOf } from "./display-size.ts";
import {
  CONTENT_TYPES,
  ffmpegHeadArgs,
  joinPath,
  type OutputContainer,
  type StepContext,
  type TranscodeStep,
} from "./ffmpeg-plan.ts";
import { transcodeCommand } from "./ffmpeg-time-limit.ts";

export type CopyContainer = Exclude<OutputContainer, "hls">;

interface ContainerRule {
  readonly container: CopyContainer;
  readonly video: ReadonlySet<string>;
  readonly audio: ReadonlySet<string>;
}

// Tried in order. MP4 and WebM lists are what browsers play and ffmpeg 5.1's muxers accept without -strict
// (checked by copying real streams: flac/vorbis/pcm in MP4 are refused or experimental). Matroska takes
// nearly anything with a Matroska or RIFF codec id; codecs outside these lists are refused up front rather
// than failing mid-run.
const CONTAINER_RULES: readonly ContainerRule[] = [
  {
    container: "mp4",
    video: new Set(["h264", "hevc", "av1", "mpeg4"]),
    audio: new Set(["aac", "mp3", "ac3", "eac3", "opus", "alac"]),
  },
  {
    container: "webm",
    video: new Set(["vp8", "vp9", "av1"]),
    audio: new Set(["opus", "vorbis"]),
  },
  {
    container: "matroska",
    video: new Set([
      ...[
        "h264",
        "hevc",
        "av1",
        "vp8",
        "vp9",
        "mpeg4",
        "mpeg1video",
        "mpeg2video",
        "theora",
        "prores",
        "ffv1",
      ],
      ...["mjpeg", "msmpeg4v3", "wmv2", "wmv3", "vc1", "flv1", "h263", "huffyuv", "rawvideo", "utvideo"],
      ...["cinepak", "qtrle", "dvvideo", "png"],
    ]),
    audio: new Set([
      ...["aac", "mp3", "mp2", "ac3", "eac3", "dts", "truehd", "opus", "vorbis", "flac", "alac", "wavpack"],
      ...["pcm_s16le", "pcm_s16be", "pcm_s24le", "pcm_s24be", "pcm_s32le", "pcm_f32le", "pcm_u8"],
      ...["pcm_mulaw", "pcm_alaw", "wmav1", "wmav2", "adpcm_ms", "adpcm_ima_wav", "gsm_ms"],
    ]),
  },
];

const CONTAINER_FILES: Readonly<Record<CopyContainer, { file: string; contentType: string }>> = {
  mp4: { file: "video.mp4", contentType: CONTENT_TYPES.mp4 },
  webm: { file: "video.webm", contentType: CONTENT_TYPES.webm },
  matroska: { file: "video.mkv", contentType: CONTENT_TYPES.matroska },
};

/** The first container (MP4, then WebM, then Matroska) that can hold both codecs as they are. */
export const chooseCopyContainer = (
  videoCodec: string,
  audioCodec: string | undefined,
): Result<CopyContainer, PlanRejection> => {
  const rule = CONTAINER_RULES.find(
    (r) => r.video.has(videoCodec) && (audioCodec === undefined || r.audio.has(audioCodec)),
  );
  if (rule !== undefined) return ok(rule.container);
  const codecs = audioCodec === undefined ? videoCodec : `${videoCodec} video with ${audioCodec} audio`;
  return err({
    code: "unsupported-codec",
    message: `cannot stream-copy ${codecs} into MP4, WebM or Matroska; choose a transcoding preset`,
  });
};

const containerArgs = (container: CopyContainer, videoCodec: string): string[] => {
  switch (container) {
    case "mp4":
      // hvc1 (parameter sets in the sample entry) is the tag Apple players require for HEVC.
      return [...(videoCodec === "hevc" ? ["-tag:v", "hvc1"] : []), "-movflags", "+faststart", "-f", "mp4"];
    case "webm":
      return ["-f", "webm"];
    case "matroska":
      return ["-f", "matroska"];
    default: {
      const unreachable: never = container;
      throw new Error(`unknown container ${String(unreachable)}`);
    }
  }
};

export const planCopy = (
  input: CheckedInput,
  preset: PresetName,
  ctx: StepContext,
): Result<TranscodeStep, PlanRejection> =>
  chooseCopyContainer(input.video.codec, input.audio?.codec).map((container) => {
    const { file, contentType } = CONTAINER_FILES[container];
    const argv = [
      ...ffmpegHeadArgs(),
      ...["-i", ctx.inputPath],
      ...["-map", `0:${input.video.index}`],
      ...(input.audio !== undefined ? ["-map", "0:a:0?"] : []),
      // Drops tags (GPS, device names); the rotation is side data and survives.
      ...["-map_metadata", "-1"],
      ...["-c", "copy"],
      ...containerArgs(container, input.video.codec),
      joinPath(ctx.outDir, file),
    ];
    return {
      directories: [ctx.outDir],
      command: transcodeCommand(argv, preset, input, ctx),
      outputs: [
        {
          type: "video",
          path: file,
          isPattern: false,
          contentType,
          quality: `${shortSideOf(input.display)}p`,
        },
      ],
      expected: {
        container,
        videoCodec: input.video.codec,
        audioCodec: input.audio?.codec ?? null,
        width: input.video.width ?? input.display.width,
        height: input.video.height ?? input.display.height,
        rotation: input.video.rotation,
        durationSec: input.durationSec,
      },
    };
  });
