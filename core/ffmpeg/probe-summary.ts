// Validates ffprobe's JSON once and condenses it into the few facts the FFmpeg planner decides on.
import { err, ok, type Result } from "neverthrow";
import * as v from "valibot";
import { VIDEO_SIGNAL_FIELDS, type VideoSignal, videoSignalOf } from "./video-signal.ts";

export type StreamKind = "video" | "audio" | "subtitle" | "data" | "attachment";

/** A stream as the planner sees it; video streams also carry their colour and scan facts (VideoSignal). */
export interface ProbeStream extends VideoSignal {
  /** ffprobe's stream index, usable as `-map 0:<index>`. */
  readonly index: number;
  readonly kind: StreamKind;
  /** ffprobe codec_name, or "unknown" when ffprobe has no decoder for it. */
  readonly codec: string;
  /** Coded size, before rotation and sample aspect ratio. */
  readonly width?: number;
  readonly height?: number;
  /** Clockwise degrees a player turns the coded picture to show it (what ffmpeg's autorotate applies). */
  readonly rotation: 0 | 90 | 180 | 270;
  /** Pixel aspect ratio (sample_aspect_ratio); absent when square or unknown. */
  readonly sampleAspectRatio?: number;
  readonly frameRate?: number;
  readonly frameCount?: number;
  readonly pixFmt?: string;
  readonly channels?: number;
  readonly sampleRate?: number;
  /** Cover art carried as a one-picture "video" stream (disposition.attached_pic). */
  readonly isAttachedPic: boolean;
  /** Flagged default (disposition.default): the track a player picks among several. */
  readonly isDefault?: boolean;
  /** When the stream's first packet is due (start_time), in seconds on the input's clock. */
  readonly startSec?: number;
  /** When it ends: start + its own duration, or Matroska's DURATION tag; absent when the stream states none. */
  readonly endSec?: number;
  /** The container marks the stream's duration "unknown" (all ones): no figure from this file can be trusted. */
  readonly durationUnknown?: true;
  /** Frames a decoder holds back to reorder them (has_b_frames); above 0 the stream has B-frames. */
  readonly reorderDelay?: number;
}

export interface ProbeSummary {
  /** ffprobe's format_name, e.g. "mov,mp4,m4a,3gp,3g2,mj2" or "png_pipe". */
  readonly formatName: string;
  /** 0 when neither the container nor any stream states a duration. */
  readonly durationSec: number;
  /** The container's start_time: where ffmpeg's output clock starts (and `-ss` counts from). */
  readonly startSec?: number;
  /** Streams the container holds (format.nb_streams). */
  readonly streamCount?: number;
  readonly sizeBytes: number;
  readonly bitRate?: number;
  readonly streams: readonly ProbeStream[];
  readonly hasAudio: boolean;
  /** The first video stream that is not cover art: the one every preset maps. */
  readonly video?: ProbeStream;
  /** The first audio stream (the planner chooses among all of them: chooseAudioTrack). */
  readonly audio?: ProbeStream;
}

export type ProbeRejection =
  | { readonly code: "unreadable-media"; readonly message: string }
  | { readonly code: "malformed-probe"; readonly message: string };

/**
 * "deep" reads up to DEEP_PROBE_BYTES before giving up on recognising the input: for files FFmpeg does not recognise
 * in its first MiB (a program stream after junk). ffmpeg then needs the same options to open the input.
 */
export type ProbeDepth = "normal" | "deep";

export const DEEP_PROBE_BYTES = 64 * 1024 * 1024;

/** Demuxer options (before `-i`) for ffprobe and ffmpeg alike. */
export const inputProbeOptions = (depth: ProbeDepth): string[] =>
  depth === "deep"
    ? ["-formatprobesize", String(DEEP_PROBE_BYTES), "-probesize", String(DEEP_PROBE_BYTES)]
    : [];

/** An input read over HTTP (a large upload is not staged on disk: ffmpeg reads its presigned URL). */
export const isRemoteInput = (inputPath: string): boolean => /^https?:\/\//i.test(inputPath);

/**
 * How ffprobe and ffmpeg open an input: as deep as its probe needed, and, read over HTTP, reconnecting after a
 * dropped connection (R2 serves ranges, so a seek is a new request) with a stalled read failing after 30 s.
 */
export const inputReadOptions = (inputPath: string, depth: ProbeDepth): string[] => [
  ...(isRemoteInput(inputPath)
    ? [
        "-reconnect",
        "1",
        "-reconnect_on_network_error",
        "1",
        "-reconnect_delay_max",
        "10",
        "-rw_timeout",
        "30000000",
      ]
    : []),
  ...inputProbeOptions(depth),
];

