// Real-world media through the real worker (single-job mode, real ffmpeg/ffprobe), checked as a viewer would: which
// tone is heard, how long the output lasts next to its video, what the job's result says, whether a copy plays, and
// what a refused job tells its user.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdir, readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { DEFAULT_PLAN_LIMITS } from "../../core/ffmpeg/check-input.ts";
import { planFfmpeg } from "../../core/ffmpeg/plan-ffmpeg.ts";
import { readableStderr } from "../../core/ffmpeg/readable-stderr.ts";
import type { PresetName } from "../../core/preset-names.ts";
import type { FixtureName } from "../../scripts/make-fixtures.ts";
import type { ObjectStore } from "../../shell/storage/object-store.ts";
import type { CallbackReceiver } from "../support/callback-receiver.ts";
import { expectPoster, probeSummary, run } from "../support/probe-output.ts";
import { type SingleJobContext, startSingleJobContext } from "../support/single-job-context.ts";
import { startTcoderWorker } from "../support/tcoder-worker.ts";

const { ffmpegPath, ffprobePath } = inject("ffmpeg");
let media: Record<FixtureName, string>;
let dir: string;
let bucket: ObjectStore;
let receiver: CallbackReceiver;
let context: SingleJobContext;

beforeAll(async () => {
  context = await startSingleJobContext("media-audio");
  ({ media, dir, bucket, receiver } = context);
});
afterAll(async () => {
  await context?.close();
});

const newJobId = () => `job_${randomBytes(6).toString("hex")}`;

/** One worker run to its end, reporting to the callback receiver; the output lands at `<dir>/<jobId>/<name>`. */
const runJob = async (fixture: FixtureName, preset: PresetName, outputName: string) => {
  const jobId = newJobId();
  const output = join(dir, jobId, outputName);
  const worker = startTcoderWorker({
    WORK_DIR: join(dir, `work-${jobId}`),
    JOB_ID: jobId,
    INPUT_URL: media[fixture],
    OUTPUT_URL: output,
    PRESET: preset,
    CALLBACK_URL: receiver.url,
    CALLBACK_KEY: receiver.secret,
    LEASE_TOKEN: "lease-media",
  });
  const exit = await worker.exited;
  const completed = receiver.received.find((c) => c.jobId === jobId && c.kind === "completed");
  const notes = completed?.kind === "completed" ? (completed.notes ?? []) : null;
  const logged = worker.logs().find((l) => l.event === "job-completed")?.notes;
  return { exit, stderr: worker.stderr(), output, notes, logged, jobId };
};

/** Raw 16-bit mono PCM of the first audio stream, at 48 kHz. */
const decodePcm = (path: string): Promise<Int16Array> =>
  new Promise((resolve, reject) => {
    const args = ["-v", "error", "-i", path, "-map", "0:a:0", "-ac", "1", "-ar", "48000", "-f", "s16le", "-"];
    const child = spawn(ffmpegPath, args, { stdio: ["ignore", "pipe", "pipe"] });
    const chunks: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => chunks.push(chunk));
    child.on("error", reject);
    child.on("close", (code) => {
      if (code !== 0) reject(new Error(`ffmpeg could not decode the audio of ${path}`));
      const bytes = Buffer.concat(chunks);
      resolve(new Int16Array(bytes.buffer, bytes.byteOffset, Math.floor(bytes.length / 2)));
    });
  });

/** The tone a listener hears: a sine crosses zero twice per period. */
const dominantHz = async (path: string): Promise<number> => {
  const samples = await decodePcm(path);
  let crossings = 0;
  for (let i = 1; i < samples.length; i++) {
    if ((samples[i - 1] ?? 0) < 0 !== (samples[i] ?? 0) < 0) crossings++;
  }
  return crossings / 2 / (samples.length / 48000);
};

const durationOf = async (path: string) => {
  const probe = await probeSummary(ffprobePath, path);
  const span = (kind: "video" | "audio") => {
    const stream = probe.streams.find((s) => s.kind === kind && !s.isAttachedPic);
    return stream?.endSec === undefined ? undefined : stream.endSec - (stream.startSec ?? 0);
  };
  return { container: probe.durationSec, video: span("video"), audio: span("audio"), probe };
};

