// Which containers can hold which codecs as they are (stream copy), and how to say so when the one asked for cannot.
import type { OutputContainer } from "./ffmpeg-plan.ts";

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

/** The file extension each container is delivered under. */
export const CONTAINER_EXTENSIONS: Readonly<Record<CopyContainer, string>> = {
  mp4: "mp4",
  webm: "webm",
  matroska: "mkv",
};

export const canHold = (container: CopyContainer, videoCodec: string, audioCodec?: string): boolean =>
  CONTAINER_RULES.some(
    (r) =>
      r.container === container &&
      r.video.has(videoCodec) &&
      (audioCodec === undefined || r.audio.has(audioCodec)),
  );

/** Every container that can hold both codecs as they are, MP4 first, then WebM, then Matroska. */
export const containersHolding = (videoCodec: string, audioCodec?: string): CopyContainer[] =>
  CONTAINER_RULES.filter((r) => canHold(r.container, videoCodec, audioCodec)).map((r) => r.container);

// Names a user knows; anything else is shown as ffprobe's codec name.
const CODEC_NAMES: Readonly<Record<string, string>> = {
  h264: "H.264",
  hevc: "HEVC",
  av1: "AV1",
  vp8: "VP8",
  vp9: "VP9",
  mpeg4: "MPEG-4",
  mpeg2video: "MPEG-2",
  mpeg1video: "MPEG-1",
  prores: "ProRes",
  aac: "AAC",
  mp3: "MP3",
  mp2: "MP2",
  ac3: "AC-3",
  eac3: "E-AC-3",
  dts: "DTS",
  truehd: "TrueHD",
  opus: "Opus",
  vorbis: "Vorbis",
  flac: "FLAC",
  alac: "ALAC",
};

export const codecName = (codec: string): string =>
  CODEC_NAMES[codec] ?? (codec.startsWith("pcm_") ? `PCM (${codec})` : codec);

const orList = (items: readonly string[]): string =>
  items.length <= 1 ? (items[0] ?? "") : `${items.slice(0, -1).join(", ")} or ${items.at(-1)}`;

/**
 * "the output URL ends in .mp4, which cannot hold the source's FLAC audio stream by copy; use .mkv or a
 * re-encoding preset": which of the source's streams the asked-for container cannot hold, and what can.
 */
export const describeCopyMismatch = (
  container: CopyContainer,
  videoCodec: string,
  audioCodec?: string,
): string => {
  const videoFits = canHold(container, videoCodec);
  const audioFits =
    audioCodec === undefined ||
    CONTAINER_RULES.some((r) => r.container === container && r.audio.has(audioCodec));
  const streams = [
    ...(videoFits ? [] : [`${codecName(videoCodec)} video`]),
    ...(audioFits || audioCodec === undefined ? [] : [`${codecName(audioCodec)} audio`]),
  ];
  const what = streams.length > 1 ? `${streams.join(" and ")} streams` : `${streams[0] ?? "streams"} stream`;
  const instead = containersHolding(videoCodec, audioCodec).map((c) => `.${CONTAINER_EXTENSIONS[c]}`);
  const use =
    instead.length === 0
      ? "use a re-encoding preset"
      : `use ${orList(instead)}${instead.length > 1 ? "," : ""} or a re-encoding preset`;
  return `the output URL ends in .${CONTAINER_EXTENSIONS[container]}, which cannot hold the source's ${what} by copy; ${use}`;
};
