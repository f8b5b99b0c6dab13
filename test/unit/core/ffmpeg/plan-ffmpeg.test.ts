// planFfmpeg: argv rules every preset keeps, and what each preset decides for sizes, audio and rotation.
import { describe, expect, it } from "vitest";
import { DEFAULT_PLAN_LIMITS } from "../../../../core/ffmpeg/check-input.ts";
import type { CopyContainer } from "../../../../core/ffmpeg/copy-containers.ts";
import type { FfmpegPlan } from "../../../../core/ffmpeg/ffmpeg-plan.ts";
import { type PlanFfmpegInput, planFfmpeg } from "../../../../core/ffmpeg/plan-ffmpeg.ts";
import { PRESET_NAMES, type PresetName } from "../../../../core/preset-names.ts";
import { type FakeInput, fakeProbe } from "./ffprobe-json.ts";

const plan = (preset: PresetName, given: FakeInput = {}): FfmpegPlan =>
  planFfmpeg({
    preset,
    probe: fakeProbe(given),
    inputPath: "/work/in.mov",
    outDir: "/work/out/",
    limits: DEFAULT_PLAN_LIMITS,
  })._unsafeUnwrap();

const transcodeArgv = (p: FfmpegPlan): readonly string[] => p.commands[0]?.argv ?? [];
const posterArgv = (p: FfmpegPlan): readonly string[] => p.commands[1]?.argv ?? [];
/** The value after a flag, e.g. argAfter(argv, "-crf") → "23". */
const argAfter = (argv: readonly string[], flag: string): string | undefined => argv[argv.indexOf(flag) + 1];
/** Like argAfter, but undefined when the flag is absent. */
const flagValue = (argv: readonly string[], flag: string): string | undefined =>
  argv.includes(flag) ? argAfter(argv, flag) : undefined;
const argsAfter = (argv: readonly string[], flag: string): string[] =>
  argv.flatMap((a, i) => (a === flag ? [argv[i + 1] ?? ""] : []));

const INPUTS: { name: string; given: FakeInput }[] = [
  { name: "720p with audio", given: {} },
  { name: "no audio", given: { audioCodec: null } },
  { name: "rotated portrait", given: { matrixRotation: -90 } },
  { name: "cover art as stream 0, video as stream 1", given: { coverArt: "first" } },
];

describe.each(PRESET_NAMES)("%s: argv every command keeps", (preset) => {
  it.each(INPUTS)("$name", ({ given }) => {
    const p = plan(preset, given);
    expect(p.commands.map((c) => c.purpose)).toEqual(["transcode", "poster"]);
    for (const { argv, timeLimitMs } of p.commands) {
      expect(argv.slice(0, 8)).toEqual([
        "-hide_banner",
        "-nostdin",
        "-y",
        "-loglevel",
        "warning",
        "-nostats",
        "-progress",
        "pipe:1",
      ]);
      expect(argAfter(argv, "-i")).toBe("/work/in.mov");
      expect(argv.at(-1)?.startsWith("/work/out/")).toBe(true);
      expect(argv.at(-1)?.includes("//")).toBe(false);
      expect(timeLimitMs).toBeGreaterThan(0);
    }
    const argv = transcodeArgv(p);
    const maps = argsAfter(argv, "-map");
    const video = given.coverArt === "first" ? "0:1" : "0:0";
    const audio = given.coverArt === "first" ? "0:2" : "0:1";
    // Video and audio are mapped explicitly by stream index (HLS: its filter graph reads the video); audio only
    // when present.
    const graph = argAfter(argv, "-filter_complex");
    expect(maps.includes(video) || graph?.startsWith(`[${video}]`)).toBe(true);
    expect(maps.includes(audio)).toBe(given.audioCodec !== null);
    expect(maps.some((m) => m.startsWith("0:a"))).toBe(false);
    expect(argsAfter(posterArgv(p), "-map")).toEqual([video]);
    expect(p.directories[0]).toBe("/work/out/");
  });
});

