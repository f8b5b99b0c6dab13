// planFfmpeg: argv rules every preset keeps, and what each preset decides for sizes, audio and rotation.
import { describe, expect, it } from "vitest";
import { DEFAULT_PLAN_LIMITS } from "../../../../core/ffmpeg/check-input.ts";
import type { FfmpegPlan } from "../../../../core/ffmpeg/ffmpeg-plan.ts";
import { planFfmpeg } from "../../../../core/ffmpeg/plan-ffmpeg.ts";
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
    // Video is mapped explicitly by stream index (HLS: its filter graph reads it); audio only when present.
    const graph = argAfter(argv, "-filter_complex");
    expect(maps.includes(video) || graph?.startsWith(`[${video}]`)).toBe(true);
    expect(maps.includes("0:a:0?")).toBe(given.audioCodec !== null);
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

  it("refuses codecs no container takes as they are, naming them", () => {
    const rejection = planFfmpeg({
      preset: "default",
      probe: fakeProbe({ videoCodec: "h264", audioCodec: "adpcm_ima_qt" }),
      inputPath: "in",
      outDir: "out",
      limits: DEFAULT_PLAN_LIMITS,
    })._unsafeUnwrapErr();
    expect(rejection.code).toBe("unsupported-codec");
    expect(rejection.message).toContain("adpcm_ima_qt");
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