describe("the right audio", () => {
  it.each<{ preset: PresetName; name: string }>([
    { preset: "web-optimized", name: "out.mp4" },
    { preset: "default", name: "out.mp4" },
  ])(
    "$preset: the output sounds at 880 Hz, the track flagged default, not the first (440 Hz)",
    async ({ preset, name }) => {
      const job = await runJob("two-tones-default-880.mp4", preset, name);
      expect(job.exit.code).toBe(0);
      expect(await dominantHz(media["two-tones-default-880.mp4"])).toBeCloseTo(440, -1);
      expect(await dominantHz(job.output)).toBeCloseTo(880, -1);
      const out = await probeSummary(ffprobePath, job.output);
      expect(out.streams.filter((s) => s.kind === "audio")).toHaveLength(1);
    },
  );

  it.each<{ fixture: FixtureName; preset: PresetName; note: string }>([
    {
      // ffprobe names SMV; ffmpeg has no decoder: found when it runs, the job is planned again without the track.
      fixture: "smv-audio.3g2",
      preset: "web-optimized",
      note: "audio track 1 of 1 (smv) could not be decoded: this FFmpeg has no smv decoder; the output is video-only",
    },
    {
      // MPEG-H is not even known to FFmpeg 5.1: left out when planning.
      fixture: "mpegh-audio.mp4",
      preset: "mobile",
      note:
        "audio track 1 of 1 (unknown codec) could not be decoded: FFmpeg does not recognise its codec; " +
        "the output is video-only",
    },
  ])("$fixture, $preset: completes video-only and its result says why", async ({ fixture, preset, note }) => {
    const job = await runJob(fixture, preset, "out.mp4");
    expect({ code: job.exit.code, stderr: job.stderr }).toEqual({ code: 0, stderr: "" });
    expect(job.notes).toEqual([note]);
    expect(job.logged).toEqual([note]);
    const out = await durationOf(job.output);
    expect(out.probe.audio).toBeUndefined();
    expect(out.video).toBeCloseTo(2, 1);
    await expectPoster(ffprobePath, job.output.replace(/\.mp4$/, ".poster.jpg"), 320 / 240);
  });

  it("ffmpeg's real stderr for the undecodable track reads as separate clauses", async () => {
    const probe = await probeSummary(ffprobePath, media["smv-audio.3g2"]);
    const outDir = join(dir, "smv-first-attempt");
    await mkdir(outDir, { recursive: true });
    const plan = planFfmpeg({
      preset: "mobile",
      probe,
      inputPath: media["smv-audio.3g2"],
      outDir,
      limits: DEFAULT_PLAN_LIMITS,
    })._unsafeUnwrap();
    const result = await run(ffmpegPath, plan.commands[0]?.argv ?? []);
    expect(result.code).toBe(1);
    expect(readableStderr(result.stderr.split("\n"), media["smv-audio.3g2"])).toBe(
      "Guessed Channel Layout for Input Stream #0.1 : stereo; Decoder (codec smv) not found for input stream #0:1",
    );
  });
});

