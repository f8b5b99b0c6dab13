// The exact FFmpeg recipes behind fixtures/media/: synthetic test sources, single-threaded, bit-exact flags.
export const FIXTURE_NAMES = [
  "h264-720p-10s.mp4",
  "no-audio-3s.mp4",
  "odd-641x361.mp4",
  "rotated-90.mp4",
  "vp9-opus.webm",
  "hevc-flac-1s.mkv",
  "truncated.mp4",
  "not-a-video.mp4",
  "still-image.png",
  "single-frame.mp4",
  "audio-cover-art.mp3",
  "two-tones-default-880.mp4",
  "smv-audio.3g2",
  "mpegh-audio.mp4",
  "subtitle-outlasts.mkv",
  "data-stream.ts",
  "fragmented-unknown-duration.mp4",
  "raw-h264.h264",
  "raw-mpeg2.m2v",
  "junk-program-stream.mpg",
  "empty.mp4",
  "short-video-long-audio.mp4",
] as const;

export type FixtureName = (typeof FIXTURE_NAMES)[number];

/**
 * Byte surgery after the FFmpeg steps, for what FFmpeg will not write. `patch`: overwrite `hex` at `offset` bytes
 * from the first (or `every`) occurrence of the ASCII `marker`. `prefix-junk`: put `bytes` of deterministic
 * non-MPEG bytes (`(i * 131 + 7) % 251`: never two zero bytes, so never a start code) before the file.
 */
export type FixturePostStep =
  | {
      readonly kind: "patch";
      readonly marker: string;
      readonly offset: number;
      readonly hex: string;
      readonly every?: boolean;
    }
  | { readonly kind: "prefix-junk"; readonly bytes: number };

/**
 * `ffmpeg`: argv steps run in order with "{out}" (the fixture), "{tmp}" (a scratch .mp4) substituted, then the
 * optional post steps on {out}. `truncate`: the first `keepFraction` of another fixture's bytes. `text`: a file of
 * plain text (empty for a 0-byte upload).
 */
export type FixtureRecipe =
  | {
      readonly kind: "ffmpeg";
      readonly steps: readonly (readonly string[])[];
      readonly post?: readonly FixturePostStep[];
    }
  | { readonly kind: "truncate"; readonly from: FixtureName; readonly keepFraction: number }
  | { readonly kind: "text"; readonly content: string };

const QUIET = ["-hide_banner", "-nostdin", "-y", "-loglevel", "error"];
// Same bytes on every run: one thread, no version strings, no creation times.
const EXACT = ["-threads", "1", "-map_metadata", "-1", "-fflags", "+bitexact"];
const EXACT_CODECS = ["-flags:v", "+bitexact", "-flags:a", "+bitexact"];

const video = (size: string, rate: number, seconds: number) => [
  ...["-f", "lavfi", "-i", `testsrc2=size=${size}:rate=${rate}:duration=${seconds}`],
];
const tone = (hz: number, sampleRate: number, seconds: number) => [
  ...["-f", "lavfi", "-i", `sine=frequency=${hz}:sample_rate=${sampleRate}:duration=${seconds}`],
];
const x264 = (crf: number, pixFmt = "yuv420p") => [
  ...["-c:v", "libx264", "-preset", "veryfast", "-crf", String(crf), "-pix_fmt", pixFmt],
];
const aac = (kbps: number) => ["-c:a", "aac", "-b:a", `${kbps}k`, "-ac", "2"];
/** A small H.264 + AAC clip: the base of the fixtures that only differ in their audio or container. */
const smallClip = (seconds: number) => [
  ...video("320x240", 25, seconds),
  ...tone(440, 48000, seconds),
  ...["-map", "0:v", "-map", "1:a", ...x264(28), ...aac(64)],
];
/** Inline input files (SRT text, raw data) as data: URLs, so every recipe stays one argv. */
const dataUrl = (text: string) =>
  `data:application/octet-stream;base64,${Buffer.from(text).toString("base64")}`;
