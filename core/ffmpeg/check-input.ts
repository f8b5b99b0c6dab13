// Decides whether a probed upload is a video every preset can work on, and within the operator's limits.
import { err, ok, type Result } from "neverthrow";
import { displaySize, type FrameSize } from "./display-size.ts";
import type { ProbeStream, ProbeSummary } from "./probe-summary.ts";

export interface PlanLimits {
  readonly maxDurationSec: number;
  readonly maxInputBytes: number;
  /** Coded width × height of the video stream. */
  readonly maxPixels: number;
  /** Ceiling for any single ffmpeg command. */
  readonly maxRunMs: number;
}

export const DEFAULT_PLAN_LIMITS: PlanLimits = {
  maxDurationSec: 4 * 60 * 60,
  maxInputBytes: 20 * 1024 ** 3,
  maxPixels: 7680 * 4320,
  maxRunMs: 6 * 60 * 60 * 1000,
};

export type PlanRejectionCode =
  | "not-a-video"
  | "still-image"
  | "zero-duration"
  | "too-long"
  | "too-large"
  | "unsupported-codec";

export interface PlanRejection {
  readonly code: PlanRejectionCode;
  readonly message: string;
}

/** A probe that passed every check, with the facts the planners need made non-optional. */
export interface CheckedInput {
  readonly probe: ProbeSummary;
  readonly video: ProbeStream;
  readonly audio?: ProbeStream;
  readonly display: FrameSize;
  readonly durationSec: number;
  readonly sourcePixels: number;
}

const reject = (code: PlanRejectionCode, message: string): Result<never, PlanRejection> =>
  err({ code, message });

// Single-image demuxers: ffprobe reports a "video" stream for a PNG or JPEG file.
const isImageDemuxer = (formatName: string): boolean =>
  formatName.split(",").some((name) => name === "image2" || name.endsWith("_pipe"));

const IMAGE_CODECS: ReadonlySet<string> = new Set([
  ...["png", "apng", "mjpeg", "jpeg2000", "jpegls", "jpegxl", "bmp", "tiff", "webp", "gif", "qoi"],
  ...["ppm", "pgm", "pgmyuv", "pbm", "pam", "targa", "dpx", "exr", "sgi", "pcx"],
]);

const describeNonVideo = (probe: ProbeSummary): string => {
  if (probe.streams.some((s) => s.isAttachedPic)) return "the input has only cover art, no video stream";
  if (probe.hasAudio) return "the input is audio only";
  return "the input has no video stream";
};

const formatGiB = (bytes: number): string => `${(bytes / 1024 ** 3).toFixed(2)} GiB`;

export const checkInput = (probe: ProbeSummary, limits: PlanLimits): Result<CheckedInput, PlanRejection> => {
  const { video, audio, durationSec } = probe;
  if (video === undefined) return reject("not-a-video", describeNonVideo(probe));
  if (isImageDemuxer(probe.formatName)) {
    return reject("not-a-video", `the input is an image file (${probe.formatName}), not a video`);
  }
  if (video.frameCount === 1 || (IMAGE_CODECS.has(video.codec) && durationSec === 0)) {
    return reject("still-image", `the input holds a single ${video.codec} frame, not a moving video`);
  }
  if (!(durationSec > 0)) return reject("zero-duration", "the input states no duration, or a duration of 0");
  if (durationSec > limits.maxDurationSec) {
    return reject(
      "too-long",
      `the input lasts ${durationSec.toFixed(1)} s; the limit is ${limits.maxDurationSec} s`,
    );
  }
  if (probe.sizeBytes > limits.maxInputBytes) {
    const sizes = `${formatGiB(probe.sizeBytes)}; the limit is ${formatGiB(limits.maxInputBytes)}`;
    return reject("too-large", `the input is ${sizes}`);
  }
  if (video.codec === "unknown" || !(video.width && video.height)) {
    return reject("unsupported-codec", "ffmpeg cannot decode the video stream (unknown codec or frame size)");
  }
  const sourcePixels = video.width * video.height;
  if (sourcePixels > limits.maxPixels) {
    const frame = `${video.width}x${video.height}`;
    return reject(
      "too-large",
      `the frame is ${frame} (${sourcePixels} pixels); the limit is ${limits.maxPixels}`,
    );
  }
  if (audio !== undefined && audio.codec === "unknown") {
    return reject("unsupported-codec", "ffmpeg cannot decode the audio stream (unknown codec)");
  }
  return ok({
    probe,
    video,
    ...(audio !== undefined ? { audio } : {}),
    display: displaySize(video),
    durationSec,
    sourcePixels,
  });
};
