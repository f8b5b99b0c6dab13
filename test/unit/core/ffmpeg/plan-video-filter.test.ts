// The video filters per class of source (SDR, HDR, interlaced) in every preset's argv, and the output colour tags.
import { describe, expect, it } from "vitest";
import { DEFAULT_PLAN_LIMITS } from "../../../../core/ffmpeg/check-input.ts";
import type { FfmpegPlan } from "../../../../core/ffmpeg/ffmpeg-plan.ts";
import { planFfmpeg } from "../../../../core/ffmpeg/plan-ffmpeg.ts";
import type { PresetName } from "../../../../core/preset-names.ts";
import { type FakeInput, fakeProbe } from "./ffprobe-json.ts";

const plan = (preset: PresetName, given: FakeInput): FfmpegPlan =>
  planFfmpeg({
    preset,
    probe: fakeProbe(given),
    inputPath: "in",
    outDir: "out",
    limits: DEFAULT_PLAN_LIMITS,
  })._unsafeUnwrap();
const argAfter = (argv: readonly string[], flag: string) => argv[argv.indexOf(flag) + 1];
const transcodeArgv = (p: FfmpegPlan) => p.commands[0]?.argv ?? [];
const posterArgv = (p: FfmpegPlan) => p.commands[1]?.argv ?? [];

const HEVC_10 = {
  videoCodec: "hevc",
  pixFmt: "yuv420p10le",
  colorPrimaries: "bt2020",
  colorSpace: "bt2020nc",
};
const HLG: FakeInput = { ...HEVC_10, colorTransfer: "arib-std-b67" };
const PQ: FakeInput = { ...HEVC_10, colorTransfer: "smpte2084" };
const DOLBY_VISION_84: FakeInput = {
  videoCodec: "hevc",
  codecTag: "dvh1",
  dolbyVision: { profile: 8, compatibilityId: 4 },
};
const INTERLACED: FakeInput = {
  videoCodec: "mpeg2video",
  width: 1920,
  height: 1080,
  fps: "25/1",
  fieldOrder: "tt",
};
const DV: FakeInput = { videoCodec: "dvvideo", width: 720, height: 576, fps: "25/1", sar: "64:45" };

const toneMap = (transfer: string, out: string) =>
  `zscale=tin=${transfer}:pin=bt2020:min=bt2020nc:t=linear:npl=100,format=gbrpf32le,zscale=p=bt709,` +
  `tonemap=tonemap=mobius:desat=0,zscale=t=bt709:${out},format=yuv420p`;
const BT709_TAGS = ["-color_primaries", "bt709", "-color_trc", "bt709", "-colorspace", "bt709"];

const colourTags = (argv: readonly string[]) =>
  ["-color_primaries", "-color_trc", "-colorspace"].flatMap((flag) =>
    argv.includes(flag) ? [flag, argAfter(argv, flag)] : [],
  );

describe("web-optimized and mobile: -vf per class", () => {
  it.each<{ name: string; preset: PresetName; given: FakeInput; vf: string; tags: string[] }>([
    {
      name: "SDR: scale only, no tags (unchanged)",
      preset: "web-optimized",
      given: {},
      vf: "scale=1280:720,setsar=1",
      tags: [],
    },
    {
      name: "BT.709-tagged SDR keeps its own tags",
      preset: "web-optimized",
      given: { colorTransfer: "bt709", colorPrimaries: "bt709", colorSpace: "bt709" },
      vf: "scale=1280:720,setsar=1",
      tags: [],
    },
    {
      name: "HLG HEVC: scaled in 10-bit, then tone-mapped from HLG",
      preset: "web-optimized",
      given: HLG,
      vf: `scale=1280:720,${toneMap("arib-std-b67", "m=bt709:r=tv")},setsar=1`,
      tags: BT709_TAGS,
    },
    {
      name: "PQ HEVC",
      preset: "web-optimized",
      given: PQ,
      vf: `scale=1280:720,${toneMap("smpte2084", "m=bt709:r=tv")},setsar=1`,
      tags: BT709_TAGS,
    },
    {
      name: "PQ VP9 on mobile: 480p box, tone-mapped",
      preset: "mobile",
      given: { ...PQ, videoCodec: "vp9" },
      vf: `scale=854:480,${toneMap("smpte2084", "m=bt709:r=tv")},setsar=1`,
      tags: BT709_TAGS,
    },
    {
      name: "Dolby Vision 8.4 known only by its record: read as HLG",
      preset: "web-optimized",
      given: DOLBY_VISION_84,
      vf: `scale=1280:720,${toneMap("arib-std-b67", "m=bt709:r=tv")},setsar=1`,
      tags: BT709_TAGS,
    },
    {
      name: "1080i MPEG-2 (tt): deinterlaced before scaling",
      preset: "web-optimized",
      given: INTERLACED,
      vf: "bwdif=mode=send_frame:parity=auto:deint=all,scale=1920:1080,setsar=1",
      tags: [],
    },
    {
      name: "DV PAL 16:9, no field order: flagged frames deinterlaced, square pixels",
      preset: "web-optimized",
      given: DV,
      vf: "bwdif=mode=send_frame:parity=auto:deint=interlaced,scale=1024:576,setsar=1",
      tags: [],
    },
    {
      name: "1080i HLG broadcast: deinterlace, scale, tone-map",
      preset: "mobile",
      given: { ...INTERLACED, ...HLG },
      vf: `bwdif=mode=send_frame:parity=auto:deint=all,scale=854:480,${toneMap("arib-std-b67", "m=bt709:r=tv")},setsar=1`,
      tags: BT709_TAGS,
    },
  ])("$name", ({ preset, given, vf, tags }) => {
    const argv = transcodeArgv(plan(preset, given));
    expect(argAfter(argv, "-vf")).toBe(vf);
    expect(colourTags(argv)).toEqual(tags);
    expect(argAfter(argv, "-pix_fmt")).toBe("yuv420p");
  });
});

