// The README's flow through the whole local pipeline (make dev's stack: the real Worker in workerd, its queue
// and cron, real worker processes as machines, real Redis, S3 server and FFmpeg), one preset per fixture:
// request an upload URL → presigned PUT → poll → download (or play) the outputs → ffprobe them.
import { createHash } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PresetName } from "../../core/preset-names.ts";
import { ensureFixtures, type FixtureName } from "../../scripts/make-fixtures.ts";
import { type FfmpegTools, locateFfmpegTools } from "../services/ffmpeg-tools.ts";
import {
  expectPoster,
  ffprobe,
  isFaststart,
  masterEntries,
  probeSummary,
  topLevelBoxes,
} from "../support/probe-output.ts";
import { type E2eStack, startE2eStack } from "./e2e-stack.ts";
import type { JobView, UploadedJob } from "./pipeline-client.ts";

let e2e: E2eStack;
let tools: FfmpegTools;
let dir: string;
const uploads = new Map<string, Promise<UploadedJob>>();

const CASES: readonly (readonly [string, FixtureName, PresetName])[] = [
  ["web", "h264-720p-10s.mp4", "web-optimized"],
  ["hls", "odd-641x361.mp4", "hls"],
  ["copy", "vp9-opus.webm", "default"],
  ["mobile", "rotated-90.mp4", "mobile"],
  ["junk", "not-a-video.mp4", "web-optimized"],
];

beforeAll(async () => {
  const [located, media, stack] = await Promise.all([locateFfmpegTools(), ensureFixtures(), startE2eStack()]);
  tools = located;
  e2e = stack;
  dir = await mkdtemp(join(tmpdir(), "tcoder-e2e-flow-"));
  // All at once, as independent clients would: each test then follows its own job.
  for (const [name, fixture, preset] of CASES) uploads.set(name, e2e.client.upload(media[fixture], preset));
}, 180_000);