const LONG_SUBTITLES = [
  "1\n00:00:00,500 --> 00:00:02,000\nHello\n",
  "2\n00:01:00,000 --> 00:01:05,000\nThe credits roll long after the picture ends\n",
].join("\n");
// ISO/IEC 14496-12: a duration of all 1s means "unknown" (live recorders write it). Offsets from the box type:
// mvhd and mdhd (version 0) have flags, two times and a timescale before it; tkhd has a track id and a reserved word.
const UNKNOWN_DURATION = "ffffffff";

export const FIXTURE_RECIPES: Readonly<Record<FixtureName, FixtureRecipe>> = {
  // Moov atom at the end (no faststart) on purpose: cutting the file loses it, see truncated.mp4.
  "h264-720p-10s.mp4": {
    kind: "ffmpeg",
    steps: [
      [
        ...QUIET,
        ...video("1280x720", 30, 10),
        ...tone(440, 48000, 10),
        ...["-map", "0:v", "-map", "1:a", ...x264(28), "-g", "60", ...aac(128)],
        ...EXACT,
        ...EXACT_CODECS,
        "{out}",
      ],
    ],
  },
  "no-audio-3s.mp4": {
    kind: "ffmpeg",
    steps: [
      [...QUIET, ...video("640x360", 30, 3), "-map", "0:v", ...x264(28), ...EXACT, ...EXACT_CODECS, "{out}"],
    ],
  },
  // testsrc2 and crop round odd sizes to the chroma grid, so crop in 4:4:4 (x264 allows odd sizes there).
  "odd-641x361.mp4": {
    kind: "ffmpeg",
    steps: [
      [
        ...QUIET,
        ...video("642x362", 25, 3),
        ...tone(330, 44100, 3),
        ...["-map", "0:v", "-map", "1:a", "-vf", "format=yuv444p,crop=641:361:0:0"],
        ...x264(28, "yuv444p"),
        ...aac(96),
        ...EXACT,
        ...EXACT_CODECS,
        "{out}",
      ],
    ],
  },
  // ffmpeg 5.1 has no -display_rotation and ignores `rotate` while encoding; a stream copy with the tag writes
  // the matrix. Its movenc writes rotate=270 as display-matrix rotation -90: what a phone's portrait clip
  // carries (the picture is turned 90° clockwise for display, 1280x720 coded → 720x1280 shown).
  "rotated-90.mp4": {
    kind: "ffmpeg",
    steps: [
      [
        ...QUIET,
        ...video("1280x720", 30, 3),
        ...tone(440, 48000, 3),
        ...["-map", "0:v", "-map", "1:a", ...x264(28), ...aac(96)],
        ...EXACT,
        ...EXACT_CODECS,
        "{tmp}",
      ],
      [
        ...QUIET,
        "-i",
        "{tmp}",
        "-map",
        "0",
        "-c",
        "copy",
        "-metadata:s:v:0",
        "rotate=270",
        ...EXACT,
        "{out}",
      ],
    ],
  },
  // VP9 is slow on two cores: small, short and at libvpx's fastest settings.
  "vp9-opus.webm": {
    kind: "ffmpeg",
    steps: [
      [
        ...QUIET,
        ...video("320x240", 25, 2),
        ...tone(550, 48000, 2),
        ...["-map", "0:v", "-map", "1:a"],
        ...["-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8", "-b:v", "300k"],
        ...["-c:a", "libopus", "-b:a", "64k", "-ac", "2"],
        ...EXACT,
        ...EXACT_CODECS,
        "{out}",
      ],
    ],
  },
  // FLAC cannot go into MP4 without -strict, so the default preset must fall back to Matroska.
  "hevc-flac-1s.mkv": {
    kind: "ffmpeg",
    steps: [
      [
        ...QUIET,
        ...video("320x240", 25, 1),
        ...tone(660, 48000, 1),
        ...["-map", "0:v", "-map", "1:a", "-pix_fmt", "yuv420p"],
        ...["-c:v", "libx265", "-preset", "ultrafast", "-crf", "30"],
        ...["-x265-params", "log-level=error:pools=none:frame-threads=1"],
        ...["-c:a", "flac", "-ac", "2"],
        ...EXACT,
        ...EXACT_CODECS,
        "{out}",
      ],
    ],
  },
  // An interrupted upload: the mdat start survives, the trailing moov does not, so ffprobe cannot open it.
  "truncated.mp4": { kind: "truncate", from: "h264-720p-10s.mp4", keepFraction: 0.4 },
  "not-a-video.mp4": {
    kind: "text",
    content: "This is not a video.\nIt is plain text saved with a .mp4 extension.\n",
  },
  "still-image.png": {
    kind: "ffmpeg",
    steps: [[...QUIET, ...video("320x240", 25, 1), "-frames:v", "1", "-update", "1", ...EXACT, "{out}"]],
  },
  "single-frame.mp4": {
    kind: "ffmpeg",
    steps: [
      [
        ...QUIET,
        ...video("320x240", 25, 1),
        "-frames:v",
        "1",
        ...x264(28),
        ...EXACT,
        ...EXACT_CODECS,
        "{out}",
      ],
    ],
  },
  // Audio with cover art: ffprobe lists the picture as a video stream with disposition attached_pic.
  "audio-cover-art.mp3": {
    kind: "ffmpeg",
    steps: [
      [
        ...QUIET,
        ...tone(440, 44100, 2),
        ...video("160x120", 25, 1),
        ...["-map", "0:a", "-map", "1:v", "-frames:v", "1"],
        ...["-c:a", "libmp3lame", "-b:a", "64k", "-c:v", "mjpeg", "-disposition:v", "attached_pic"],
        ...EXACT,
        "{out}",
      ],
    ],
  },
  // Two audio tracks; the second (880 Hz) is flagged default, the first (440 Hz) is not: players pick the 880.
  "two-tones-default-880.mp4": {
    kind: "ffmpeg",
    steps: [
      [
        ...QUIET,
        ...video("320x240", 25, 2),
        ...tone(440, 48000, 2),
        ...tone(880, 48000, 2),
        ...["-map", "0:v", "-map", "1:a", "-map", "2:a", ...x264(28), ...aac(64)],
        ...["-disposition:a:0", "0", "-disposition:a:1", "default"],
        ...EXACT,
        ...EXACT_CODECS,
        "{out}",
      ],
    ],
  },
  // A 3GPP2 phone clip whose audio is SMV (sample entry "ssmv"): ffprobe names the codec, but this FFmpeg build
  // has no SMV decoder. FFmpeg cannot encode SMV, so the AAC entry is renamed and its esds box hidden.
  "smv-audio.3g2": {
    kind: "ffmpeg",
    steps: [[...QUIET, ...smallClip(2), ...EXACT, ...EXACT_CODECS, "-f", "3g2", "{out}"]],
    post: [
      { kind: "patch", marker: "mp4a", offset: 0, hex: Buffer.from("ssmv").toString("hex") },
      { kind: "patch", marker: "esds", offset: 0, hex: Buffer.from("free").toString("hex") },
    ],
  },
  // MPEG-H 3D Audio (sample entry "mha1", Korean broadcast and 360 Reality Audio): FFmpeg 5.1 does not even know
  // the codec, so ffprobe says no codec_name. Made like smv-audio.3g2.
  "mpegh-audio.mp4": {
    kind: "ffmpeg",
    steps: [[...QUIET, ...smallClip(2), ...EXACT, ...EXACT_CODECS, "{out}"]],
    post: [
      { kind: "patch", marker: "mp4a", offset: 0, hex: Buffer.from("mha1").toString("hex") },
      { kind: "patch", marker: "esds", offset: 0, hex: Buffer.from("free").toString("hex") },
    ],
  },
  // 3 s of picture and sound, and a subtitle that ends at 65 s: Matroska's duration is the subtitle's.
  "subtitle-outlasts.mkv": {
    kind: "ffmpeg",
    steps: [
      [
        ...QUIET,
        ...video("320x240", 25, 3),
        ...tone(440, 48000, 3),
        ...["-f", "srt", "-i", dataUrl(LONG_SUBTITLES)],
        ...["-map", "0:v", "-map", "1:a", "-map", "2:s", ...x264(28), ...aac(64), "-c:s", "srt"],
        ...EXACT,
        ...EXACT_CODECS,
        "{out}",
      ],
    ],
  },
  // MPEG-TS with a private data stream (think SCTE-35 cues) whose three packets span 30 s around 3 s of video.
  "data-stream.ts": {
    kind: "ffmpeg",
    steps: [
      [
        ...QUIET,
        ...video("320x240", 25, 3),
        ...tone(440, 48000, 3),
        ...["-f", "data", "-i", dataUrl("TCODER-DATA-".repeat(256))],
        ...["-map", "0:v", "-map", "1:a", "-map", "2:d", ...x264(28), ...aac(64)],
        ...["-c:d", "copy", "-bsf:d", "setts=ts=N*15/TB"],
        ...EXACT,
        ...EXACT_CODECS,
        "-f",
        "mpegts",
        "{out}",
      ],
    ],
  },
  // Fragmented MP4 written to a pipe (empty moov, 1 s fragments), then its movie, track and media headers set to
  // the "unknown" duration: ffprobe 5.1 reads that as 419430 s of video.
  "fragmented-unknown-duration.mp4": {
    kind: "ffmpeg",
    steps: [
      [
        ...QUIET,
        ...smallClip(6),
        ...["-g", "25", "-movflags", "frag_keyframe+empty_moov"],
        ...EXACT,
        ...EXACT_CODECS,
        ...["-f", "mp4", "-seekable", "0", "{out}"],
      ],
    ],
    post: [
      { kind: "patch", marker: "mvhd", offset: 20, hex: UNKNOWN_DURATION },
      { kind: "patch", marker: "tkhd", offset: 24, hex: UNKNOWN_DURATION, every: true },
      { kind: "patch", marker: "mdhd", offset: 20, hex: UNKNOWN_DURATION, every: true },
    ],
  },
  // Raw Annex B H.264 (with B-frames, as x264 writes by default): no container, no timestamps, no duration.
  "raw-h264.h264": {
    kind: "ffmpeg",
    steps: [
      [...QUIET, ...video("320x240", 25, 4), ...x264(28), ...EXACT, ...EXACT_CODECS, "-f", "h264", "{out}"],
    ],
  },
  // Raw MPEG-2 video with B-frames (a DVD-style GOP): no timestamps, no duration.
  "raw-mpeg2.m2v": {
    kind: "ffmpeg",
    steps: [
      [
        ...QUIET,
        ...video("320x240", 25, 4),
        ...["-c:v", "mpeg2video", "-q:v", "5", "-bf", "2", "-g", "12"],
        ...EXACT,
        ...EXACT_CODECS,
        ...["-f", "mpeg2video", "{out}"],
      ],
    ],
  },
  // An MPEG program stream (DVD-style MPEG-2 + MP2) after 2 MiB of junk: more than FFmpeg's 1 MiB format probe.
  "junk-program-stream.mpg": {
    kind: "ffmpeg",
    steps: [
      [
        ...QUIET,
        ...video("320x240", 25, 4),
        ...tone(440, 48000, 4),
        ...["-map", "0:v", "-map", "1:a", "-c:v", "mpeg2video", "-q:v", "5", "-bf", "2", "-g", "12"],
        ...["-c:a", "mp2", "-b:a", "128k"],
        ...EXACT,
        ...EXACT_CODECS,
        ...["-f", "vob", "{out}"],
      ],
    ],
    post: [{ kind: "prefix-junk", bytes: 2 * 1024 * 1024 }],
  },
  "empty.mp4": { kind: "text", content: "" },
  // 1 s of picture over 8 s of sound (a song with a short clip): the output keeps the sound.
  "short-video-long-audio.mp4": {
    kind: "ffmpeg",
    steps: [
      [
        ...QUIET,
        ...video("320x240", 25, 1),
        ...tone(440, 48000, 8),
        ...["-map", "0:v", "-map", "1:a", ...x264(28), ...aac(64)],
        ...EXACT,
        ...EXACT_CODECS,
        "{out}",
      ],
    ],
  },
};
