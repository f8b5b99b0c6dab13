// FFmpeg smoke test: the core's argv run by the real ffmpeg 5.1 on generated fixtures, results checked with ffprobe
// and by reading the files (MP4 boxes, HLS playlists, JPEG bytes) the way a player would.
import { mkdir, mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { DEFAULT_PLAN_LIMITS } from "../../core/ffmpeg/check-input.ts";
import { type FfmpegPlan, matchesPlannedOutput } from "../../core/ffmpeg/ffmpeg-plan.ts";
import { planFfmpeg } from "../../core/ffmpeg/plan-ffmpeg.ts";
import { type ProbeSummary, parseProbe } from "../../core/ffmpeg/probe-summary.ts";
import type { PresetName } from "../../core/preset-names.ts";
import { ensureFixtures, type FixtureName } from "../../scripts/make-fixtures.ts";
import {
  expectPoster as expectPosterWith,
  ffprobe as ffprobeWith,
  isEven,
  masterEntries,
  probeSummary as probeSummaryWith,
  run,
  topLevelBoxes,
} from "../support/probe-output.ts";

const { ffmpegPath, ffprobePath } = inject("ffmpeg");
let media: Record<FixtureName, string>;
let workDir: string;

beforeAll(async () => {
  media = await ensureFixtures({ ffmpegPath, ffprobePath });
  workDir = await mkdtemp(join(tmpdir(), "tcoder-ffmpeg-"));
});
afterAll(async () => {
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

const ffprobe = (path: string) => ffprobeWith(ffprobePath, path);
const probeSummary = (path: string): Promise<ProbeSummary> => probeSummaryWith(ffprobePath, path);
const expectPoster = (jpegPath: string, displayAspect: number) =>
  expectPosterWith(ffprobePath, jpegPath, displayAspect);

/** Probe the fixture, plan it, run every command; each must exit 0 with nothing on stderr at -loglevel warning. */
const transcode = async (preset: PresetName, fixture: FixtureName) => {
  const source = await probeSummary(media[fixture]);
  const outDir = join(workDir, `${preset}-${fixture}`);
  const plan: FfmpegPlan = planFfmpeg({
    preset,
    probe: source,
    inputPath: media[fixture],
    outDir,
    limits: DEFAULT_PLAN_LIMITS,
  })._unsafeUnwrap();
  for (const dir of plan.directories) await mkdir(dir, { recursive: true });
  for (const command of plan.commands) {
    const result = await run(ffmpegPath, command.argv);
    expect({ purpose: command.purpose, code: result.code, stderr: result.stderr }).toEqual({
      purpose: command.purpose,
      code: 0,
      stderr: "",
    });
    // -progress pipe:1 reports key=value blocks on stdout and ends with progress=end.
    expect(result.stdout.trimEnd().endsWith("progress=end")).toBe(true);
  }
  return { source, plan, outDir, file: (relative: string) => join(outDir, relative) };
};

describe("the MP4 box reader", () => {
  it("sees the fixture's moov after mdat (no faststart), so the faststart checks below can fail", async () => {
    const boxes = topLevelBoxes(await readFile(media["h264-720p-10s.mp4"]));
    expect(boxes.indexOf("moov")).toBeGreaterThan(boxes.indexOf("mdat"));
  });
});

describe.each<{ preset: PresetName; fixture: FixtureName }>([
  { preset: "web-optimized", fixture: "h264-720p-10s.mp4" },
  { preset: "web-optimized", fixture: "no-audio-3s.mp4" },
  { preset: "web-optimized", fixture: "odd-641x361.mp4" },
  { preset: "web-optimized", fixture: "rotated-90.mp4" },
  { preset: "web-optimized", fixture: "vp9-opus.webm" },
  { preset: "web-optimized", fixture: "hevc-flac-1s.mkv" },
  { preset: "mobile", fixture: "h264-720p-10s.mp4" },
  { preset: "mobile", fixture: "rotated-90.mp4" },
])("$preset on $fixture", ({ preset, fixture }) => {
  it("writes an upright, even-sized, faststart H.264 MP4 of the source's length, and a poster", async () => {
    const { source, plan, file } = await transcode(preset, fixture);
    const out = await probeSummary(file("video.mp4"));
    expect(out.formatName).toContain("mp4");
    expect(out.video).toMatchObject({ codec: "h264", pixFmt: "yuv420p", rotation: 0 });
    expect({ width: out.video?.width, height: out.video?.height }).toEqual({
      width: plan.expected.width,
      height: plan.expected.height,
    });
    expect(isEven(out.video?.width) && isEven(out.video?.height)).toBe(true);
    expect(out.durationSec).toBeGreaterThan(source.durationSec - 0.1);
    expect(out.durationSec).toBeLessThan(source.durationSec + 0.1);
    expect(out.audio?.codec ?? null).toBe(source.hasAudio ? "aac" : null);
    if (source.hasAudio) expect(out.audio?.channels).toBe(2);
    // Rotated sources come out turned: a 1280x720 coded portrait clip becomes 720 wide, 1280 (or 854) tall.
    const portrait = source.video?.rotation === 90 || source.video?.rotation === 270;
    expect((out.video?.height ?? 0) > (out.video?.width ?? 0)).toBe(portrait);
    if (preset === "mobile") expect(Math.min(out.video?.width ?? 0, out.video?.height ?? 0)).toBe(480);
    const boxes = topLevelBoxes(await readFile(file("video.mp4")));
    expect(boxes.indexOf("moov")).toBeGreaterThanOrEqual(0);
    expect(boxes.indexOf("moov")).toBeLessThan(boxes.indexOf("mdat"));
    await expectPoster(file("poster.jpg"), plan.expected.width / plan.expected.height);
  });
});

describe.each<{ fixture: FixtureName; rungs: string[] }>([
  { fixture: "h264-720p-10s.mp4", rungs: ["720p", "480p", "360p", "240p"] },
  { fixture: "rotated-90.mp4", rungs: ["720p", "480p", "360p", "240p"] },
  { fixture: "odd-641x361.mp4", rungs: ["360p", "240p"] },
  { fixture: "no-audio-3s.mp4", rungs: ["360p", "240p"] },
])("hls on $fixture", ({ fixture, rungs }) => {
  it(`writes a VOD ladder ${rungs.join("/")} with aligned 4 s segments and a master with relative URIs`, async () => {
    const { source, plan, file } = await transcode("hls", fixture);
    const entries = masterEntries(await readFile(file("master.m3u8"), "utf8"));
    expect(entries.map((e) => e.uri)).toEqual(rungs.map((r) => `${r}/index.m3u8`));
    const renditions = plan.expected.renditions ?? [];
    expect(entries.map((e) => e.resolution)).toEqual(renditions.map((r) => `${r.width}x${r.height}`));
    const sourceShort = Math.min(source.video?.width ?? 0, source.video?.height ?? 0);
    const segmentDurations: number[][] = [];
    for (const { uri } of entries) {
      expect(uri).not.toMatch(/^(\/|[a-z]+:)/i);
      const playlist = await readFile(file(uri), "utf8");
      expect(playlist).toContain("#EXT-X-PLAYLIST-TYPE:VOD");
      expect(playlist.trimEnd().endsWith("#EXT-X-ENDLIST")).toBe(true);
      const durations = [...playlist.matchAll(/#EXTINF:([\d.]+),/g)].map((m) => Number(m[1]));
      segmentDurations.push(durations);
      // The target is the longest segment rounded up: 4 s segments (3 s when the whole clip is shorter).
      const target = Number(/#EXT-X-TARGETDURATION:(\d+)/.exec(playlist)?.[1]);
      expect(target).toBe(Math.min(4, Math.ceil(source.durationSec)));
      expect(target).toBe(Math.round(Math.max(...durations)));
      expect(durations.reduce((a, b) => a + b, 0)).toBeCloseTo(source.durationSec, 1);
      const rung = uri.split("/")[0] ?? "";
      const segmentOutput = plan.outputs.find((o) => o.type === "hls-segment" && o.quality === rung);
      const segments = playlist.split("\n").filter((l) => l.endsWith(".ts"));
      expect(segments.length).toBe(durations.length);
      for (const segment of segments) {
        expect(segmentOutput && matchesPlannedOutput(segmentOutput, `${rung}/${segment}`)).toBe(true);
        expect((await stat(file(`${rung}/${segment}`))).size).toBeGreaterThan(0);
      }
      const variant = await probeSummary(file(uri));
      expect(variant.video?.codec).toBe("h264");
      expect(Math.min(variant.video?.width ?? 0, variant.video?.height ?? 0)).toBeLessThanOrEqual(
        sourceShort,
      );
      expect(isEven(variant.video?.width) && isEven(variant.video?.height)).toBe(true);
      expect(variant.audio?.codec ?? null).toBe(source.hasAudio ? "aac" : null);
    }
    // Keyframes aligned across rungs: every variant is cut at the same timestamps, full segments are 4 s.
    for (const durations of segmentDurations) expect(durations).toEqual(segmentDurations[0]);
    for (const d of segmentDurations[0]?.slice(0, -1) ?? []) expect(d).toBeCloseTo(4, 1);
    await expectPoster(file("poster.jpg"), plan.expected.width / plan.expected.height);
  });
});

describe.each<{ fixture: FixtureName; file: string; format: string; codecs: [string, string | null] }>([
  { fixture: "h264-720p-10s.mp4", file: "video.mp4", format: "mp4", codecs: ["h264", "aac"] },
  { fixture: "rotated-90.mp4", file: "video.mp4", format: "mp4", codecs: ["h264", "aac"] },
  { fixture: "no-audio-3s.mp4", file: "video.mp4", format: "mp4", codecs: ["h264", null] },
  { fixture: "vp9-opus.webm", file: "video.webm", format: "webm", codecs: ["vp9", "opus"] },
  { fixture: "hevc-flac-1s.mkv", file: "video.mkv", format: "matroska", codecs: ["hevc", "flac"] },
])("default (stream copy) on $fixture", ({ fixture, file: name, format, codecs }) => {
  it(`copies ${codecs.filter((c) => c !== null).join(" + ")} into ${name}, keeping size and rotation`, async () => {
    const { source, file } = await transcode("default", fixture);
    const out = await probeSummary(file(name));
    expect(out.formatName).toContain(format);
    expect([out.video?.codec, out.audio?.codec ?? null]).toEqual(codecs);
    expect(out.video).toMatchObject({
      width: source.video?.width,
      height: source.video?.height,
      rotation: source.video?.rotation,
    });
    expect(Math.abs(out.durationSec - source.durationSec)).toBeLessThan(0.1);
    if (format === "mp4") {
      const boxes = topLevelBoxes(await readFile(file(name)));
      expect(boxes.indexOf("moov")).toBeLessThan(boxes.indexOf("mdat"));
    }
  });
});

describe("bad media", () => {
  it.each<{ fixture: FixtureName; stderr: RegExp }>([
    { fixture: "truncated.mp4", stderr: /moov atom not found/ },
    { fixture: "not-a-video.mp4", stderr: /Invalid data found when processing input/ },
  ])(
    "$fixture: ffprobe fails with a readable reason and parseProbe refuses its output",
    async ({ fixture, stderr }) => {
      const { run: result, json } = await ffprobe(media[fixture]);
      expect(result.code).not.toBe(0);
      expect(result.stderr).toMatch(stderr);
      expect(parseProbe(json)._unsafeUnwrapErr().code).toBe("unreadable-media");
    },
  );

  it("truncated.mp4 planned from its intact original's probe: ffmpeg fails fast with a readable reason", async () => {
    const intact = await probeSummary(media["h264-720p-10s.mp4"]);
    const outDir = join(workDir, "truncated-after-probe");
    const plan = planFfmpeg({
      preset: "web-optimized",
      probe: intact,
      inputPath: media["truncated.mp4"],
      outDir,
      limits: DEFAULT_PLAN_LIMITS,
    })._unsafeUnwrap();
    await mkdir(outDir, { recursive: true });
    const result = await run(ffmpegPath, plan.commands[0]?.argv ?? []);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/moov atom not found/);
  });

  it.each<{ fixture: FixtureName; code: string }>([
    { fixture: "still-image.png", code: "not-a-video" },
    { fixture: "audio-cover-art.mp3", code: "not-a-video" },
    { fixture: "single-frame.mp4", code: "still-image" },
  ])("$fixture: probed for real, planFfmpeg refuses it as $code", async ({ fixture, code }) => {
    const probe = await probeSummary(media[fixture]);
    const result = planFfmpeg({
      preset: "web-optimized",
      probe,
      inputPath: "in",
      outDir: "out",
      limits: DEFAULT_PLAN_LIMITS,
    });
    expect(result._unsafeUnwrapErr().code).toBe(code);
  });
});