afterAll(async () => {
  await e2e?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const finished = async (name: string): Promise<JobView> => {
  const upload = uploads.get(name);
  if (upload === undefined) throw new Error(`no upload ${name}`);
  return e2e.client.waitFor((await upload).jobId, { timeoutMs: 150_000 });
};

const outputOf = (job: JobView, type: string) => {
  const output = job.outputs.find((o) => o.type === type);
  if (output === undefined) throw new Error(`job ${job.jobId} has no ${type} output: ${JSON.stringify(job)}`);
  return output;
};

describe("README flow", () => {
  it("web-optimized: a faststart H.264/AAC MP4 and a poster, downloaded from their presigned URLs", async () => {
    const job = await finished("web");
    expect(job).toMatchObject({ status: "completed", progress: 100, preset: "web-optimized" });
    expect(job.cost?.usd).toBeGreaterThan(0);

    const video = outputOf(job, "video");
    const path = join(dir, "web.mp4");
    expect(await e2e.client.download(video.url, path)).toBe(video.size);
    expect(isFaststart(topLevelBoxes(await readFile(path)))).toBe(true);
    const probe = await probeSummary(tools.ffprobePath, path);
    expect(probe.video).toMatchObject({ codec: "h264", width: 1280, height: 720 });
    expect(probe.audio?.codec).toBe("aac");
    expect(probe.durationSec).toBeCloseTo(10, 0);

    const posterPath = join(dir, "web-poster.jpg");
    await e2e.client.download(outputOf(job, "poster").url, posterPath);
    await expectPoster(tools.ffprobePath, posterPath, 16 / 9);

    // Its record, through the API: the same MP4 by checksum, the argv that made it, and a score for it.
    const record = await e2e.client.record(job.jobId);
    const sha256 = createHash("sha256")
      .update(await readFile(path))
      .digest("hex");
    expect(record.outputs.find((o) => o.type === "video")?.sha256).toBe(sha256);
    expect(record.runs.find((r) => r.purpose === "transcode")?.argv).toContain("libx264");
    expect(record.quality).toHaveLength(1);
    expect(record.quality[0]?.ssim).toBeGreaterThan(0.95);
  });

  it("hls: ffprobe plays the master playlist over HTTP, following relative URIs through /media", async () => {
    const job = await finished("hls");
    expect(job.status).toBe("completed");
    const master = outputOf(job, "hls-master");
    expect(master.url.startsWith(`${e2e.stack.apiUrl}/media/`)).toBe(true);

    const text = await (await fetch(master.url)).text();
    const entries = masterEntries(text);
    expect(entries.length).toBeGreaterThan(0);
    // Relative variant URIs: only the master's own URL carries the access token.
    for (const entry of entries) expect(entry.uri).not.toMatch(/^https?:|^\//);

    // Raw ffprobe JSON: a playlist over HTTP has no format.size, which the core's probe parser requires.
    const { run, json } = await ffprobe(tools.ffprobePath, master.url);
    expect(run.code).toBe(0);
    const streams = json.streams as { codec_type: string; codec_name: string; height?: number }[];
    const format = json.format as { format_name: string; duration: string };
    expect(format.format_name).toBe("hls");
    expect(Number(format.duration)).toBeCloseTo(3, 0);
    // Every rendition of the ladder was fetched and decoded: one video and one audio stream per variant.
    const heights = streams.filter((s) => s.codec_type === "video").map((s) => s.height);
    expect(heights.length).toBe(entries.length);
    expect(streams.filter((s) => s.codec_type === "video").every((s) => s.codec_name === "h264")).toBe(true);
    expect(streams.filter((s) => s.codec_type === "audio").every((s) => s.codec_name === "aac")).toBe(true);
    expect(streams.some((s) => s.codec_type === "audio")).toBe(true);
  });

  it("default: stream copy keeps the VP9/Opus WebM as it is", async () => {
    const job = await finished("copy");
    expect(job.status).toBe("completed");
    const video = outputOf(job, "video");
    expect(video.contentType).toBe("video/webm");
    const path = join(dir, "copy.webm");
    await e2e.client.download(video.url, path);
    const probe = await probeSummary(tools.ffprobePath, path);
    expect(probe.video?.codec).toBe("vp9");
    expect(probe.audio?.codec).toBe("opus");
    expect(probe.durationSec).toBeCloseTo(2, 0);
  });

  it("mobile: the phone held upright stays upright, at most 480 on its short side", async () => {
    const job = await finished("mobile");
    expect(job).toMatchObject({ status: "completed", preset: "mobile" });
    const path = join(dir, "mobile.mp4");
    await e2e.client.download(outputOf(job, "video").url, path);
    expect(isFaststart(topLevelBoxes(await readFile(path)))).toBe(true);
    const probe = await probeSummary(tools.ffprobePath, path);
    const video = probe.video;
    expect(video?.codec).toBe("h264");
    // The source is 1280x720 stored with a 270° display rotation: 720 wide, 1280 tall as shown.
    const [shownWidth, shownHeight] =
      video?.rotation === 90 || video?.rotation === 270
        ? [video?.height ?? 0, video?.width ?? 0]
        : [video?.width ?? 0, video?.height ?? 0];
    expect(shownHeight).toBeGreaterThan(shownWidth);
    expect(shownWidth).toBe(480);
    expect((shownWidth % 2) + (shownHeight % 2)).toBe(0);
    expect(probe.audio?.codec).toBe("aac");
    expect(probe.durationSec).toBeCloseTo(3, 0);
  });

  it("not a video: the job ends failed with a readable, non-retryable error and no outputs", async () => {
    const job = await finished("junk");
    expect(job.status).toBe("failed");
    expect(job.outputs).toEqual([]);
    expect(job.error).toMatchObject({ code: "unreadable-media", retryable: false });
    expect(job.error?.message).toMatch(/ffprobe/);
    expect(job.attempts).toBe(1);
  });
});
