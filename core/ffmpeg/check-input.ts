// Decides whether a probed upload is a video every preset can work on, and within the operator's limits.
import { err, ok, type Result } from "neverthrow";
import { chooseAudioTrack, type UndecodableAudio } from "./choose-audio-track.ts";
import { displaySize, type FrameSize } from "./display-size.ts";
import type { ProbeStream, ProbeSummary } from "./probe-summary.ts";
import { type MeasuredSpans, type StreamSpan, spansOf } from "./stream-spans.ts";

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
  | "unsupported-codec"
  | "empty-input"
  | "output-mismatch";

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
  /** From the earliest start to the latest end of the video and audio used (planFfmpeg narrows it per preset). */
  readonly durationSec: number;
  readonly sourcePixels: number;
  readonly videoSpan: StreamSpan;
  readonly audioSpan?: StreamSpan;
  /** Where ffmpeg's output clock starts on the input's (its start_time), when the probe states it. */
  readonly clockStartSec?: number;
  /** Set by planFfmpeg: `-t`, where the output stops on its own clock. */
  readonly cutAtSec?: number;
  /** Sentences for the job's result: audio tracks left out, audio kept past the video. */
  readonly notes: readonly string[];
}

/** What the worker learned beyond the probe: audio that failed to decode, spans measured from packets. */
export interface InputFacts {
  readonly undecodableAudio?: UndecodableAudio;
  readonly measured?: MeasuredSpans;
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

export const checkInput = (
  probe: ProbeSummary,
  limits: PlanLimits,
  facts: InputFacts = {},
): Result<CheckedInput, PlanRejection> => {
  const { video } = probe;
  if (video === undefined) return reject("not-a-video", describeNonVideo(probe));
  if (isImageDemuxer(probe.formatName)) {
    return reject("not-a-video", `the input is an image file (${probe.formatName}), not a video`);
  }
  if (video.frameCount === 1 || (IMAGE_CODECS.has(video.codec) && probe.durationSec === 0)) {
    return reject("still-image", `the input holds a single ${video.codec} frame, not a moving video`);
  }
  const { track: audio, notes } = chooseAudioTrack(probe.streams, facts.undecodableAudio);
  // Durations come from the streams transcoded: a subtitle or data stream may outlast them by far.
  const [videoSpan, audioSpan] = spansOf(probe, audio ? [video, audio] : [video], facts.measured) ?? [];
  if (videoSpan === undefined) {
    return reject("zero-duration", "the input states no duration, or a duration of 0");
  }
  const durationSec =
    Math.max(videoSpan.endSec, audioSpan?.endSec ?? 0) -
    Math.min(videoSpan.startSec, audioSpan?.startSec ?? Infinity);
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
  return ok({
    probe,
    video,
    ...(audio !== undefined ? { audio } : {}),
    display: displaySize(video),
    durationSec,
    sourcePixels,
    videoSpan,
    ...(audioSpan !== undefined ? { audioSpan } : {}),
    ...(probe.startSec !== undefined ? { clockStartSec: probe.startSec } : {}),
    notes,
  });
};