/** ffprobe argv (without the binary name) whose stdout parseProbe reads. */
export const probeArgs = (inputPath: string, depth: ProbeDepth = "normal"): string[] => [
  "-v",
  "error",
  ...inputReadOptions(inputPath, depth),
  "-print_format",
  "json",
  "-show_format",
  "-show_streams",
  inputPath,
];

// ffprobe prints some numbers as strings ("10.000000") and omits or writes "N/A" for unknown ones.
const NumberLike = v.optional(v.union([v.number(), v.string()]));

const StreamJsonSchema = v.object({
  index: v.pipe(v.number(), v.integer(), v.minValue(0)),
  codec_type: v.optional(v.string()),
  codec_name: v.optional(v.string()),
  width: v.optional(v.number()),
  height: v.optional(v.number()),
  sample_aspect_ratio: v.optional(v.string()),
  pix_fmt: v.optional(v.string()),
  avg_frame_rate: v.optional(v.string()),
  r_frame_rate: v.optional(v.string()),
  nb_frames: NumberLike,
  start_time: NumberLike,
  duration: NumberLike,
  duration_ts: NumberLike,
  has_b_frames: v.optional(v.number()),
  channels: v.optional(v.number()),
  sample_rate: NumberLike,
  disposition: v.optional(v.record(v.string(), v.number())),
  tags: v.optional(v.record(v.string(), v.unknown())),
  side_data_list: v.optional(v.array(v.looseObject({ side_data_type: v.optional(v.string()) }))),
  ...VIDEO_SIGNAL_FIELDS,
});

const FfprobeJsonSchema = v.object({
  streams: v.optional(v.array(StreamJsonSchema)),
  format: v.optional(
    v.object({
      format_name: v.string(),
      nb_streams: v.optional(v.number()),
      start_time: NumberLike,
      duration: NumberLike,
      size: NumberLike,
      bit_rate: NumberLike,
    }),
  ),
});

type StreamJson = v.InferOutput<typeof StreamJsonSchema>;

const STREAM_KINDS: readonly StreamKind[] = ["video", "audio", "subtitle", "data", "attachment"];

const toNumber = (value: number | string | undefined): number | undefined => {
  if (value === undefined || value === "") return undefined;
  const n = typeof value === "number" ? value : Number(value);
  return Number.isFinite(n) ? n : undefined;
};

/** "30000/1001" → 29.97; "0/0" and nonsense → undefined. */
const parseRatio = (text: string | undefined, separator: "/" | ":"): number | undefined => {
  if (text === undefined) return undefined;
  const [num, den] = text.split(separator).map(Number);
  if (num === undefined || den === undefined || !(num > 0) || !(den > 0)) return undefined;
  return num / den;
};

// Above this an "average frame rate" is a container timebase (e.g. 90000/1 for cover art), not a rate.
const MAX_SANE_FPS = 1000;

const frameRateOf = (s: StreamJson): number | undefined => {
  for (const text of [s.avg_frame_rate, s.r_frame_rate]) {
    const fps = parseRatio(text, "/");
    if (fps !== undefined && fps <= MAX_SANE_FPS) return fps;
  }
  return undefined;
};

const normaliseRotation = (clockwise: number): ProbeStream["rotation"] => {
  const quarter = (((Math.round(clockwise / 90) % 4) + 4) % 4) as 0 | 1 | 2 | 3;
  return ([0, 90, 180, 270] as const)[quarter];
};

// The display matrix states a counter-clockwise angle (iPhone portrait: -90); the legacy `rotate` tag a
// clockwise one (90). ffmpeg 5.1 reads only the matrix, so it wins when both are present.
const rotationOf = (s: StreamJson): ProbeStream["rotation"] => {
  for (const entry of s.side_data_list ?? []) {
    const ccw = entry.rotation;
    if (entry.side_data_type === "Display Matrix" && typeof ccw === "number") return normaliseRotation(-ccw);
  }
  const tag = s.tags?.rotate;
  const clockwise = typeof tag === "string" || typeof tag === "number" ? toNumber(tag) : undefined;
  return clockwise === undefined ? 0 : normaliseRotation(clockwise);
};

// ISO/IEC 14496-12: a duration of all ones means "unknown". ffprobe passes the 32-bit value through; the 64-bit
// one reads as -1.
const isUnknownDuration = (durationTs: number | undefined): boolean =>
  durationTs !== undefined && (durationTs < 0 || durationTs === 2 ** 32 - 1);

