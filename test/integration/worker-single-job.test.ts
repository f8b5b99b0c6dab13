// Single-job mode as a real Bun process: JOB_ID, INPUT_URL, OUTPUT_URL and PRESET in, exit code (0, 1, 2) and one
// stderr line out; local paths, presigned S3 URLs (an HLS package as one tar), and the signed callback.
import { createHash, randomBytes } from "node:crypto";
import { copyFile, mkdir, readdir, readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import * as v from "valibot";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { JobRecordSchema } from "../../core/job-record.ts";
import type { FixtureName } from "../../scripts/make-fixtures.ts";
import type { ObjectStore } from "../../shell/storage/object-store.ts";
import type { CallbackReceiver } from "../support/callback-receiver.ts";
import {
  expectPoster,
  isEven,
  isFaststart,
  masterEntries,
  probeSummary,
  run,
  topLevelBoxes,
} from "../support/probe-output.ts";
import { type SingleJobContext, startSingleJobContext } from "../support/single-job-context.ts";
import { startTcoderWorker, type TcoderWorker } from "../support/tcoder-worker.ts";

const { ffprobePath } = inject("ffmpeg");
let media: Record<FixtureName, string>;
let dir: string;
let bucket: ObjectStore;
let receiver: CallbackReceiver;
let context: SingleJobContext;

beforeAll(async () => {
  context = await startSingleJobContext("single-job");
  ({ media, dir, bucket, receiver } = context);
});
afterAll(async () => {
  await context?.close();
});

const newJobId = () => `job_${randomBytes(6).toString("hex")}`;

/** Runs one worker to its end; WORK_DIR is private to the run so a test can see it was cleaned. */
const runJob = async (env: Record<string, string>, cwd = dir) => {
  const workDir = join(dir, `work-${randomBytes(4).toString("hex")}`);
  const worker: TcoderWorker = startTcoderWorker({ WORK_DIR: workDir, ...env }, cwd);
  const exit = await worker.exited;
  const leftovers = await readdir(workDir).catch(() => [] as string[]);
  return { exit, stderr: worker.stderr(), logs: worker.logs(), leftovers };
};

const sha256 = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");

describe("with local paths", () => {
  it("exit 0: web-optimized writes the MP4 at OUTPUT_URL (relative to the cwd) and the poster beside it", async () => {
    const cwd = join(dir, "relative");
    await mkdir(cwd, { recursive: true });
    await copyFile(media["vp9-opus.webm"], join(cwd, "in.webm"));
    const jobId = newJobId();
    const result = await runJob(
      { JOB_ID: jobId, INPUT_URL: "in.webm", OUTPUT_URL: "out/clip.mp4", PRESET: "web-optimized" },
      cwd,
    );
    expect(result).toMatchObject({ exit: { code: 0, signal: null }, stderr: "", leftovers: [] });
    const out = await probeSummary(ffprobePath, join(cwd, "out/clip.mp4"));
    expect(out.video).toMatchObject({ codec: "h264", width: 320, height: 240, rotation: 0 });
    expect(out.audio?.codec).toBe("aac");
    expect(Math.abs(out.durationSec - 2.008)).toBeLessThan(0.1);
    expect(isFaststart(topLevelBoxes(await readFile(join(cwd, "out/clip.mp4"))))).toBe(true);
    await expectPoster(ffprobePath, join(cwd, "out/clip.poster.jpg"), 320 / 240);
    const completed = result.logs.find((l) => l.event === "job-completed");
    expect(completed?.ffmpegVersion).toMatch(/^ffmpeg version /);
    const argv = (completed?.argv ?? []) as string[][];
    expect(argv[0]).toContain(join(cwd, "in.webm"));
  });

  it("exit 0: RECORD_URL gets the job's record: the MP4's checksum, the argv run, and its SSIM", async () => {
    const out = join(dir, "recorded", "clip.mp4");
    const recordPath = join(dir, "recorded", "record.json");
    const jobId = newJobId();
    const result = await runJob({
      JOB_ID: jobId,
      INPUT_URL: media["h264-720p-10s.mp4"],
      OUTPUT_URL: out,
      RECORD_URL: recordPath,
      PRESET: "web-optimized",
    });
    expect(result).toMatchObject({ exit: { code: 0, signal: null }, stderr: "" });
    const record = v.parse(JobRecordSchema, JSON.parse(await readFile(recordPath, "utf8")));
    expect(record).toMatchObject({
      jobId,
      preset: "web-optimized",
      decisions: { videoStream: 0, audioStream: 1 },
    });
    expect(record.outputs.find((o) => o.type === "video")?.sha256).toBe(sha256(await readFile(out)));
    const transcode = record.runs.find((r) => r.purpose === "transcode");
    expect(transcode?.argv).toContain(media["h264-720p-10s.mp4"]);
    expect(record.quality).toHaveLength(1);
    expect(record.quality[0]?.ssim).toBeGreaterThan(0.95);
    expect(record.timings.qualityMs).toBeGreaterThan(0);
  });

  it("exit 0: hls writes the master at OUTPUT_URL, the ladder beside it, never above the source", async () => {
    const master = join(dir, "hls-local", "master.m3u8");
    const result = await runJob({
      JOB_ID: newJobId(),
      INPUT_URL: media["odd-641x361.mp4"],
      OUTPUT_URL: master,
      PRESET: "hls",
    });
    expect(result).toMatchObject({ exit: { code: 0, signal: null }, stderr: "", leftovers: [] });
    const entries = masterEntries(await readFile(master, "utf8"));
    expect(entries.map((e) => e.uri)).toEqual(["360p/index.m3u8", "240p/index.m3u8"]);
    for (const { uri } of entries) {
      const variant = await probeSummary(ffprobePath, join(dir, "hls-local", uri));
      expect(variant.video?.codec).toBe("h264");
      expect(Math.min(variant.video?.width ?? 0, variant.video?.height ?? 0)).toBeLessThanOrEqual(361);
      expect(isEven(variant.video?.width) && isEven(variant.video?.height)).toBe(true);
      expect(Math.abs(variant.durationSec - 3)).toBeLessThan(0.1);
    }
    await expectPoster(ffprobePath, join(dir, "hls-local", "master.poster.jpg"), 640 / 360);
  });

  it("exit 1: a file that is not a video fails with one readable line, and writes nothing", async () => {
    const output = join(dir, "never", "out.mp4");
    const jobId = newJobId();
    const result = await runJob({
      JOB_ID: jobId,
      INPUT_URL: media["not-a-video.mp4"],
      OUTPUT_URL: output,
      PRESET: "mobile",
    });
    expect(result.exit).toEqual({ code: 1, signal: null });
    expect(result.stderr).toMatch(
      new RegExp(`^tcoder-worker: job ${jobId} failed: unreadable-media: .*Invalid data found[^\\n]*\\n$`),
    );
    expect(result.leftovers).toEqual([]);
    await expect(stat(output)).rejects.toThrow();
  });

  it("exit 1: a missing input file", async () => {
    const result = await runJob({
      JOB_ID: newJobId(),
      INPUT_URL: join(dir, "no-such-file.mp4"),
      OUTPUT_URL: join(dir, "x.mp4"),
      PRESET: "default",
    });
    expect(result.exit.code).toBe(1);
    expect(result.stderr).toMatch(
      /^tcoder-worker: job \S+ failed: input-unavailable: .*no-such-file\.mp4 is not a file\n$/,
    );
  });
});

describe("with presigned URLs", () => {
  const presignGet = async (key: string) =>
    (await bucket.presignGet(key, { expiresInSeconds: 600 }))._unsafeUnwrap().url;
  const presignPut = async (key: string, contentType: string) =>
    (await bucket.presignPut(key, { contentType, expiresInSeconds: 600 }))._unsafeUnwrap().url;
  const upload = async (key: string, fixture: FixtureName) =>
    (await bucket.put(key, await readFile(media[fixture]), { contentType: "video/mp4" }))._unsafeUnwrap();
  const download = async (key: string) => {
    const object = (await bucket.getStream(key))._unsafeUnwrap();
    return {
      bytes: Buffer.from(await new Response(object.body).arrayBuffer()),
      contentType: object.contentType,
    };
  };

  it("exit 0: mobile streams the input from a GET URL and PUTs the MP4 to the output URL", async () => {
    const jobId = newJobId();
    await upload(`uploads/${jobId}/clip.mp4`, "no-audio-3s.mp4");
    const result = await runJob({
      JOB_ID: jobId,
      INPUT_URL: await presignGet(`uploads/${jobId}/clip.mp4`),
      OUTPUT_URL: await presignPut(`outputs/${jobId}/mobile/video.mp4`, "video/mp4"),
      PRESET: "mobile",
    });
    expect(result).toMatchObject({ exit: { code: 0, signal: null }, stderr: "", leftovers: [] });
    const { bytes, contentType } = await download(`outputs/${jobId}/mobile/video.mp4`);
    expect(contentType).toBe("video/mp4");
    const local = join(dir, `${jobId}.mp4`);
    await writeFile(local, bytes);
    const out = await probeSummary(ffprobePath, local);
    expect(out.video).toMatchObject({ codec: "h264", width: 640, height: 360 });
    expect(out.audio).toBeUndefined();
    expect(isFaststart(topLevelBoxes(bytes))).toBe(true);
  });

  it("exit 0: hls PUTs one ustar archive of the package, and the signed callback reports the archive stored", async () => {
    const jobId = newJobId();
    const leaseToken = randomBytes(8).toString("hex");
    await upload(`uploads/${jobId}/clip.mp4`, "no-audio-3s.mp4");
    const result = await runJob({
      JOB_ID: jobId,
      INPUT_URL: await presignGet(`uploads/${jobId}/clip.mp4`),
      OUTPUT_URL: await presignPut(`outputs/${jobId}/hls/package.tar`, "application/x-tar"),
      PRESET: "hls",
      CALLBACK_URL: receiver.url,
      CALLBACK_KEY: receiver.secret,
      LEASE_TOKEN: leaseToken,
      TCODER_MACHINE_ID: "machine-1",
    });
    expect(result).toMatchObject({ exit: { code: 0, signal: null }, stderr: "", leftovers: [] });
    const { bytes, contentType } = await download(`outputs/${jobId}/hls/package.tar`);
    expect(contentType).toBe("application/x-tar");
    const extracted = join(dir, `${jobId}-tar`);
    await mkdir(extracted);
    await writeFile(join(extracted, "package.tar"), bytes);
    const untar = await run("tar", ["-xf", join(extracted, "package.tar"), "-C", extracted]);
    expect(untar).toMatchObject({ code: 0, stderr: "" });
    const listing = (await run("tar", ["-tf", join(extracted, "package.tar")])).stdout.trim().split("\n");

    // The callback reports the object stored: the archive, under the name OUTPUT_URL gave it.
    const callback = receiver.received.find((c) => c.jobId === jobId && c.kind === "completed");
    if (callback?.kind !== "completed") throw new Error("no completed callback");
    expect(callback).toMatchObject({ leaseToken, machineId: "machine-1" });
    expect(callback.outputs).toEqual([
      {
        type: "hls-master",
        key: "package.tar",
        contentType: "application/x-tar",
        size: bytes.length,
        sha256: sha256(bytes),
      },
    ]);
    expect(listing).toEqual(
      expect.arrayContaining(["master.m3u8", "poster.jpg", "360p/index.m3u8", "240p/index.m3u8"]),
    );
    const segments = listing.filter((name) => name.endsWith(".ts"));
    expect(segments.sort()).toEqual(["240p/seg_000.ts", "360p/seg_000.ts"]);
    const variant = await probeSummary(ffprobePath, join(extracted, "360p/index.m3u8"));
    expect(variant.video).toMatchObject({ codec: "h264", width: 640, height: 360 });
    expect(receiver.refused).toEqual([]);
  });

  it("exit 1: stream copy that cannot fit the container the output URL names is refused, not mislabelled", async () => {
    const jobId = newJobId();
    await upload(`uploads/${jobId}/clip.webm`, "vp9-opus.webm");
    const key = `outputs/${jobId}/default/video.mp4`;
    const result = await runJob({
      JOB_ID: jobId,
      INPUT_URL: await presignGet(`uploads/${jobId}/clip.webm`),
      OUTPUT_URL: await presignPut(key, "video/mp4"),
      PRESET: "default",
    });
    expect(result.exit.code).toBe(1);
    expect(result.stderr).toMatch(
      /failed: output-mismatch: the output URL ends in \.mp4, which cannot hold the source's VP9 video stream by copy; use \.webm or \.mkv, or a re-encoding preset\n$/,
    );
    expect((await bucket.head(key))._unsafeUnwrapErr().kind).toBe("not-found");
  });

  it("exit 1: an input URL that answers 404", async () => {
    const jobId = newJobId();
    const result = await runJob({
      JOB_ID: jobId,
      INPUT_URL: await presignGet(`uploads/${jobId}/missing.mp4`),
      OUTPUT_URL: await presignPut(`outputs/${jobId}/default/video.mp4`, "video/mp4"),
      PRESET: "default",
    });
    expect(result.exit.code).toBe(1);
    expect(result.stderr).toMatch(/^tcoder-worker: job \S+ failed: input-unavailable: .*HTTP 404\n$/);
  });
});

describe("reporting", () => {
  it("exit 1 when the job failed, after a signed failed callback", async () => {
    const jobId = newJobId();
    const result = await runJob({
      JOB_ID: jobId,
      INPUT_URL: media["single-frame.mp4"],
      OUTPUT_URL: join(dir, "sf.mp4"),
      PRESET: "web-optimized",
      CALLBACK_URL: receiver.url,
      CALLBACK_KEY: receiver.secret,
      LEASE_TOKEN: "lease-1",
    });
    expect(result.exit.code).toBe(1);
    const callback = receiver.received.find((c) => c.jobId === jobId);
    expect(callback).toMatchObject({ kind: "failed", leaseToken: "lease-1", error: { code: "still-image" } });
  });

  it("exit 1 when the job completed but the control plane refused the callback", async () => {
    receiver.respondWith(409);
    try {
      const result = await runJob({
        JOB_ID: newJobId(),
        INPUT_URL: media["hevc-flac-1s.mkv"],
        OUTPUT_URL: join(dir, "copy.mkv"),
        PRESET: "default",
        CALLBACK_URL: receiver.url,
        CALLBACK_KEY: receiver.secret,
        LEASE_TOKEN: "lease-2",
      });
      expect(result.exit.code).toBe(1);
      expect(result.stderr).toMatch(
        /^tcoder-worker: job \S+ completed but was not recorded: .*HTTP 409[^\n]*\n$/,
      );
      expect((await probeSummary(ffprobePath, join(dir, "copy.mkv"))).video?.codec).toBe("hevc");
    } finally {
      receiver.respondWith(200);
    }
  });
});

describe("stopping", () => {
  it("exit 1 on SIGTERM mid-job: ffmpeg is stopped and the job reported as handed back (retryable)", async () => {
    const jobId = newJobId();
    const workDir = join(dir, `work-${jobId}`);
    const worker = startTcoderWorker({
      WORK_DIR: workDir,
      JOB_ID: jobId,
      INPUT_URL: media["h264-720p-10s.mp4"],
      OUTPUT_URL: join(dir, `${jobId}.mp4`),
      PRESET: "web-optimized",
      CALLBACK_URL: receiver.url,
      CALLBACK_KEY: receiver.secret,
      LEASE_TOKEN: "lease-3",
    });
    await worker.waitForLog("job-started");
    worker.signal("SIGTERM");
    expect(await worker.exited).toEqual({ code: 1, signal: null });
    expect(worker.stderr()).toMatch(/^tcoder-worker: job \S+ failed: worker-stopped: .*\(SIGTERM\)[^\n]*\n$/);
    const callback = receiver.received.find((c) => c.jobId === jobId && c.kind === "failed");
    expect(callback).toMatchObject({ error: { code: "worker-stopped", retryable: true } });
    expect(await readdir(workDir)).toEqual([]);
    await expect(stat(join(dir, `${jobId}.mp4`))).rejects.toThrow();
  });
});

describe("bad environment", () => {
  const good = () => ({
    JOB_ID: "t1",
    INPUT_URL: media["no-audio-3s.mp4"],
    OUTPUT_URL: join(dir, "bad.mp4"),
  });
  it.each<{ name: string; env: () => Record<string, string>; reason: RegExp }>([
    {
      name: "no OUTPUT_URL",
      env: () => ({ JOB_ID: "t1", INPUT_URL: "in.mp4", PRESET: "default" }),
      reason: /OUTPUT_URL is required/,
    },
    { name: "an unknown preset", env: () => ({ ...good(), PRESET: "4k" }), reason: /PRESET: unknown preset/ },
    {
      name: "a non-http URL",
      env: () => ({ ...good(), INPUT_URL: "ftp://x/y", PRESET: "hls" }),
      reason: /INPUT_URL must be an http\(s\) URL or a file path/,
    },
    {
      name: "a callback without its secret",
      env: () => ({ ...good(), PRESET: "hls", CALLBACK_URL: "http://127.0.0.1:9/cb" }),
      reason: /CALLBACK_KEY is required/,
    },
    { name: "pool mode without a machine id", env: () => ({}), reason: /TCODER_MACHINE_ID is required/ },
  ])("exit 2 on $name, with one line", async ({ env, reason }) => {
    const result = await runJob(env());
    expect(result.exit).toEqual({ code: 2, signal: null });
    expect(result.stderr).toMatch(/^tcoder-worker: bad environment: [^\n]+\n$/);
    expect(result.stderr).toMatch(reason);
  });
});
