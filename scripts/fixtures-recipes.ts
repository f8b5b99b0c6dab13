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
] as const;

export type FixtureName = (typeof FIXTURE_NAMES)[number];

/**
 * `ffmpeg`: argv steps run in order with "{out}" (the fixture), "{tmp}" (a scratch .mp4) substituted.
 * `truncate`: the first `keepFraction` of another fixture's bytes. `text`: a file of plain text.
 */
export type FixtureRecipe =
  | { readonly kind: "ffmpeg"; readonly steps: readonly (readonly string[])[] }
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
};