describe("web-optimized and mobile", () => {
  it.each<{ preset: PresetName; given: FakeInput; size: [number, number] }>([
    { preset: "web-optimized", given: {}, size: [1280, 720] },
    { preset: "web-optimized", given: { width: 641, height: 361 }, size: [640, 360] },
    { preset: "web-optimized", given: { matrixRotation: -90 }, size: [720, 1280] },
    { preset: "web-optimized", given: { matrixRotation: 90, width: 1921, height: 1081 }, size: [1080, 1920] },
    { preset: "web-optimized", given: { width: 720, height: 480, sar: "32:27" }, size: [852, 480] },
    { preset: "mobile", given: {}, size: [854, 480] },
    { preset: "mobile", given: { width: 3840, height: 2160 }, size: [854, 480] },
    { preset: "mobile", given: { matrixRotation: -90 }, size: [480, 854] },
    { preset: "mobile", given: { width: 320, height: 240 }, size: [320, 240] },
    { preset: "mobile", given: { width: 641, height: 361 }, size: [640, 360] },
    // Caps: web-optimized fits 3840x2160 (H.264 level 5.1/5.2), mobile 854x480, both turned like the picture.
    { preset: "web-optimized", given: { width: 7680, height: 4320 }, size: [3840, 2160] },
    {
      preset: "web-optimized",
      given: { width: 7680, height: 4320, matrixRotation: -90 },
      size: [2160, 3840],
    },
    { preset: "web-optimized", given: { width: 4320, height: 7680 }, size: [2160, 3840] },
    { preset: "web-optimized", given: { width: 5120, height: 2160 }, size: [3840, 1620] },
    { preset: "web-optimized", given: { width: 3840, height: 2160 }, size: [3840, 2160] },
    { preset: "web-optimized", given: { width: 1920, height: 800 }, size: [1920, 800] },
    { preset: "mobile", given: { width: 1920, height: 800 }, size: [854, 356] },
    { preset: "mobile", given: { width: 7680, height: 4320 }, size: [854, 480] },
  ])("$preset $given → $size", ({ preset, given, size: [width, height] }) => {
    const p = plan(preset, given);
    expect(argAfter(transcodeArgv(p), "-vf")).toBe(`scale=${width}:${height},setsar=1`);
    expect(p.expected).toMatchObject({ container: "mp4", videoCodec: "h264", width, height, rotation: 0 });
    expect(p.outputs[0]).toMatchObject({ type: "video", path: "video.mp4", contentType: "video/mp4" });
  });

  it.each<{ preset: PresetName; crf: string; profile: string; audio: string }>([
    { preset: "web-optimized", crf: "23", profile: "high", audio: "128k" },
    { preset: "mobile", crf: "26", profile: "main", audio: "96k" },
  ])("$preset: x264 crf $crf $profile, AAC $audio, faststart", ({ preset, crf, profile, audio }) => {
    const argv = transcodeArgv(plan(preset));
    expect(argAfter(argv, "-c:v")).toBe("libx264");
    expect(argAfter(argv, "-crf")).toBe(crf);
    expect(argAfter(argv, "-profile:v")).toBe(profile);
    expect(argAfter(argv, "-pix_fmt")).toBe("yuv420p");
    expect(argAfter(argv, "-b:a")).toBe(audio);
    expect(argAfter(argv, "-movflags")).toBe("+faststart");
    expect(argv).not.toContain("-an");
  });

  it.each<PresetName>(["web-optimized", "mobile"])("%s without audio: -an and no audio encoder", (preset) => {
    const p = plan(preset, { audioCodec: null });
    expect(transcodeArgv(p)).toContain("-an");
    expect(transcodeArgv(p)).not.toContain("-c:a");
    expect(p.expected.audioCodec).toBeNull();
  });
});