describe("durations from the streams used", () => {
  it.each<{ fixture: FixtureName; preset: PresetName; name: string; video: number; audio: number | null }>([
    // The container says 65 s (a subtitle); the output follows the 3 s of picture and sound.
    { fixture: "subtitle-outlasts.mkv", preset: "web-optimized", name: "out.mp4", video: 3, audio: 3 },
    { fixture: "subtitle-outlasts.mkv", preset: "hls", name: "master.m3u8", video: 3, audio: 3 },
    // A data stream spanning 30 s, and one keyframe: the poster is cut from the video all the same.
    { fixture: "data-stream.ts", preset: "web-optimized", name: "out.mp4", video: 3, audio: 3 },
    // Headers that say "unknown" (ffprobe: 335544 s): measured from packets, 6 s.
    {
      fixture: "fragmented-unknown-duration.mp4",
      preset: "web-optimized",
      name: "out.mp4",
      video: 6,
      audio: 6,
    },
    // No container, no timestamps, no duration: measured, 100 frames at 25 fps.
    { fixture: "raw-h264.h264", preset: "mobile", name: "out.mp4", video: 4, audio: null },
  ])(
    "$fixture, $preset: completes, lasting its video's $video s",
    async ({ fixture, preset, name, video, audio }) => {
      const job = await runJob(fixture, preset, name);
      expect({ code: job.exit.code, stderr: job.stderr }).toEqual({ code: 0, stderr: "" });
      const main = preset === "hls" ? join(dir, job.jobId, "240p", "index.m3u8") : job.output;
      const out = await durationOf(main);
      expect(out.container).toBeGreaterThan(video - 0.15);
      expect(out.container).toBeLessThan(video + 0.15);
      if (preset !== "hls") expect(out.video).toBeCloseTo(video, 0);
      expect(out.probe.audio === undefined).toBe(audio === null);
      const poster = job.output.replace(/\.[^.]+$/, ".poster.jpg");
      await expectPoster(ffprobePath, poster, 320 / 240);
    },
  );

  describe("1 s of video over 8 s of audio", () => {
    it("MP4 keeps all 8 s of audio (players hold the last frame), the poster comes from the video, and says so", async () => {
      const job = await runJob("short-video-long-audio.mp4", "web-optimized", "out.mp4");
      expect(job.exit.code).toBe(0);
      const out = await durationOf(job.output);
      expect(out.video).toBeCloseTo(1, 1);
      expect(out.audio).toBeCloseTo(8, 1);
      expect(out.container).toBeCloseTo(8, 1);
      expect(job.notes).toEqual([
        "the video ends at 1.00 s but the audio runs to 8.00 s: the output keeps all of the audio, and players hold the last frame",
      ]);
      await expectPoster(ffprobePath, job.output.replace(/\.mp4$/, ".poster.jpg"), 320 / 240);
    });

    it("HLS ends with the video (MSE players stop where it stops), and says so", async () => {
      const job = await runJob("short-video-long-audio.mp4", "hls", "master.m3u8");
      expect(job.exit.code).toBe(0);
      const variant = await durationOf(join(dir, job.jobId, "240p", "index.m3u8"));
      expect(variant.container).toBeCloseTo(1, 1);
      expect(variant.probe.audio?.codec).toBe("aac");
      expect(job.notes?.[0]).toMatch(
        /^the video ends at 1\.00 s but the audio runs to 8\.00 s: HLS ends with the video/,
      );
    });
  });
});

/** Every decoded frame's checksum, in display order: two files show the same pictures when these match. */
const frameChecksums = async (path: string): Promise<string[]> => {
  const result = await run(ffmpegPath, ["-v", "error", "-i", path, "-map", "0:v:0", "-f", "framemd5", "-"]);
  expect(result.stderr).toBe("");
  return result.stdout
    .split("\n")
    .filter((l) => l !== "" && !l.startsWith("#"))
    .map((l) => l.split(",").at(-1)?.trim() ?? "");
};

describe("stream copy that copes", () => {
  it("a program stream after 2 MiB of junk: probed deeper, copied to Matroska, plays whole and in order", async () => {
    const job = await runJob("junk-program-stream.mpg", "default", "out.mkv");
    expect({ code: job.exit.code, stderr: job.stderr }).toEqual({ code: 0, stderr: "" });
    const out = await durationOf(job.output);
    expect([out.probe.video?.codec, out.probe.audio?.codec]).toEqual(["mpeg2video", "mp2"]);
    expect(out.container).toBeCloseTo(4, 1);
    const frames = await frameChecksums(job.output);
    expect(frames).toHaveLength(100);
    const source = await run(ffmpegPath, [
      ...["-v", "error", "-f", "mpeg", "-i", media["junk-program-stream.mpg"]],
      ...["-map", "0:v:0", "-f", "framemd5", "-"],
    ]);
    expect(frames).toEqual(
      source.stdout
        .split("\n")
        .filter((l) => l !== "" && !l.startsWith("#"))
        .map((l) => l.split(",").at(-1)?.trim()),
    );
  });

  it("raw MPEG-2 without timestamps: +genpts copies it, frames in order", async () => {
    const job = await runJob("raw-mpeg2.m2v", "default", "out.mkv");
    expect({ code: job.exit.code, stderr: job.stderr }).toEqual({ code: 0, stderr: "" });
    expect((await durationOf(job.output)).container).toBeCloseTo(4, 1);
    expect(await frameChecksums(job.output)).toEqual(await frameChecksums(media["raw-mpeg2.m2v"]));
  });

  it("raw H.264 with B-frames is refused in words, not copied out of order", async () => {
    const job = await runJob("raw-h264.h264", "default", "out.mp4");
    expect(job.exit.code).toBe(1);
    expect(job.stderr).toMatch(
      /failed: unsupported-codec: the input is a raw H\.264 stream with B-frames and no timestamps: a stream copy would play its frames out of order; use a re-encoding preset\n$/,
    );
    await expect(stat(job.output)).rejects.toThrow();
  });
});

