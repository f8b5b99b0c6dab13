// The quality check's plan run by the real ffmpeg: a faithful encode scores high on every output (MP4 and each HLS
// rung), and the same check scores a damaged encode and a different picture low, so a score means something.
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { DEFAULT_PLAN_LIMITS } from "../../core/ffmpeg/check-input.ts";
import type { FfmpegPlan } from "../../core/ffmpeg/ffmpeg-plan.ts";
import { planFfmpeg } from "../../core/ffmpeg/plan-ffmpeg.ts";
import {
  parseSsimSummary,
  planQualityChecks,
  type QualityContext,
} from "../../core/ffmpeg/plan-quality-check.ts";
import type { ProbeStream } from "../../core/ffmpeg/probe-summary.ts";
import type { PresetName } from "../../core/preset-names.ts";
import { ensureFixtures, type FixtureName } from "../../scripts/make-fixtures.ts";
import { probeSummary, run } from "../support/probe-output.ts";

const { ffmpegPath, ffprobePath } = inject("ffmpeg");
let media: Record<FixtureName, string>;
let workDir: string;

beforeAll(async () => {
  media = await ensureFixtures({ ffmpegPath, ffprobePath });
  workDir = await mkdtemp(join(tmpdir(), "tcoder-quality-"));
});
afterAll(async () => {
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

/** Plans and runs a preset's encode; returns the plan and the quality context for it. */
const encode = async (preset: PresetName, fixture: FixtureName) => {
  const probe = await probeSummary(ffprobePath, media[fixture]);
  const outDir = join(workDir, `${preset}-${fixture}`);
  const planned = planFfmpeg({
    preset,
    probe,
    inputPath: media[fixture],
    outDir,
    limits: DEFAULT_PLAN_LIMITS,
  });
  expect(planned.isErr() ? planned.error : "planned").toBe("planned");
  const plan: FfmpegPlan = planned._unsafeUnwrap();
  for (const dir of plan.directories) await mkdir(dir, { recursive: true });
  const transcode = plan.commands.find((c) => c.purpose === "transcode");
  expect((await run(ffmpegPath, transcode?.argv ?? [])).code).toBe(0);
  const ctx: QualityContext = {
    inputPath: media[fixture],
    outDir,
    input: { video: probe.video as ProbeStream, durationSec: probe.durationSec, probe },
  };
  return { plan, ctx, outDir };
};

const scores = async (plan: FfmpegPlan, ctx: QualityContext) =>
  Promise.all(
    planQualityChecks(plan, ctx).map(async (check) => {
      const result = await run(ffmpegPath, check.argv);
      expect(result.code).toBe(0);
      return { quality: check.target.quality, ssim: parseSsimSummary(result.stderr) };
    }),
  );

describe("the SSIM quality check", () => {
  it("scores a faithful web-optimized encode high", async () => {
    const { plan, ctx } = await encode("web-optimized", "h264-720p-10s.mp4");
    const [score] = await scores(plan, ctx);
    expect(score?.ssim).toBeGreaterThan(0.95);
  });

  it("scores every HLS rung, each high", async () => {
    const { plan, ctx } = await encode("hls", "h264-720p-10s.mp4");
    const all = await scores(plan, ctx);
    expect(all.map((s) => s.quality)).toEqual(plan.expected.renditions?.map((r) => r.quality));
    for (const { ssim } of all) expect(ssim).toBeGreaterThan(0.9);
  });

  it("scores a blurred, starved encode low, and a different picture lower still", async () => {
    const { plan, ctx, outDir } = await encode("web-optimized", "h264-720p-10s.mp4");
    const [good] = await scores(plan, ctx);
    const output = join(outDir, "video.mp4");
    const damaged = join(outDir, "damaged.mp4");
    const damage = ["-hide_banner", "-loglevel", "error", "-y", "-i", output, "-vf", "gblur=sigma=8"];
    const encodeTo = ["-c:v", "libx264", "-preset", "ultrafast", "-crf", "45", damaged];
    expect((await run(ffmpegPath, [...damage, ...encodeTo])).code).toBe(0);
    expect((await run("mv", [damaged, output])).code).toBe(0);
    const [blurred] = await scores(plan, ctx);
    // Another picture of the same size and rate (a rotated test card) in place of the output.
    const other = ["-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i"];
    const card = [
      "testsrc=size=1280x720:rate=30:duration=10",
      "-vf",
      "hflip,vflip",
      "-pix_fmt",
      "yuv420p",
      output,
    ];
    expect((await run(ffmpegPath, [...other, ...card])).code).toBe(0);
    const [different] = await scores(plan, ctx);
    expect(blurred?.ssim).toBeLessThan((good?.ssim ?? 1) - 0.1);
    expect(different?.ssim).toBeLessThan(blurred?.ssim ?? 0);
  });
});