describe("default (stream copy)", () => {
  it.each<{ given: FakeInput; file: string; format: string; hvc1: boolean }>([
    { given: {}, file: "video.mp4", format: "mp4", hvc1: false },
    { given: { videoCodec: "hevc" }, file: "video.mp4", format: "mp4", hvc1: true },
    { given: { videoCodec: "av1", audioCodec: "opus" }, file: "video.mp4", format: "mp4", hvc1: false },
    { given: { videoCodec: "mpeg4", audioCodec: null }, file: "video.mp4", format: "mp4", hvc1: false },
    { given: { videoCodec: "vp9", audioCodec: "opus" }, file: "video.webm", format: "webm", hvc1: false },
    { given: { videoCodec: "vp8", audioCodec: "vorbis" }, file: "video.webm", format: "webm", hvc1: false },
    { given: { videoCodec: "vp9", audioCodec: "aac" }, file: "video.mkv", format: "matroska", hvc1: false },
    {
      given: { videoCodec: "h264", audioCodec: "pcm_s16le" },
      file: "video.mkv",
      format: "matroska",
      hvc1: false,
    },
    { given: { videoCodec: "prores", audioCodec: null }, file: "video.mkv", format: "matroska", hvc1: false },
    { given: { videoCodec: "hevc", audioCodec: "flac" }, file: "video.mkv", format: "matroska", hvc1: false },
  ])("$given → $file", ({ given, file, format, hvc1 }) => {
    const p = plan("default", given);
    const argv = transcodeArgv(p);
    expect(argAfter(argv, "-c")).toBe("copy");
    expect(argAfter(argv, "-f")).toBe(format);
    expect(argv.at(-1)).toBe(`/work/out/${file}`);
    expect(argAfter(argv, "-tag:v") === "hvc1").toBe(hvc1);
    expect(argv.includes("+faststart")).toBe(format === "mp4");
    expect(p.outputs[0]?.path).toBe(file);
  });

  it("keeps the source size and rotation in what the output should probe as", () => {
    const p = plan("default", { matrixRotation: -90 });
    expect(p.expected).toMatchObject({
      width: 1280,
      height: 720,
      rotation: 90,
      videoCodec: "h264",
      audioCodec: "aac",
    });
  });

  it("refuses a video codec no container takes as it is, naming it", () => {
    const rejection = planFfmpeg({
      preset: "default",
      probe: fakeProbe({ videoCodec: "vp6f", audioCodec: "mp3" }),
      inputPath: "in",
      outDir: "out",
      limits: DEFAULT_PLAN_LIMITS,
    })._unsafeUnwrapErr();
    expect(rejection.code).toBe("unsupported-codec");
    expect(rejection.message).toContain("vp6f");
  });

  it("leaves out an audio codec no container takes next to the video, and says so", () => {
    const p = plan("default", { videoCodec: "h264", audioCodec: "adpcm_ima_qt" });
    expect(argsAfter(transcodeArgv(p), "-map")).toEqual(["0:0"]);
    expect(p.expected).toMatchObject({ container: "mp4", audioCodec: null });
    expect(p.notes).toEqual([
      "audio track 1 (adpcm_ima_qt) cannot be stream-copied into MP4, WebM or Matroska next to h264 video; " +
        "the output is video-only (a re-encoding preset keeps the sound)",
    ]);
  });
});

describe("poster", () => {
  it.each([
    { durationSec: 10, seek: "1.000" },
    { durationSec: 1.5, seek: "0.750" },
    { durationSec: 0.1, seek: "0.050" },
  ])("seeks to min(1 s, half of $durationSec s) → $seek", ({ durationSec, seek }) => {
    expect(argAfter(posterArgv(plan("web-optimized", { durationSec })), "-ss")).toBe(seek);
  });

  it.each<{ name: string; given: FakeInput; seek: string }>([
    {
      name: "1 s of video over 8 s of audio: half of the video, not 1 s into the audio",
      given: { durationSec: 8, videoDurationSec: 1 },
      seek: "0.500",
    },
    {
      name: "video that starts 0.5 s after the input's clock: 1 s into the video",
      given: { startSec: 1.0, videoStartSec: 1.5, videoDurationSec: 3, durationSec: 3.5 },
      seek: "1.500",
    },
  ])("seeks from the video's own span: $name", ({ given, seek }) => {
    expect(argAfter(posterArgv(plan("web-optimized", given)), "-ss")).toBe(seek);
  });

  it("seeks after -i (decoding up to the frame), so a stream without an index cannot skip past it", () => {
    const argv = posterArgv(plan("web-optimized"));
    expect(argv.indexOf("-ss")).toBeGreaterThan(argv.indexOf("-i"));
  });

  it.each([
    { given: { width: 3840, height: 2160 }, scale: "scale=1280:720:" },
    { given: { matrixRotation: -90 }, scale: "scale=720:1280:" },
    { given: { width: 641, height: 361 }, scale: "scale=640:360:" },
  ])("is one JPEG frame, width ≤ 1280, even: $scale", ({ given, scale }) => {
    const p = plan("hls", given);
    const argv = posterArgv(p);
    expect(argAfter(argv, "-vf")?.startsWith(scale)).toBe(true);
    expect(argAfter(argv, "-frames:v")).toBe("1");
    expect(argv.at(-1)).toBe("/work/out/poster.jpg");
    expect(p.outputs.at(-1)).toEqual({
      type: "poster",
      path: "poster.jpg",
      isPattern: false,
      contentType: "image/jpeg",
    });
  });
});

