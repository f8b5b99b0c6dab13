// The pool worker end to end: two real Bun worker processes claim jobs over the Upstash REST protocol, fetch inputs
// from S3, run real FFmpeg and store the outputs; every stored output is downloaded and ffprobed like a player.
import { createHash, randomBytes } from "node:crypto";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import * as v from "valibot";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { ProbeSummary } from "../../core/ffmpeg/probe-summary.ts";
import type { Job } from "../../core/job-lifecycle/job-state.ts";
import type { JobOutput } from "../../core/job-output.ts";
import { JobRecordSchema } from "../../core/job-record.ts";
import { outputPrefix, recordKey } from "../../core/output-keys.ts";
import type { PresetName } from "../../core/preset-names.ts";
import { ensureFixtures, type FixtureName } from "../../scripts/make-fixtures.ts";
import { type CallbackReceiver, startCallbackReceiver } from "../support/callback-receiver.ts";
import {
  expectPoster,
  isEven,
  isFaststart,
  masterEntries,
  probeSummary,
  topLevelBoxes,
} from "../support/probe-output.ts";
import { startTcoderWorker, type TcoderWorker } from "../support/tcoder-worker.ts";
import { newMachineId, type PoolHarness, startPoolHarness } from "../support/worker-pool-harness.ts";

const { ffmpegPath, ffprobePath } = inject("ffmpeg");

// Every preset on the small fixtures. The 720p HLS ladder runs once (rotated-90 is 1280x720 turned portrait); the
// 10 s 720p clip gets the two cheap presets (web-optimized on it is the benchmark, and ffmpeg-presets.test.ts).
const SMALL: readonly FixtureName[] = [
  "no-audio-3s.mp4",
  "odd-641x361.mp4",
  "rotated-90.mp4",
  "vp9-opus.webm",
  "hevc-flac-1s.mkv",
];
const PRESETS: readonly PresetName[] = ["web-optimized", "mobile", "hls", "default"];
const GOOD: readonly { fixture: FixtureName; preset: PresetName }[] = [
  ...SMALL.flatMap((fixture) => PRESETS.map((preset) => ({ fixture, preset }))),
  { fixture: "h264-720p-10s.mp4", preset: "default" },
  { fixture: "h264-720p-10s.mp4", preset: "mobile" },
];
const BAD: readonly { name: string; preset: PresetName; code: string; message: RegExp }[] = [
  {
    name: "truncated.mp4",
    preset: "web-optimized",
    code: "unreadable-media",
    message: /moov atom not found/,
  },
  { name: "not-a-video.mp4", preset: "hls", code: "unreadable-media", message: /Invalid data found/ },
  { name: "audio-cover-art.mp3", preset: "mobile", code: "not-a-video", message: /only cover art/ },
  { name: "single-frame.mp4", preset: "default", code: "still-image", message: /single h264 frame/ },
  // Cut in half: the WebM header still states 2 s, ffmpeg encodes what is there and exits 0.
  { name: "cut-vp9-opus.webm", preset: "web-optimized", code: "output-invalid", message: /truncated/ },
];

let harness: PoolHarness;
let receiver: CallbackReceiver;
let workDir: string;
let media: Record<FixtureName, string>;
const workers: TcoderWorker[] = [];
const jobs = new Map<string, { job: Job; fixture: string; preset: PresetName }>();
const finished = new Map<string, Job>();

const keyOf = (fixture: string, preset: PresetName) => `${fixture}|${preset}`;
const byCase = new Map<string, string>();

