// Plans the default preset: copy the video and the chosen audio track, untouched, into a container that holds them.
import { err, ok, type Result } from "neverthrow";
import type { PresetName } from "../preset-names.ts";
import type { CheckedInput, PlanRejection } from "./check-input.ts";
import { type CopyContainer, containersHolding, describeCopyMismatch } from "./copy-containers.ts";
import { shortSideOf } from "./display-size.ts";
import {
  CONTENT_TYPES,
  ffmpegHeadArgs,
  joinPath,
  type StepContext,
  type TranscodeStep,
} from "./ffmpeg-plan.ts";
import { transcodeCommand } from "./ffmpeg-time-limit.ts";
import { isRawStreamFormat } from "./stream-spans.ts";

export type { CopyContainer } from "./copy-containers.ts";

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
  const container = containersHolding(videoCodec, audioCodec)[0];
  if (container !== undefined) return ok(container);
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

/**
 * The audio to copy, if any: an audio codec no container can hold next to the video would sink the whole copy, so
 * it is left out (with a note) when the video alone can be copied.
 */
const copiedAudio = (input: CheckedInput): { audio?: CheckedInput["audio"]; notes: string[] } => {
  const { video, audio } = input;
  if (audio === undefined || containersHolding(video.codec, audio.codec).length > 0) {
    return { ...(audio !== undefined ? { audio } : {}), notes: [] };
  }
  if (containersHolding(video.codec).length === 0) return { audio, notes: [] };
  const track = input.probe.streams.filter((s) => s.kind === "audio").indexOf(audio) + 1;
  return {
    notes: [
      `audio track ${track} (${audio.codec}) cannot be stream-copied into MP4, WebM or Matroska next to ` +
        `${video.codec} video; the output is video-only (a re-encoding preset keeps the sound)`,
    ],
  };
};

/**
 * A raw H.264/HEVC stream has no timestamps, and ffmpeg 5.1 cannot rebuild presentation times for B-frames while
 * copying (+genpts only fills them in decode order): the copy would play its frames out of order.
 */
const scramblesFrames = (input: CheckedInput): boolean =>
  isRawStreamFormat(input.probe.formatName) &&
  ["h264", "hevc"].includes(input.video.codec) &&
  (input.video.reorderDelay ?? 0) > 0;

/** The container asked for (single-job mode names one by OUTPUT_URL's extension), if it holds the codecs. */
const containerFor = (
  videoCodec: string,
  audioCodec: string | undefined,
  wanted: CopyContainer | undefined,
): Result<CopyContainer, PlanRejection> => {
  if (wanted === undefined) return chooseCopyContainer(videoCodec, audioCodec);
  if (containersHolding(videoCodec, audioCodec).includes(wanted)) return ok(wanted);
  return err({ code: "output-mismatch", message: describeCopyMismatch(wanted, videoCodec, audioCodec) });
};

export const planCopy = (
  input: CheckedInput,
  preset: PresetName,
  ctx: StepContext,
  wanted?: CopyContainer,
): Result<TranscodeStep, PlanRejection> => {
  if (scramblesFrames(input)) {
    return err({
      code: "unsupported-codec",
      message:
        `the input is a raw ${input.video.codec === "hevc" ? "HEVC" : "H.264"} stream with B-frames and no ` +
        "timestamps: a stream copy would play its frames out of order; use a re-encoding preset",
    });
  }
  const { audio, notes } = copiedAudio(input);
  return containerFor(input.video.codec, audio?.codec, wanted).map((container) => {
    const { file, contentType } = CONTAINER_FILES[container];
    const argv = [
      ...ffmpegHeadArgs(),
      // Inputs without timestamps (elementary streams, some program streams) get them from their decode order.
      ...["-fflags", "+genpts", ...ctx.inputOptions, "-i", ctx.inputPath],
      ...["-map", `0:${input.video.index}`],
      ...(audio !== undefined ? ["-map", `0:${audio.index}`] : []),
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
        audioCodec: audio?.codec ?? null,
        width: input.video.width ?? input.display.width,
        height: input.video.height ?? input.display.height,
        rotation: input.video.rotation,
        durationSec:
          audio !== undefined ? input.durationSec : input.videoSpan.endSec - input.videoSpan.startSec,
      },
      notes,
    };
  });
};