describe("guest per preset", () => {
  it.each<{ preset: PresetName; given: FakeInput; cpuKind: string; cpus: number }>([
    { preset: "default", given: {}, cpuKind: "shared", cpus: 1 },
    { preset: "default", given: { width: 3840, height: 2160 }, cpuKind: "shared", cpus: 1 },
    { preset: "mobile", given: {}, cpuKind: "performance", cpus: 1 },
    { preset: "web-optimized", given: {}, cpuKind: "performance", cpus: 2 },
    { preset: "web-optimized", given: { width: 3840, height: 2160 }, cpuKind: "performance", cpus: 4 },
    { preset: "hls", given: {}, cpuKind: "performance", cpus: 4 },
    { preset: "hls", given: { width: 3840, height: 2160 }, cpuKind: "performance", cpus: 8 },
  ])("$preset $given → $cpuKind ×$cpus", ({ preset, given, cpuKind, cpus }) => {
    const { guest } = plan(preset, given);
    expect(guest).toMatchObject({ cpuKind, cpus });
    // Fly sells performance CPUs with at least 2 GB each.
    if (cpuKind === "performance") expect(guest.memoryMb).toBeGreaterThanOrEqual(2048 * cpus);
  });
});

describe("rejections reach the caller unchanged", () => {
  it("an audio file is not a video for any preset", () => {
    for (const preset of PRESET_NAMES) {
      const result = planFfmpeg({
        preset,
        probe: fakeProbe({ videoCodec: null }),
        inputPath: "in",
        outDir: "out",
        limits: DEFAULT_PLAN_LIMITS,
      });
      expect(result._unsafeUnwrapErr().code).toBe("not-a-video");
    }
  });
});

describe("the audio track and the output's length", () => {
  const twoTracks: FakeInput = { audioTracks: [{ codec: "aac" }, { codec: "aac", isDefault: true }] };

  it.each(PRESET_NAMES)("%s maps the default audio track (stream 2), not the first", (preset) => {
    const argv = transcodeArgv(plan(preset, twoTracks));
    expect(argsAfter(argv, "-map").filter((m) => m !== "0:0" && !m.startsWith("["))).toEqual(
      preset === "hls" ? ["0:2", "0:2", "0:2", "0:2"] : ["0:2"],
    );
  });

  it.each(PRESET_NAMES)("%s: an audio codec FFmpeg does not know → video-only, with a note", (preset) => {
    const p = plan(preset, { audioCodec: "unknown" });
    expect(argsAfter(transcodeArgv(p), "-map").some((m) => m === "0:1")).toBe(false);
    expect(p.expected.audioCodec).toBeNull();
    expect(p.notes).toEqual([
      "audio track 1 of 1 (unknown codec) could not be decoded: FFmpeg does not recognise its codec; " +
        "the output is video-only",
    ]);
  });

  it("a track that failed to decode is left out, the other one used", () => {
    const p = planFfmpeg({
      preset: "mobile",
      probe: fakeProbe(twoTracks),
      inputPath: "/in",
      outDir: "/out",
      limits: DEFAULT_PLAN_LIMITS,
      undecodableAudio: new Map([[2, "this FFmpeg has no aac decoder"]]),
    })._unsafeUnwrap();
    expect(argsAfter(transcodeArgv(p), "-map")).toEqual(["0:0", "0:1"]);
    expect(p.notes).toEqual([
      "audio track 2 of 2 (aac) could not be decoded: this FFmpeg has no aac decoder; the output uses audio track 1",
    ]);
  });

  it.each<{ preset: PresetName; cut: string | undefined; durationSec: number; notes: number }>([
    { preset: "web-optimized", cut: undefined, durationSec: 8, notes: 1 },
    { preset: "mobile", cut: undefined, durationSec: 8, notes: 1 },
    { preset: "hls", cut: "1.000", durationSec: 1, notes: 1 },
    { preset: "default", cut: undefined, durationSec: 8, notes: 1 },
  ])(
    "1 s of video over 8 s of audio, $preset: -t $cut, lasts $durationSec s",
    ({ preset, cut, durationSec, notes }) => {
      const p = plan(preset, { durationSec: 8, videoDurationSec: 1 });
      expect(flagValue(transcodeArgv(p), "-t")).toBe(cut);
      expect(p.expected.durationSec).toBe(durationSec);
      expect(p.notes).toHaveLength(notes);
    },
  );

  it.each<{ preset: PresetName; cut: string | undefined }>([
    { preset: "web-optimized", cut: "10.000" },
    { preset: "hls", cut: "10.000" },
    { preset: "default", cut: undefined },
  ])("audio 0.6 s past the video, $preset: -t $cut, no note", ({ preset, cut }) => {
    const p = plan(preset, { durationSec: 10.6, videoDurationSec: 10 });
    expect(flagValue(transcodeArgv(p), "-t")).toBe(cut);
    expect(p.notes).toEqual([]);
  });

  it("a subtitle that runs to 65 s: the output, its time limit and its check follow the 3 s of video", () => {
    const long = plan("web-optimized", {
      durationSec: 65,
      videoDurationSec: 3,
      audioTracks: [{ codec: "aac", durationSec: 3 }],
      subtitleEndSec: 65,
    });
    const short = plan("web-optimized", { durationSec: 3 });
    expect(long.expected.durationSec).toBe(3);
    expect(long.commands.map((c) => c.timeLimitMs)).toEqual(short.commands.map((c) => c.timeLimitMs));
  });
});