/** Matroska keeps each track's end in a DURATION tag ("00:00:03.021000000"); ffprobe leaves duration N/A. */
const tagSeconds = (tag: unknown): number | undefined => {
  const match = typeof tag === "string" ? /^(\d+):(\d{2}):(\d{2}(?:\.\d+)?)$/.exec(tag.trim()) : null;
  if (!match) return undefined;
  const [, h, m, sec] = match;
  return Number(h) * 3600 + Number(m) * 60 + Number(sec);
};

const timingOf = (s: StreamJson): Pick<ProbeStream, "startSec" | "endSec" | "durationUnknown"> => {
  const startSec = toNumber(s.start_time);
  const durationTs = toNumber(s.duration_ts);
  if (isUnknownDuration(durationTs)) {
    return { ...(startSec !== undefined ? { startSec } : {}), durationUnknown: true };
  }
  const duration = toNumber(s.duration);
  const ownEnd = duration !== undefined && duration > 0 ? (startSec ?? 0) + duration : undefined;
  const endSec = ownEnd ?? tagSeconds(s.tags?.DURATION);
  return {
    ...(startSec !== undefined ? { startSec } : {}),
    ...(endSec !== undefined ? { endSec } : {}),
  };
};

// Absent optional fields are left out (not set to undefined) so summaries compare and serialise cleanly.
const summariseStream = (s: StreamJson): ProbeStream => {
  const kind = STREAM_KINDS.find((k) => k === s.codec_type) ?? "data";
  const sar = parseRatio(s.sample_aspect_ratio, ":");
  const frameRate = kind === "video" ? frameRateOf(s) : undefined;
  const frameCount = toNumber(s.nb_frames);
  const sampleRate = toNumber(s.sample_rate);
  return {
    index: s.index,
    kind,
    codec: s.codec_name ?? "unknown",
    ...(s.width !== undefined ? { width: s.width } : {}),
    ...(s.height !== undefined ? { height: s.height } : {}),
    rotation: kind === "video" ? rotationOf(s) : 0,
    ...(sar !== undefined && sar !== 1 ? { sampleAspectRatio: sar } : {}),
    ...(frameRate !== undefined ? { frameRate } : {}),
    ...(frameCount !== undefined ? { frameCount } : {}),
    ...(s.pix_fmt !== undefined ? { pixFmt: s.pix_fmt } : {}),
    ...(s.channels !== undefined ? { channels: s.channels } : {}),
    ...(sampleRate !== undefined ? { sampleRate } : {}),
    isAttachedPic: s.disposition?.attached_pic === 1,
    ...(kind === "video" ? videoSignalOf(s) : {}),
    isDefault: s.disposition?.default === 1,
    ...timingOf(s),
    ...(s.has_b_frames !== undefined ? { reorderDelay: s.has_b_frames } : {}),
  };
};

/** Parses `ffprobe -print_format json -show_format -show_streams` output (already JSON-decoded). */
export const parseProbe = (json: unknown): Result<ProbeSummary, ProbeRejection> => {
  const parsed = v.safeParse(FfprobeJsonSchema, json);
  if (!parsed.success) {
    const issue = parsed.issues[0];
    const where = issue.path?.map((p) => String(p.key)).join(".") ?? "(root)";
    return err({
      code: "malformed-probe",
      message: `ffprobe output is not as expected at ${where}: ${issue.message}`,
    });
  }
  const { format, streams = [] } = parsed.output;
  // ffprobe prints `{}` when it cannot open or recognise the input at all.
  if (format === undefined || streams.length === 0) {
    return err({ code: "unreadable-media", message: "ffprobe found no container or streams in the input" });
  }
  const sizeBytes = toNumber(format.size);
  if (sizeBytes === undefined) {
    return err({ code: "malformed-probe", message: "ffprobe output has no format.size" });
  }
  const summaries = streams.map(summariseStream);
  const streamDurations = streams.map((s) => toNumber(s.duration) ?? 0);
  const durationSec = toNumber(format.duration) ?? Math.max(0, ...streamDurations);
  const bitRate = toNumber(format.bit_rate);
  const startSec = toNumber(format.start_time);
  const video = summaries.find((s) => s.kind === "video" && !s.isAttachedPic);
  const audio = summaries.find((s) => s.kind === "audio");
  return ok({
    formatName: format.format_name,
    durationSec: Math.max(0, durationSec),
    ...(startSec !== undefined ? { startSec } : {}),
    ...(format.nb_streams !== undefined ? { streamCount: format.nb_streams } : {}),
    sizeBytes,
    ...(bitRate !== undefined ? { bitRate } : {}),
    streams: summaries,
    hasAudio: audio !== undefined,
    ...(video !== undefined ? { video } : {}),
    ...(audio !== undefined ? { audio } : {}),
  });
};