describe("single-job mode, presigned URLs: refused early and readably", () => {
  const presignGet = async (key: string) =>
    (await bucket.presignGet(key, { expiresInSeconds: 600 }))._unsafeUnwrap().url;
  const presignPut = async (key: string, contentType: string) =>
    (await bucket.presignPut(key, { contentType, expiresInSeconds: 600 }))._unsafeUnwrap().url;
  const runUrls = async (env: Record<string, string>) => {
    const workDir = join(dir, `work-${randomBytes(4).toString("hex")}`);
    const worker = startTcoderWorker({ WORK_DIR: workDir, ...env });
    const exit = await worker.exited;
    return { exit, stderr: worker.stderr(), leftovers: await readdir(workDir).catch(() => [] as string[]) };
  };

  it("stream copy of FLAC audio to an .mp4 URL: fails before any transcode, naming what would work", async () => {
    const jobId = newJobId();
    await bucket.put(`uploads/${jobId}/clip.mkv`, await readFile(media["hevc-flac-1s.mkv"]), {
      contentType: "video/x-matroska",
    });
    const key = `outputs/${jobId}/default/video.mp4`;
    const result = await runUrls({
      JOB_ID: jobId,
      INPUT_URL: await presignGet(`uploads/${jobId}/clip.mkv`),
      OUTPUT_URL: await presignPut(key, "video/mp4"),
      PRESET: "default",
    });
    expect(result.exit.code).toBe(1);
    expect(result.stderr).toBe(
      `tcoder-worker: job ${jobId} failed: output-mismatch: the output URL ends in .mp4, which cannot hold the ` +
        "source's FLAC audio stream by copy; use .mkv or a re-encoding preset\n",
    );
    expect((await bucket.head(key))._unsafeUnwrapErr().kind).toBe("not-found");
    expect(result.leftovers).toEqual([]);
  });

  it("an .mkv URL for web-optimized: refused before the download (the input URL would have answered 404)", async () => {
    const jobId = newJobId();
    const result = await runUrls({
      JOB_ID: jobId,
      INPUT_URL: await presignGet(`uploads/${jobId}/missing.mp4`),
      OUTPUT_URL: await presignPut(`outputs/${jobId}/web-optimized/video.mkv`, "video/x-matroska"),
      PRESET: "web-optimized",
    });
    expect(result.exit.code).toBe(1);
    expect(result.stderr).toBe(
      `tcoder-worker: job ${jobId} failed: output-mismatch: the output URL ends in .mkv; the web-optimized preset writes .mp4\n`,
    );
  });

  it("an empty upload says it is empty", async () => {
    const jobId = newJobId();
    await bucket.put(`uploads/${jobId}/clip.mp4`, new Uint8Array(0), { contentType: "video/mp4" });
    const result = await runUrls({
      JOB_ID: jobId,
      INPUT_URL: await presignGet(`uploads/${jobId}/clip.mp4`),
      OUTPUT_URL: await presignPut(`outputs/${jobId}/mobile/video.mp4`, "video/mp4"),
      PRESET: "mobile",
    });
    expect(result.exit.code).toBe(1);
    expect(result.stderr).toBe(
      `tcoder-worker: job ${jobId} failed: empty-input: the uploaded file is empty (0 bytes)\n`,
    );
  });
});
