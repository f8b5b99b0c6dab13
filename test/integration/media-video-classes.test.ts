// Real-world video classes through the real ffmpeg 5.1, checked as a viewer would see them: HDR tone-mapped to SDR
// (colour tags, and pixels against the SDR picture the HDR fixture was made from), interlaced sources made
// progressive (FFmpeg's idet), ladders that keep the source's size and shape, and sizes capped for decoders.
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { DEFAULT_PLAN_LIMITS } from "../../core/ffmpeg/check-input.ts";
import type { FfmpegPlan } from "../../core/ffmpeg/ffmpeg-plan.ts";
import { planFfmpeg } from "../../core/ffmpeg/plan-ffmpeg.ts";
import { posterSeekSec } from "../../core/ffmpeg/plan-poster.ts";
import type { ProbeSummary } from "../../core/ffmpeg/probe-summary.ts";
import type { PresetName } from "../../core/preset-names.ts";
import { sdrPicture } from "../../scripts/fixtures-recipes.ts";
import { ensureFixtures, type FixtureName } from "../../scripts/make-fixtures.ts";
import {
  ffprobe as ffprobeWith,
  masterEntries,
  probeSummary as probeSummaryWith,
  run,
} from "../support/probe-output.ts";

const { ffmpegPath, ffprobePath } = inject("ffmpeg");
let media: Record<FixtureName, string>;
let workDir: string;

