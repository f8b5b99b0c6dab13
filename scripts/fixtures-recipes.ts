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
  // Real-world video classes: HDR, interlaced, shapes and sizes between or beyond the ladder's steps.
  "hlg-hevc-10bit.mp4",
  "dolby-vision-84.mp4",
  "pq-hevc-10bit.mkv",
  "pq-vp9-10bit.webm",
  "hlg-h264-10bit.mp4",
  "interlaced-1080i-h264.ts",
  "interlaced-576i-mpeg2.ts",
  "dv-576i.avi",
  "ultrawide-1920x800.mp4",
  "between-1600x900.mp4",
  "portrait-1080x1920.mp4",
  "8k-3-frames.mp4",
  // Real-world audio, durations and containers: track choice, undecodable audio, streams that outlast the video.
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
 * `dolby-vision`: another fixture's MP4 (moov last, one hvc1 track) with a Dolby Vision configuration box
 * (dvvC) added to its sample entry, renamed dvh1: the signalling a phone's Dolby Vision clip carries.
 */
export type FixtureRecipe =
  | {
      readonly kind: "ffmpeg";
      readonly steps: readonly (readonly string[])[];
      readonly post?: readonly FixturePostStep[];
    }
  | { readonly kind: "truncate"; readonly from: FixtureName; readonly keepFraction: number }
  | { readonly kind: "text"; readonly content: string }
  | {
      readonly kind: "dolby-vision";
      readonly from: FixtureName;
      readonly profile: number;
      readonly level: number;
      readonly compatibilityId: number;
    };

const QUIET = ["-hide_banner", "-nostdin", "-y", "-loglevel", "error"];
// Same bytes on every run: one thread, no version strings, no creation times.
const EXACT = ["-threads", "1", "-map_metadata", "-1", "-fflags", "+bitexact"];
const EXACT_CODECS = ["-flags:v", "+bitexact", "-flags:a", "+bitexact"];
// Interlaced coding (field DCT and motion estimation) joins bitexact in one -flags:v: a second one would replace it.
const EXACT_INTERLACED_CODECS = ["-flags:v", "+bitexact+ildct+ilme", "-flags:a", "+bitexact"];

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

/**
 * The SDR picture the HDR fixtures are made from, drawn in RGB (BT.709 primaries and transfer); the colour
 * tests compare tone-mapped outputs against this same picture.
 */
export const sdrPicture = (size: string, rate: number, seconds: number) =>
  `testsrc2=size=${size}:rate=${rate}:duration=${seconds},format=gbrp`;

/**
 * SDR → HDR the way BT.2408 places SDR in HDR: SDR white at 203 nits (75 % HLG signal, 58 % PQ), BT.2020
 * primaries, 10-bit 4:2:0, limited range.
 */
const toHdr = (transfer: "arib-std-b67" | "smpte2084") =>
  `zscale=tin=bt709:pin=bt709:t=${transfer}:p=bt2020:m=bt2020nc:r=tv:npl=203,format=yuv420p10le`;
const BT2020_TAGS = ["-color_primaries", "bt2020", "-colorspace", "bt2020nc", "-color_range", "tv"];
const HDR_SIZE = "640x360";
const X265_QUIET = "log-level=error:pools=none:frame-threads=1:info=0";
// x265 writes its own VUI from these; HDR10 adds mastering-display and content-light SEI (1000-nit peak).
const x265Hdr = (transfer: "arib-std-b67" | "smpte2084") => [
  ...["-c:v", "libx265", "-preset", "ultrafast", "-crf", "20"],
  "-x265-params",
  [
    X265_QUIET,
    `colorprim=bt2020:transfer=${transfer}:colormatrix=bt2020nc:range=limited`,
    ...(transfer === "smpte2084"
      ? [
          "hdr10=1:master-display=G(13250,34500)B(7500,3000)R(34000,16000)WP(15635,16450)L(10000000,1):max-cll=1000,400",
        ]
      : []),
  ].join(":"),
];