beforeAll(async () => {
  media = await ensureFixtures({ ffmpegPath, ffprobePath });
  workDir = await mkdtemp(join(tmpdir(), "tcoder-worker-presets-"));
  const cut = join(workDir, "cut-vp9-opus.webm");
  const webm = await readFile(media["vp9-opus.webm"]);
  await writeFile(cut, webm.subarray(0, Math.floor(webm.length / 2)));
  const paths: Record<string, string> = { ...media, "cut-vp9-opus.webm": cut };

  harness = await startPoolHarness("worker-presets");
  receiver = await startCallbackReceiver(randomBytes(16).toString("hex"));
  const cases = [...GOOD.map((c) => ({ name: c.fixture, preset: c.preset })), ...BAD];
  for (const { name, preset } of cases) {
    const job = await harness.createJob(paths[name] as string, preset);
    jobs.set(job.jobId, { job, fixture: name, preset });
    byCase.set(keyOf(name, preset), job.jobId);
  }
  // Two machines, as two cores allow: each claims until the queue is empty, then idles until told to stop.
  for (let i = 0; i < 2; i++) {
    const env = harness.env(newMachineId(), {
      WORKER_MAX_JOBS: "1000",
      WORKER_TTL_MS: "600000",
      WORKER_DRAIN_MS: "1000",
      CALLBACK_URL: receiver.url,
      CALLBACK_KEY: receiver.secret,
      WORK_DIR: join(workDir, `worker-${i}`),
    });
    workers.push(startTcoderWorker(env));
  }
  for (const jobId of jobs.keys()) {
    finished.set(
      jobId,
      await harness.waitForJob(jobId, (j) => j.status === "completed" || j.status === "failed", 150_000),
    );
  }
}, 200_000);