describe("inputs without timestamps or a recognisable start", () => {
  const rawH264: FakeInput = { formatName: "h264", durationSec: null, audioCodec: null, reorderDelay: 2 };
  const measured = new Map([[0, { startSec: 0, endSec: 4 }]]);
  const planWith = (preset: PresetName, given: FakeInput, extra: Partial<PlanFfmpegInput> = {}) =>
    planFfmpeg({
      preset,
      probe: fakeProbe(given),
      inputPath: "/in",
      outDir: "/out",
      limits: DEFAULT_PLAN_LIMITS,
      ...extra,
    });

  it("stream copy generates missing timestamps (-fflags +genpts before -i)", () => {
    const argv = transcodeArgv(plan("default"));
    expect(argv.slice(argv.indexOf("-fflags"), argv.indexOf("-i"))).toEqual(["-fflags", "+genpts"]);
  });

  it("raw H.264 is planned from its measured span, and refused for copy when it has B-frames", () => {
    expect(planWith("web-optimized", rawH264)._unsafeUnwrapErr().code).toBe("zero-duration");
    expect(planWith("web-optimized", rawH264, { measured })._unsafeUnwrap().expected.durationSec).toBe(4);
    const refused = planWith("default", rawH264, { measured })._unsafeUnwrapErr();
    expect(refused.code).toBe("unsupported-codec");
    expect(refused.message).toMatch(/raw H\.264 stream with B-frames .* use a re-encoding preset$/);
    expect(planWith("default", { ...rawH264, reorderDelay: 0 }, { measured }).isOk()).toBe(true);
  });

  it("a deep probe's options come before -i in every command", () => {
    const p = planWith("hls", {}, { probeDepth: "deep" })._unsafeUnwrap();
    for (const { argv } of p.commands) {
      expect(argv.slice(argv.indexOf("-formatprobesize"), argv.indexOf("-i"))).toEqual([
        ...["-formatprobesize", "67108864", "-probesize", "67108864"],
      ]);
    }
  });
});

describe("stream copy into the container the output URL names", () => {
  const copyInto = (copyContainer: CopyContainer, given: FakeInput) =>
    planFfmpeg({
      preset: "default",
      probe: fakeProbe(given),
      inputPath: "/in",
      outDir: "/out",
      limits: DEFAULT_PLAN_LIMITS,
      copyContainer,
    });

  it("uses it when it holds the codecs (H.264 + AAC into Matroska, not MP4)", () => {
    const p = copyInto("matroska", {})._unsafeUnwrap();
    expect(p.outputs[0]?.path).toBe("video.mkv");
    expect(argAfter(transcodeArgv(p), "-f")).toBe("matroska");
  });

  it("refuses it, in words, when it cannot", () => {
    expect(copyInto("mp4", { videoCodec: "hevc", audioCodec: "flac" })._unsafeUnwrapErr()).toEqual({
      code: "output-mismatch",
      message:
        "the output URL ends in .mp4, which cannot hold the source's FLAC audio stream by copy; " +
        "use .mkv or a re-encoding preset",
    });
  });
});
