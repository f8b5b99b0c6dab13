// The quality check's plan: where it samples, what it compares (MP4 or every HLS rung), and reading ffmpeg's score.
import { describe, expect, it } from "vitest";
import type { FfmpegPlan } from "../../../../core/ffmpeg/ffmpeg-plan.ts";
import {
  parseSsimSummary,
  planQualityChecks,
  QUALITY_FRAMES_PER_WINDOW,
  qualitySampleTimes,
  qualityTargets,
} from "../../../../core/ffmpeg/plan-quality-check.ts";
import type { ProbeStream } from "../../../../core/ffmpeg/probe-summary.ts";
import { fakeProbe } from "./ffprobe-json.ts";

const mp4Plan = {
  outputs: [
    { type: "video", path: "video.mp4", isPattern: false, contentType: "video/mp4", quality: "720p" },
    { type: "poster", path: "poster.jpg", isPattern: false, contentType: "image/jpeg" },
  ],
  expected: {
    container: "mp4",
    videoCodec: "h264",
    audioCodec: "aac",
    width: 1280,
    height: 720,
    rotation: 0,
    durationSec: 10,
  },
} as unknown as FfmpegPlan;

const hlsPlan = {
  outputs: [
    { type: "hls-master", path: "master.m3u8", isPattern: false, contentType: "x" },
    { type: "hls-playlist", path: "720p/index.m3u8", isPattern: false, contentType: "x", quality: "720p" },
    { type: "hls-playlist", path: "360p/index.m3u8", isPattern: false, contentType: "x", quality: "360p" },
  ],
  expected: {
    container: "hls",
    videoCodec: "h264",
    audioCodec: null,
    width: 1280,
    height: 720,
    rotation: 0,
    durationSec: 10,
    renditions: [
      { quality: "720p", width: 1280, height: 720 },
      { quality: "360p", width: 640, height: 360 },
    ],
  },
} as unknown as FfmpegPlan;

describe("qualitySampleTimes", () => {
  it.each([
    [30, 0.25, [5, 15, 25]],
    [10, 0.5, [1.667, 5, 8.333]],
    [1, 0.9, [0.1]],
    [0.2, 0.5, [0]],
  ])("a %d s clip, windows of %d s → %o", (duration, window, times) => {
    expect(qualitySampleTimes(duration, window)).toEqual(times);
  });
});

describe("qualityTargets", () => {
  it("checks the MP4 at its planned size", () => {
    expect(qualityTargets(mp4Plan)).toEqual([
      { path: "video.mp4", quality: "720p", width: 1280, height: 720 },
    ]);
  });

  it("checks every HLS rung through its playlist", () => {
    expect(qualityTargets(hlsPlan).map((t) => [t.path, t.width, t.height])).toEqual([
      ["720p/index.m3u8", 1280, 720],
      ["360p/index.m3u8", 640, 360],
    ]);
  });
});

describe("planQualityChecks", () => {
  const probe = fakeProbe({
    width: 1920,
    height: 1080,
    fps: "25/1",
    fieldOrder: "tt",
    durationSec: 10,
  });
  const ctx = {
    inputPath: "/w/in.mov",
    outDir: "/w/out",
    input: { video: probe.video as ProbeStream, durationSec: 10, probe },
  };

  it("seeks both files to the same windows and runs the source through the encode's filter at the output size", () => {
    const [check] = planQualityChecks(mp4Plan, ctx);
    expect(check?.sampleTimes).toHaveLength(3);
    const argv = check?.argv ?? [];
    expect(argv.filter((a) => a === "-i")).toHaveLength(6);
    expect(argv).toContain("/w/out/video.mp4");
    const graph = argv[argv.indexOf("-filter_complex") + 1] ?? "";
    const index = probe.video?.index;
    // Window by window, the interlaced source deinterlaced and scaled as the encode did it, then concatenated.
    for (const [i, input] of [1, 3, 5].entries()) {
      expect(graph).toMatch(
        new RegExp(
          `\\[${input}:${index}\\]settb=AVTB,setpts=PTS-STARTPTS,bwdif=[^,]+,scale=1280:720[^;]*\\[r${i}\\]`,
        ),
      );
    }
    expect(graph).toContain("[r0][r1][r2]concat=n=3:v=1:a=0[reference]");
    expect(graph.endsWith("[distorted][reference]ssim")).toBe(true);
    expect(argv[argv.indexOf("-t") + 1]).toBe((QUALITY_FRAMES_PER_WINDOW / 25).toFixed(3));
  });

  it("reads an input without a seek index from the start and picks the windows by time", () => {
    const ts = fakeProbe({ formatName: "mpegts", fps: "25/1", durationSec: 10 });
    const [check] = planQualityChecks(mp4Plan, {
      ...ctx,
      input: { video: ts.video as ProbeStream, durationSec: 10, probe: ts },
    });
    const argv = check?.argv ?? [];
    expect(argv.filter((a) => a === "-i")).toHaveLength(2);
    expect(argv).not.toContain("-ss");
    const graph = argv[argv.indexOf("-filter_complex") + 1] ?? "";
    expect(graph).toContain("select='between(t,1.640,1.960)+between(t,5.000,5.320)+between(t,8.320,8.640)'");
  });

  it("plans one check per HLS rung", () => {
    expect(planQualityChecks(hlsPlan, ctx).map((c) => c.target.quality)).toEqual(["720p", "360p"]);
  });
});

describe("parseSsimSummary", () => {
  it.each([
    [
      "[Parsed_ssim_5 @ 0x1] SSIM Y:0.996158 (24.15) U:0.997650 (26.28) V:0.998167 (27.36) All:0.996742 (24.87)\n",
      0.996742,
    ],
    ["a\nSSIM Y:0.5 (3) U:0.5 (3) V:0.5 (3) All:0.512 (3.1)\nb\n", 0.512],
    ["no summary here", null],
    ["SSIM Y:1 U:1 V:1 All:nan (inf)", null],
  ])("%j → %s", (stderr, score) => {
    expect(parseSsimSummary(stderr)).toBe(score);
  });
});