afterAll(async () => {
  for (const worker of workers) worker.killGroup();
  await receiver?.close();
  await harness?.close();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

/** Downloads every output of a job to a local directory laid out by its path under the job's prefix. */
const download = async (jobId: string, preset: PresetName, outputs: readonly JobOutput[]) => {
  const dir = join(workDir, "downloads", jobId);
  const prefix = outputPrefix(jobId, preset);
  for (const output of outputs) {
    expect(output.key.startsWith(prefix)).toBe(true);
    const object = (await harness.output.getStream(output.key))._unsafeUnwrap();
    const bytes = new Uint8Array(await new Response(object.body).arrayBuffer());
    expect(bytes.byteLength).toBe(output.size);
    expect(createHash("sha256").update(bytes).digest("hex")).toBe(output.sha256);
    const path = join(dir, output.key.slice(prefix.length));
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, bytes);
  }
  return (relative: string) => join(dir, relative);
};

const shortSide = (p: ProbeSummary) => Math.min(p.video?.width ?? 0, p.video?.height ?? 0);
const isPortrait = (p: ProbeSummary) => {
  const v = p.video;
  const turned = v?.rotation === 90 || v?.rotation === 270;
  return turned ? (v?.width ?? 0) > (v?.height ?? 0) : (v?.height ?? 0) > (v?.width ?? 0);
};
const expectDuration = (out: ProbeSummary, source: ProbeSummary) =>
  expect(Math.abs(out.durationSec - source.durationSec)).toBeLessThan(0.1);

const expectMp4 = async (file: (p: string) => string, source: ProbeSummary, preset: PresetName) => {
  const out = await probeSummary(ffprobePath, file("video.mp4"));
  expect(out.formatName).toContain("mp4");
  expect(out.video).toMatchObject({ codec: "h264", pixFmt: "yuv420p", rotation: 0 });
  expect(isEven(out.video?.width) && isEven(out.video?.height)).toBe(true);
  expectDuration(out, source);
  expect(out.audio?.codec ?? null).toBe(source.hasAudio ? "aac" : null);
  // Rotation applied: the pixels are turned, so a portrait source comes out taller than wide.
  expect(isPortrait(out)).toBe(isPortrait(source));
  if (preset === "mobile") expect(shortSide(out)).toBe(Math.min(480, Math.floor(shortSide(source) / 2) * 2));
  expect(isFaststart(topLevelBoxes(await readFile(file("video.mp4"))))).toBe(true);
  return out;
};

const expectHls = async (
  file: (p: string) => string,
  source: ProbeSummary,
  outputs: readonly JobOutput[],
) => {
  const entries = masterEntries(await readFile(file("master.m3u8"), "utf8"));
  expect(entries.length).toBeGreaterThan(0);
  let top: ProbeSummary | undefined;
  for (const { uri } of entries) {
    const playlist = await readFile(file(uri), "utf8");
    expect(playlist.trimEnd().endsWith("#EXT-X-ENDLIST")).toBe(true);
    const rung = uri.split("/")[0] ?? "";
    // Every segment the playlist names was stored as an output.
    for (const segment of playlist.split("\n").filter((l) => l.endsWith(".ts"))) {
      expect(outputs.some((o) => o.key.endsWith(`/${rung}/${segment}`) && o.type === "hls-segment")).toBe(
        true,
      );
    }
    const variant = await probeSummary(ffprobePath, file(uri));
    top ??= variant;
    expect(variant.video?.codec).toBe("h264");
    // The ladder never goes above the source.
    expect(shortSide(variant)).toBeLessThanOrEqual(shortSide(source));
    expect(isEven(variant.video?.width) && isEven(variant.video?.height)).toBe(true);
    expect(variant.audio?.codec ?? null).toBe(source.hasAudio ? "aac" : null);
    expect(isPortrait(variant)).toBe(isPortrait(source));
    expectDuration(variant, source);
  }
  return top as ProbeSummary;
};

const COPY_CONTAINERS: Record<string, string> = {
  "vp9-opus.webm": "video.webm",
  "hevc-flac-1s.mkv": "video.mkv",
};

const expectCopy = async (file: (p: string) => string, source: ProbeSummary, fixture: string) => {
  const name = COPY_CONTAINERS[fixture] ?? "video.mp4";
  const out = await probeSummary(ffprobePath, file(name));
  expect([out.video?.codec, out.audio?.codec ?? null]).toEqual([
    source.video?.codec,
    source.audio?.codec ?? null,
  ]);
  expect(out.video).toMatchObject({
    width: source.video?.width,
    height: source.video?.height,
    rotation: source.video?.rotation,
  });
  expectDuration(out, source);
  if (name.endsWith(".mp4")) expect(isFaststart(topLevelBoxes(await readFile(file(name))))).toBe(true);
  return out;
};

describe.each(GOOD)("$preset on $fixture, through a pool worker", ({ fixture, preset }) => {
  it("completes with every output stored, checksummed, and playable as planned", async () => {
    const jobId = byCase.get(keyOf(fixture, preset)) as string;
    const job = finished.get(jobId) as Job;
    expect({ status: job.status, error: job.error }).toEqual({ status: "completed", error: null });
    expect(job.progress).toBe(100);
    expect(job.machineSeconds).toBeGreaterThan(0);
    expect(job.costUsd).toBeGreaterThan(0);
    const stored = (await harness.output.list(outputPrefix(jobId, preset)))._unsafeUnwrap().objects;
    expect(stored.map((o) => o.key).sort()).toEqual(job.outputs.map((o) => o.key).sort());

    const file = await download(jobId, preset, job.outputs);
    const source = await probeSummary(ffprobePath, media[fixture]);
    const main =
      preset === "hls"
        ? await expectHls(file, source, job.outputs)
        : preset === "default"
          ? await expectCopy(file, source, fixture)
          : await expectMp4(file, source, preset);
    const poster = job.outputs.find((o) => o.type === "poster");
    expect(poster?.key).toBe(`${outputPrefix(jobId, preset)}poster.jpg`);
    const turned = main.video?.rotation === 90 || main.video?.rotation === 270;
    const [w, h] = [main.video?.width ?? 1, main.video?.height ?? 1];
    await expectPoster(ffprobePath, file("poster.jpg"), turned ? h / w : w / h);

    const callback = receiver.received.find((c) => c.jobId === jobId && c.kind === "completed");
    expect(callback?.kind === "completed" && callback.outputs).toEqual(job.outputs);
    expect(callback?.kind === "completed" && callback.ffmpegVersion).toMatch(/^ffmpeg version /);
    expect(callback?.kind === "completed" && callback.argv?.[0]?.includes("-progress")).toBe(true);

    // The job's record, beside its outputs: what ran, on what, what it decided, what came out and how good it is.
    const recordObject = (await harness.output.getStream(recordKey(jobId)))._unsafeUnwrap();
    const record = v.parse(JobRecordSchema, JSON.parse(await new Response(recordObject.body).text()));
    expect(record).toMatchObject({ jobId, preset, input: { formatName: source.formatName } });
    expect(record.ffmpegVersion).toMatch(/^ffmpeg version /);
    // Checksummed outputs: the ones just downloaded and hashed.
    expect(record.outputs).toEqual(job.outputs);
    expect(record.decisions.videoStream).toBe(source.video?.index);
    const ran = record.runs.map((r) => `${r.tool}:${r.purpose}`);
    expect(ran).toEqual(
      expect.arrayContaining(["ffprobe:probe", "ffmpeg:transcode", "ffmpeg:poster", "ffprobe:verify"]),
    );
    const transcode = record.runs.find((r) => r.purpose === "transcode");
    expect(callback?.kind === "completed" && callback.argv?.[0]).toEqual(transcode?.argv);
    expect(record.runs.every((r) => r.exitCode === 0 && r.wallMs >= 0)).toBe(true);
    if (preset === "default") {
      expect(record.quality).toEqual([]);
    } else {
      const videos = job.outputs.filter((o) => o.type === "video" || o.type === "hls-playlist");
      expect(record.quality.map((q) => q.quality).sort()).toEqual(videos.map((o) => o.quality).sort());
      for (const score of record.quality) expect(score.ssim, score.error).toBeGreaterThan(0.9);
      expect(ran.filter((r) => r === "ffmpeg:quality")).toHaveLength(record.quality.length);
    }
  });
});

describe.each(BAD)("$name ($preset)", ({ name, preset, code, message }) => {
  it(`fails for good as ${code}, with a readable reason and nothing stored`, async () => {
    const jobId = byCase.get(keyOf(name, preset)) as string;
    const job = finished.get(jobId) as Job;
    expect(job.status).toBe("failed");
    expect(job.attempts).toBe(1);
    expect(job.error).toMatchObject({ code, retryable: false });
    expect(job.error?.message).toMatch(message);
    expect((await harness.output.list(outputPrefix(jobId, preset)))._unsafeUnwrap().objects).toEqual([]);
    const callback = receiver.received.find((c) => c.jobId === jobId);
    expect(callback?.kind === "failed" && callback.error).toEqual(job.error);
  });
});

describe("the two workers", () => {
  it("signed every callback, and on SIGTERM while idle release their slots and exit 0", async () => {
    expect(receiver.refused).toEqual([]);
    for (const worker of workers) worker.signal("SIGTERM");
    const exits = await Promise.all(workers.map((w) => w.exited));
    expect(exits).toEqual([
      { code: 0, signal: null },
      { code: 0, signal: null },
    ]);
    expect(await harness.redis.zcard(harness.keys.workerLeases)).toBe(0);
    expect(await harness.redis.hlen(harness.keys.jobsActive)).toBe(0);
    // Nothing went wrong on the way: no lost progress write, callback, heartbeat or claim.
    const troubles = [
      "progress-not-saved",
      "callback-failed",
      "heartbeat-failed",
      "claim-failed",
      "job-not-recorded",
    ];
    expect(workers.flatMap((w) => w.logs().filter((l) => troubles.includes(l.event)))).toEqual([]);
    // Each job ran once, and every job directory was removed afterwards.
    const ran = workers.map((w) => w.logs().filter((l) => l.event === "job-started").length);
    expect(ran.reduce((a, b) => a + b, 0)).toBe(jobs.size);
    const leftovers = await Promise.all(
      [0, 1].map((i) => readdir(join(workDir, `worker-${i}`)).catch(() => [] as string[])),
    );
    expect(leftovers.flat()).toEqual([]);
  });
});