describe("hls: the shared part of the graph runs once, before the split", () => {
  it.each<{ name: string; given: FakeInput; graph: string; tags: string[] }>([
    {
      name: "SDR (unchanged)",
      given: { width: 640, height: 360 },
      graph: "[0:0]split=2[s0][s1];[s0]scale=640:360,setsar=1[v0];[s1]scale=426:240,setsar=1[v1]",
      tags: [],
    },
    {
      name: "HLG: scaled to the top rung and tone-mapped, then split",
      given: { ...HLG, width: 640, height: 360 },
      graph:
        `[0:0]scale=640:360,${toneMap("arib-std-b67", "m=bt709:r=tv")},split=2[s0][s1];` +
        "[s0]scale=640:360,setsar=1[v0];[s1]scale=426:240,setsar=1[v1]",
      tags: BT709_TAGS,
    },
    {
      name: "interlaced, one rung",
      given: { ...DV, width: 320, height: 240, sar: "1:1", fieldOrder: "bb" },
      graph: "[0:0]bwdif=mode=send_frame:parity=auto:deint=all,scale=320:240,setsar=1[v0]",
      tags: [],
    },
  ])("$name", ({ given, graph, tags }) => {
    const argv = transcodeArgv(plan("hls", given));
    expect(argAfter(argv, "-filter_complex")).toBe(graph);
    expect(colourTags(argv)).toEqual(tags);
  });
});

describe("poster", () => {
  it.each<{ name: string; given: FakeInput; vf: string }>([
    {
      name: "SDR: converted to the BT.601 matrix JPEG decoders assume",
      given: { colorTransfer: "bt709", colorPrimaries: "bt709", colorSpace: "bt709" },
      vf: "scale=1280:720:out_color_matrix=bt601:out_range=full,setsar=1,format=yuv420p",
    },
    {
      name: "HLG: tone-mapped to full-range BT.601 YCbCr, what JPEG decoders assume",
      given: HLG,
      vf: `scale=1280:720,${toneMap("arib-std-b67", "m=bt470bg:r=full")},setsar=1`,
    },
    {
      name: "interlaced: deinterlaced first",
      given: INTERLACED,
      vf: "bwdif=mode=send_frame:parity=auto:deint=all,scale=1280:720:out_color_matrix=bt601:out_range=full,setsar=1,format=yuv420p",
    },
  ])("$name", ({ given, vf }) => {
    for (const preset of ["web-optimized", "hls", "default"] as const) {
      expect(argAfter(posterArgv(plan(preset, given)), "-vf")).toBe(vf);
    }
  });
});

describe("poster seek", () => {
  // Output seeking in every container: at most a second of video is decoded, and a stream without an index (MPEG-TS
  // with one keyframe, MPEG-PS) cannot make an input seek land between keyframes and find no picture.
  it.each(["mov,mp4,m4a,3gp,3g2,mj2", "matroska,webm", "avi", "mpegts", "mpeg"])(
    "%s: -ss after -i",
    (formatName) => {
      const argv = posterArgv(plan("web-optimized", { formatName }));
      const [ss, input] = [argv.indexOf("-ss"), argv.indexOf("-i")];
      expect(argv[ss + 1]).toBe("1.000");
      expect(ss).toBeGreaterThan(input);
    },
  );
});

describe("default (stream copy) leaves HDR and interlaced sources untouched", () => {
  it.each<{ name: string; given: FakeInput }>([
    { name: "HLG", given: HLG },
    { name: "PQ", given: PQ },
    { name: "Dolby Vision 8.4", given: DOLBY_VISION_84 },
    { name: "1080i MPEG-2", given: INTERLACED },
    { name: "DV PAL", given: DV },
  ])("$name", ({ given }) => {
    const argv = transcodeArgv(plan("default", given));
    expect(argAfter(argv, "-c")).toBe("copy");
    expect(argv).not.toContain("-vf");
    expect(colourTags(argv)).toEqual([]);
  });
});