beforeAll(async () => {
  media = await ensureFixtures({ ffmpegPath, ffprobePath });
  workDir = await mkdtemp(join(tmpdir(), "tcoder-video-classes-"));
});
afterAll(async () => {
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

const probeSummary = (path: string): Promise<ProbeSummary> => probeSummaryWith(ffprobePath, path);
const firstVideoJson = async (path: string): Promise<Record<string, unknown>> => {
  const streams = (await ffprobeWith(ffprobePath, path)).json.streams as Record<string, unknown>[];
  const video = streams.find((s) => s.codec_type === "video");
  if (video === undefined) throw new Error(`${path} has no video stream`);
  return video;
};

let runs = 0;
/** Probe, plan and run every command of a preset on a fixture (each must exit 0, silent at -loglevel warning). */
const transcode = async (preset: PresetName, fixture: FixtureName, edit = (argv: string[]) => argv) => {
  const source = await probeSummary(media[fixture]);
  const outDir = join(workDir, `${preset}-${fixture}-${runs++}`);
  const plan: FfmpegPlan = planFfmpeg({
    preset,
    probe: source,
    inputPath: media[fixture],
    outDir,
    limits: DEFAULT_PLAN_LIMITS,
  })._unsafeUnwrap();
  for (const dir of plan.directories) await mkdir(dir, { recursive: true });
  for (const command of plan.commands) {
    const result = await run(ffmpegPath, edit([...command.argv]));
    expect({ purpose: command.purpose, code: result.code, stderr: result.stderr }).toEqual({
      purpose: command.purpose,
      code: 0,
      stderr: "",
    });
  }
  return { source, plan, file: (relative: string) => join(outDir, relative) };
};

// ---- pixels ----------------------------------------------------------------------------------------------

interface Frame {
  readonly width: number;
  readonly height: number;
  readonly rgb: Buffer;
}

/**
 * One frame as RGB at the given size, converted by the file's own tags (matrix and range): what a player that
 * honours them, on an SDR screen, shows. `seekSec` seeks as the poster command does; else the first frame.
 */
const frameOf = async (
  input: string[],
  size: { width: number; height: number },
  seekSec?: number,
): Promise<Frame> => {
  const out = join(workDir, `frame-${runs++}.rgb`);
  const result = await run(ffmpegPath, [
    ...["-hide_banner", "-nostdin", "-y", "-loglevel", "error"],
    ...(seekSec !== undefined ? ["-ss", seekSec.toFixed(3)] : []),
    ...input,
    ...["-frames:v", "1", "-vf", `scale=${size.width}:${size.height},format=rgb24`],
    ...["-f", "rawvideo", out],
  ]);
  expect(result.stderr).toBe("");
  return { ...size, rgb: await readFile(out) };
};

/** The SDR picture an HDR fixture was made from (see fixtures-recipes.ts), drawn in RGB. */
const referenceFrame = (size: { width: number; height: number }, seekSec?: number) =>
  frameOf(["-f", "lavfi", "-i", sdrPicture(`${size.width}x${size.height}`, 25, 1)], size, seekSec);

interface Likeness {
  /** Mean absolute difference per RGB sample, 0–255. */
  readonly meanAbsError: number;
  /** Largest difference between the two frames' mean R, G or B. */
  readonly meanColourShift: number;
  /** FFmpeg's SSIM of the two frames' luma. */
  readonly lumaSsim: number;
}

const channelMeans = (rgb: Buffer): number[] => {
  const sums = [0, 0, 0];
  for (let i = 0; i < rgb.length; i++) sums[i % 3] = (sums[i % 3] ?? 0) + (rgb[i] ?? 0);
  return sums.map((s) => s / (rgb.length / 3));
};

const likeness = async (a: Frame, b: Frame): Promise<Likeness> => {
  expect(a.rgb.length).toBe(b.rgb.length);
  let diff = 0;
  for (let i = 0; i < a.rgb.length; i++) diff += Math.abs((a.rgb[i] ?? 0) - (b.rgb[i] ?? 0));
  const [meansA, meansB] = [channelMeans(a.rgb), channelMeans(b.rgb)];
  const pathA = join(workDir, `ssim-${runs++}.rgb`);
  const pathB = join(workDir, `ssim-${runs++}.rgb`);
  await Promise.all([writeFile(pathA, a.rgb), writeFile(pathB, b.rgb)]);
  const raw = (path: string) => [
    "-f",
    "rawvideo",
    "-pix_fmt",
    "rgb24",
    "-s",
    `${a.width}x${a.height}`,
    "-i",
    path,
  ];
  const ssim = await run(ffmpegPath, [
    ...["-hide_banner", "-nostdin", ...raw(pathA), ...raw(pathB)],
    ...["-lavfi", "[0]format=gray[a];[1]format=gray[b];[a][b]ssim", "-f", "null", "-"],
  ]);
  const lumaSsim = Number(/SSIM .*All:([\d.]+)/.exec(ssim.stderr)?.[1]);
  return {
    meanAbsError: diff / a.rgb.length,
    meanColourShift: Math.max(...meansA.map((m, i) => Math.abs(m - (meansB[i] ?? 0)))),
    lumaSsim,
  };
};

/**
 * "Looks like the SDR picture": measured on the fixtures, tone-mapped frames differ from it by 16–20 per sample
 * on average (highlights rolled off, encoding loss) and their mean R, G, B by under 9; the same frames without
 * tone-mapping (HDR code values shown as SDR: the old output) by 74–96, with mean shifts above 20. Luma SSIM
 * checks the picture's structure (a wrong frame or geometry), not its colours.
 */
const expectLooksLikeReference = (l: Likeness) => {
  expect(l.meanAbsError).toBeLessThan(30);
  expect(l.meanColourShift).toBeLessThan(12);
  expect(l.lumaSsim).toBeGreaterThan(0.85);
};

// ---- HDR → SDR -----------------------------------------------------------------------------------------

const HDR_FIXTURES: readonly FixtureName[] = [
  "hlg-hevc-10bit.mp4",
  "dolby-vision-84.mp4",
  "pq-hevc-10bit.mkv",
  "pq-vp9-10bit.webm",
  "hlg-h264-10bit.mp4",
];
const SIZE = { width: 640, height: 360 };

describe.each(HDR_FIXTURES)("HDR %s", (fixture) => {
  it("is HDR as probed, and its pixels shown without tone-mapping do not look like the SDR picture", async () => {
    const source = (await probeSummary(media[fixture])).video;
    expect(source?.pixFmt).toBe("yuv420p10le");
    expect(["arib-std-b67", "smpte2084"]).toContain(source?.colorTransfer);
    // The control: the check below must be able to fail.
    const untouched = await likeness(await frameOf(["-i", media[fixture]], SIZE), await referenceFrame(SIZE));
    expect(untouched.meanAbsError).toBeGreaterThan(60);
  });

  it("web-optimized: 8-bit 4:2:0 H.264 tagged BT.709; first frame and poster look like the SDR picture", async () => {
    const { file, source } = await transcode("web-optimized", fixture);
    const out = await probeSummary(file("video.mp4"));
    expect(out.video).toMatchObject({
      codec: "h264",
      pixFmt: "yuv420p",
      colorPrimaries: "bt709",
      colorTransfer: "bt709",
      colorMatrix: "bt709",
    });
    expectLooksLikeReference(
      await likeness(await frameOf(["-i", file("video.mp4")], SIZE), await referenceFrame(SIZE)),
    );
    const seek = posterSeekSec({ startSec: 0, endSec: source.durationSec });
    expectLooksLikeReference(
      await likeness(await frameOf(["-i", file("poster.jpg")], SIZE), await referenceFrame(SIZE, seek)),
    );
  });
});

describe("HDR in the other presets", () => {
  it("mobile on PQ VP9: tone-mapped, tagged BT.709", async () => {
    const { file } = await transcode("mobile", "pq-vp9-10bit.webm");
    const out = await probeSummary(file("video.mp4"));
    expect(out.video).toMatchObject({ pixFmt: "yuv420p", colorTransfer: "bt709", colorPrimaries: "bt709" });
    expectLooksLikeReference(
      await likeness(await frameOf(["-i", file("video.mp4")], SIZE), await referenceFrame(SIZE)),
    );
  });

  it("hls on HLG HEVC: every rung tone-mapped and tagged BT.709", async () => {
    const { file } = await transcode("hls", "hlg-hevc-10bit.mp4");
    const entries = masterEntries(await readFile(file("master.m3u8"), "utf8"));
    expect(entries.map((e) => e.uri)).toEqual(["360p/index.m3u8", "240p/index.m3u8"]);
    for (const { uri } of entries) {
      const variant = await probeSummary(file(uri));
      expect(variant.video).toMatchObject({
        pixFmt: "yuv420p",
        colorTransfer: "bt709",
        colorMatrix: "bt709",
      });
    }
    expectLooksLikeReference(
      await likeness(await frameOf(["-i", file("360p/index.m3u8")], SIZE), await referenceFrame(SIZE)),
    );
  });

  it.each<FixtureName>(["hlg-hevc-10bit.mp4", "dolby-vision-84.mp4", "pq-hevc-10bit.mkv"])(
    "default (stream copy) on %s keeps the HDR stream untouched",
    async (fixture) => {
      const { file, plan, source } = await transcode("default", fixture);
      const name = plan.outputs[0]?.path ?? "";
      const out = await probeSummary(file(name));
      expect(out.video).toMatchObject({
        codec: "hevc",
        pixFmt: "yuv420p10le",
        colorTransfer: source.video?.colorTransfer,
        colorPrimaries: "bt2020",
      });
    },
  );
});

describe("SDR sources are unaffected", () => {
  it("web-optimized on a BT.709-tagged portrait clip: no tone-mapping, tags kept, colours as the source's", async () => {
    const { file, plan } = await transcode("web-optimized", "portrait-1080x1920.mp4");
    expect(plan.commands[0]?.argv.join(" ")).not.toContain("tonemap");
    const out = await probeSummary(file("video.mp4"));
    expect(out.video).toMatchObject({
      width: 1080,
      height: 1920,
      colorTransfer: "bt709",
      colorMatrix: "bt709",
    });
    const size = { width: 1080, height: 1920 };
    const reference = await frameOf(["-f", "lavfi", "-i", sdrPicture("1080x1920", 30, 1)], size);
    const l = await likeness(await frameOf(["-i", file("video.mp4")], size), reference);
    expect(l.meanAbsError).toBeLessThan(10);
    expect(l.meanColourShift).toBeLessThan(3);
  });

  it("its poster is BT.601 YCbCr, as JPEG viewers read it: colours as the source's (was 8.5 off on average)", async () => {
    const { file, source } = await transcode("web-optimized", "portrait-1080x1920.mp4");
    const size = { width: 360, height: 640 };
    const seek = posterSeekSec({ startSec: 0, endSec: source.durationSec });
    const reference = await frameOf(["-f", "lavfi", "-i", sdrPicture("1080x1920", 30, 1)], size, seek);
    const l = await likeness(await frameOf(["-i", file("poster.jpg")], size), reference);
    expect(l.meanAbsError).toBeLessThan(5);
  });
});

// ---- interlaced → progressive ----------------------------------------------------------------------------

/** idet's multi-frame verdict: the share of frames it finds interlaced (TFF or BFF) and progressive. */
const idet = async (path: string) => {
  const result = await run(ffmpegPath, [
    "-hide_banner",
    "-nostdin",
    "-i",
    path,
    "-map",
    "0:v:0",
    "-vf",
    "idet",
    "-f",
    "null",
    "-",
  ]);
  const match =
    /Multi frame detection: TFF:\s*(\d+) BFF:\s*(\d+) Progressive:\s*(\d+) Undetermined:\s*(\d+)/.exec(
      result.stderr,
    );
  if (match === null) throw new Error(`no idet summary in: ${result.stderr.slice(-500)}`);
  const [tff, bff, progressive, undetermined] = match.slice(1).map(Number) as [
    number,
    number,
    number,
    number,
  ];
  const total = tff + bff + progressive + undetermined;
  return { interlaced: (tff + bff) / total, progressive: progressive / total, frames: total };
};

const withoutDeinterlacer = (argv: string[]) => argv.map((a) => a.replace(/bwdif=[^,]*,/, ""));

// Outputs that keep the source's lines: a 576 → 480 downscale (mobile) blurs the fields together, and idet then
// reads even an undeinterlaced output as progressive, so such a check could not fail.
describe.each<{ fixture: FixtureName; preset: PresetName; file: string; size: string }>([
  { fixture: "interlaced-1080i-h264.ts", preset: "web-optimized", file: "video.mp4", size: "1920x1080" },
  { fixture: "interlaced-576i-mpeg2.ts", preset: "web-optimized", file: "video.mp4", size: "1024x576" },
  { fixture: "dv-576i.avi", preset: "web-optimized", file: "video.mp4", size: "1024x576" },
  { fixture: "dv-576i.avi", preset: "hls", file: "576p/index.m3u8", size: "1024x576" },
])("interlaced $fixture → $preset", ({ fixture, preset, file: name, size }) => {
  it(`idet finds the source interlaced and the ${size} output progressive`, async () => {
    expect((await idet(media[fixture])).interlaced).toBeGreaterThanOrEqual(0.8);
    const { file } = await transcode(preset, fixture);
    const out = await probeSummary(file(name));
    expect(`${out.video?.width}x${out.video?.height}`).toBe(size);
    // ffprobe states "progressive" for the MP4; through an HLS playlist it states nothing. Never a field order.
    expect(["tt", "bb", "tb", "bt"]).not.toContain(out.video?.fieldOrder);
    const verdict = await idet(file(name));
    expect(verdict.frames).toBeGreaterThanOrEqual(24);
    expect(verdict.progressive).toBeGreaterThanOrEqual(0.8);
  });

  it("the same plan without bwdif stays interlaced to idet (so the check above can fail)", async () => {
    const { file } = await transcode(preset, fixture, withoutDeinterlacer);
    expect((await idet(file(name))).interlaced).toBeGreaterThanOrEqual(0.8);
  });
});

// ---- ladders and caps ------------------------------------------------------------------------------------

describe.each<{ fixture: FixtureName; resolutions: string[] }>([
  {
    fixture: "ultrawide-1920x800.mp4",
    resolutions: ["1920x800", "1280x534", "854x356", "640x266", "426x178"],
  },
  { fixture: "between-1600x900.mp4", resolutions: ["1600x900", "1280x720", "854x480", "640x360", "426x240"] },
  {
    fixture: "portrait-1080x1920.mp4",
    resolutions: ["1080x1920", "720x1280", "480x854", "360x640", "240x426"],
  },
  { fixture: "8k-3-frames.mp4", resolutions: ["1920x1080", "1280x720", "854x480", "640x360", "426x240"] },
])("hls on $fixture", ({ fixture, resolutions }) => {
  it(`keeps the source's size (capped at 1080p) and shape: ${resolutions.join(", ")}`, async () => {
    const { file } = await transcode("hls", fixture);
    const entries = masterEntries(await readFile(file("master.m3u8"), "utf8"));
    expect(entries.map((e) => e.resolution)).toEqual(resolutions);
    for (const [i, { uri }] of entries.entries()) {
      const variant = await probeSummary(file(uri));
      expect(`${variant.video?.width}x${variant.video?.height}`).toBe(resolutions[i]);
      expect(uri).toBe(`${Math.min(variant.video?.width ?? 0, variant.video?.height ?? 0)}p/index.m3u8`);
    }
  });
});

describe("8K (7680x4320, H.264 level 6) is scaled to sizes decoders play", () => {
  it("web-optimized: 3840x2160 at H.264 level 5.1 or below", async () => {
    expect(Number((await firstVideoJson(media["8k-3-frames.mp4"])).level)).toBeGreaterThan(51);
    const { file } = await transcode("web-optimized", "8k-3-frames.mp4");
    const out = await firstVideoJson(file("video.mp4"));
    expect(`${out.width}x${out.height}`).toBe("3840x2160");
    expect(Number(out.level)).toBeLessThanOrEqual(51);
    expect((await probeSummary(file("poster.jpg"))).video).toMatchObject({ width: 1280, height: 720 });
  });

  it("mobile: 854x480", async () => {
    const { file } = await transcode("mobile", "8k-3-frames.mp4");
    const out = await firstVideoJson(file("video.mp4"));
    expect(`${out.width}x${out.height}`).toBe("854x480");
    expect(Number(out.level)).toBeLessThanOrEqual(31);
  });
});