/** 50 progressive frames a second woven into 25 interlaced ones, top or bottom field first. */
const interlace = (first: "top" | "bottom") =>
  `tinterlace=mode=interleave_${first},setfield=${first === "top" ? "tff" : "bff"}`;

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
  // HLG HEVC Main 10 (broadcast, phones), tagged in the VUI; hvc1 so it can be re-signalled as Dolby Vision.
  "hlg-hevc-10bit.mp4": {
    kind: "ffmpeg",
    steps: [
      [
        ...QUIET,
        ...["-f", "lavfi", "-i", sdrPicture(HDR_SIZE, 25, 1)],
        ...["-map", "0:v", "-vf", toHdr("arib-std-b67")],
        ...x265Hdr("arib-std-b67"),
        ...["-tag:v", "hvc1"],
        ...EXACT,
        ...EXACT_CODECS,
        "{out}",
      ],
    ],
  },
  // Profile 8.4 (what iPhones record): an HLG base layer any HEVC decoder plays. No RPU NAL units: ffmpeg 5.1
  // cannot write them, and decoders without Dolby Vision (and our planner) read only the base layer.
  "dolby-vision-84.mp4": {
    kind: "dolby-vision",
    from: "hlg-hevc-10bit.mp4",
    profile: 8,
    level: 1,
    compatibilityId: 4,
  },
  // HDR10: PQ with mastering-display and MaxCLL/MaxFALL SEI, in Matroska.
  "pq-hevc-10bit.mkv": {
    kind: "ffmpeg",
    steps: [
      [
        ...QUIET,
        ...["-f", "lavfi", "-i", sdrPicture(HDR_SIZE, 25, 1)],
        ...["-map", "0:v", "-vf", toHdr("smpte2084")],
        ...x265Hdr("smpte2084"),
        ...EXACT,
        ...EXACT_CODECS,
        "{out}",
      ],
    ],
  },
  // VP9 profile 2 (10-bit) PQ in WebM: the tags live in the container's Colour element.
  "pq-vp9-10bit.webm": {
    kind: "ffmpeg",
    steps: [
      [
        ...QUIET,
        ...["-f", "lavfi", "-i", sdrPicture(HDR_SIZE, 25, 1)],
        ...["-map", "0:v", "-vf", toHdr("smpte2084")],
        ...[
          "-c:v",
          "libvpx-vp9",
          "-profile:v",
          "2",
          "-deadline",
          "realtime",
          "-cpu-used",
          "8",
          "-b:v",
          "800k",
        ],
        ...[...BT2020_TAGS, "-color_trc", "smpte2084"],
        ...EXACT,
        ...EXACT_CODECS,
        "{out}",
      ],
    ],
  },
  // H.264 High 10 HLG: what some broadcast and camera workflows write.
  "hlg-h264-10bit.mp4": {
    kind: "ffmpeg",
    steps: [
      [
        ...QUIET,
        ...["-f", "lavfi", "-i", sdrPicture(HDR_SIZE, 25, 1)],
        ...["-map", "0:v", "-vf", toHdr("arib-std-b67")],
        ...x264(20, "yuv420p10le"),
        ...["-profile:v", "high10", ...BT2020_TAGS, "-color_trc", "arib-std-b67"],
        ...EXACT,
        ...EXACT_CODECS,
        "{out}",
      ],
    ],
  },
  // 1080i25 H.264 in MPEG-TS, as DVB broadcasts it: interlaced coding (+ildct+ilme), top field first.
  "interlaced-1080i-h264.ts": {
    kind: "ffmpeg",
    steps: [
      [
        ...QUIET,
        ...video("1920x1080", 50, 1),
        ...["-map", "0:v", "-vf", interlace("top")],
        ...[...x264(28), "-f", "mpegts"],
        ...EXACT,
        ...EXACT_INTERLACED_CODECS,
        "{out}",
      ],
    ],
  },
  // 576i25 MPEG-2 with MP2 audio in MPEG-TS (DVB SD): 16:9 anamorphic (720x576, SAR 64:45, shown 1024x576).
  "interlaced-576i-mpeg2.ts": {
    kind: "ffmpeg",
    steps: [
      [
        ...QUIET,
        ...video("720x576", 50, 1),
        ...tone(440, 48000, 1),
        ...["-map", "0:v", "-map", "1:a", "-vf", interlace("top")],
        ...["-c:v", "mpeg2video", "-b:v", "4M", "-top", "1", "-aspect", "16:9"],
        ...["-c:a", "mp2", "-b:a", "192k", "-ac", "2", "-f", "mpegts"],
        ...EXACT,
        ...EXACT_INTERLACED_CODECS,
        "{out}",
      ],
    ],
  },
  // DV PAL from a camcorder, captured to AVI (type 2): bottom field first, 16:9; ffprobe states no field order.
  "dv-576i.avi": {
    kind: "ffmpeg",
    steps: [
      [
        ...QUIET,
        ...video("720x576", 50, 1),
        ...["-map", "0:v", "-vf", interlace("bottom")],
        ...["-c:v", "dvvideo", "-pix_fmt", "yuv420p", "-aspect", "16:9", "-f", "avi"],
        ...EXACT,
        ...EXACT_CODECS,
        "{out}",
      ],
    ],
  },
  // A 2.4:1 film: its HLS ladder tops out at 800 lines, not 720.
  "ultrawide-1920x800.mp4": {
    kind: "ffmpeg",
    steps: [
      [...QUIET, ...video("1920x800", 25, 1), "-map", "0:v", ...x264(28), ...EXACT, ...EXACT_CODECS, "{out}"],
    ],
  },
  // Between the ladder's 720p and 1080p steps: its own size is the top rung.
  "between-1600x900.mp4": {
    kind: "ffmpeg",
    steps: [
      [...QUIET, ...video("1600x900", 25, 1), "-map", "0:v", ...x264(28), ...EXACT, ...EXACT_CODECS, "{out}"],
    ],
  },
  // A phone's portrait clip coded upright (no rotation), tagged BT.709 as phones tag SDR.
  "portrait-1080x1920.mp4": {
    kind: "ffmpeg",
    steps: [
      [
        ...QUIET,
        ...["-f", "lavfi", "-i", sdrPicture("1080x1920", 30, 1)],
        ...["-map", "0:v", "-vf", "scale=out_color_matrix=bt709:out_range=tv"],
        ...x264(28),
        ...["-color_primaries", "bt709", "-color_trc", "bt709", "-colorspace", "bt709", "-color_range", "tv"],
        ...EXACT,
        ...EXACT_CODECS,
        "{out}",
      ],
    ],
  },
  // 8K (7680x4320, H.264 level 6.1) from a phone: three frames at x264's fastest, so it stays small.
  "8k-3-frames.mp4": {
    kind: "ffmpeg",
    steps: [
      [
        ...QUIET,
        ...video("7680x4320", 30, 0.1),
        ...["-map", "0:v", "-c:v", "libx264", "-preset", "ultrafast", "-crf", "35", "-pix_fmt", "yuv420p"],
        ...EXACT,
        ...EXACT_CODECS,
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
