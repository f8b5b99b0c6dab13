// Split-and-stitch with real workers, FFmpeg, Redis and S3: a long web-optimized job becomes chunk, audio and
// stitch tasks that several workers claim; the stitched MP4 matches the source to the frame, with no audio gap
// at a seam; a chunk worker killed mid-chunk costs one chunk; a failing chunk fails the job with its reason;
// a cancel stops every task. Short settings (split after 8 s, 4 s chunks, a 20 s clip) keep it fast.
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from "vitest";
import { jobRetryPolicy } from "../../core/decide-job-retry.ts";
import type { Job } from "../../core/job-lifecycle/job-state.ts";
import { outputPrefix } from "../../core/output-keys.ts";
import { planSplitTasks, splitWorkRoot } from "../../core/split/split-tasks.ts";
import { ioredisScriptRunner } from "../../shell/redis/ioredis-script-runner.ts";
import { registerMachine } from "../../shell/redis/machine-leases.ts";
import { splitJob } from "../../shell/redis/split-job.ts";
import { startTcoderWorker, type TcoderWorker } from "../support/tcoder-worker.ts";
import { newMachineId, type PoolHarness, startPoolHarness } from "../support/worker-pool-harness.ts";

const run = promisify(execFile);
const { ffmpegPath, ffprobePath } = inject("ffmpeg");
const SPLIT_ENV = { SPLIT_AFTER_SECONDS: "8", SPLIT_CHUNK_SECONDS: "4", WORKER_MAX_JOBS: "3" };
const SWEEP_POLICY = jobRetryPolicy({ maxAttempts: 3, baseDelayMs: 0, maxDelayMs: 0 });
const FRAME_S = 1 / 30;

let harness: PoolHarness;
let workDir: string;
let clip: string;
const started: TcoderWorker[] = [];

beforeAll(async () => {
  harness = await startPoolHarness("split-stitch");
  workDir = await mkdtemp(join(tmpdir(), "tcoder-split-"));
  clip = join(workDir, "long-20s.mp4");
  // 20 s, 30 fps, a keyframe every 2 s (so on the 4 s grid), a steady tone: any gap at a seam is silence.
  await run(ffmpegPath, [
    ...["-hide_banner", "-loglevel", "error", "-y"],
    ...[
      "-f",
      "lavfi",
      "-i",
      "testsrc2=size=640x360:rate=30",
      "-f",
      "lavfi",
      "-i",
      "sine=frequency=440:sample_rate=48000",
    ],
    ...["-t", "20", "-c:v", "libx264", "-preset", "ultrafast", "-g", "60", "-pix_fmt", "yuv420p"],
    ...["-c:a", "aac", "-b:a", "96k", clip],
  ]);
}, 60_000);
afterEach(() => {
  for (const worker of started.splice(0)) worker.killGroup();
});
afterAll(async () => {
  await harness?.close();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

const start = (env: Record<string, string> = {}, machineId = newMachineId()): TcoderWorker => {
  const worker = startTcoderWorker(
    harness.env(machineId, {
      WORK_DIR: join(workDir, machineId),
      WORKER_DRAIN_MS: "1000",
      ...SPLIT_ENV,
      ...env,
    }),
  );
  started.push(worker);
  return worker;
};

const taskIds = async (jobId: string): Promise<string[]> =>
  ((await harness.redis.hget(harness.keys.jobStatus(jobId), "split:tasks")) ?? "").split(",").filter(Boolean);
const tasksOf = async (jobId: string): Promise<Job[]> =>
  Promise.all((await taskIds(jobId)).map((id) => harness.load(id)));
/** The tasks once the stitch task itself is committed: its worker completes the job first, then the task. */
const settledTasksOf = async (jobId: string): Promise<Job[]> => {
  const stitchId = (await taskIds(jobId)).at(-1) ?? "";
  await harness.waitForJob(stitchId, (t) => t.status === "completed" || t.status === "failed", 30_000);
  return tasksOf(jobId);
};

const probeJson = async (path: string, args: string[]) =>
  JSON.parse(
    (await run(ffprobePath, ["-v", "error", ...args, "-of", "json", path], { maxBuffer: 64 << 20 })).stdout,
  );

const download = async (key: string, name: string): Promise<string> => {
  const path = join(workDir, name);
  const got = (await harness.output.getStream(key))._unsafeUnwrap();
  await writeFile(path, new Uint8Array(await new Response(got.body).arrayBuffer()));
  return path;
};

describe("a web-optimized job longer than SPLIT_AFTER_SECONDS", () => {
  it("is split across two workers and stitched to the source's duration, faststart, with no audio gap at a seam", async () => {
    const job = await harness.createJob(clip, "web-optimized");
    const workers = [start({ WORKER_MAX_JOBS: "1" }), start({ WORKER_MAX_JOBS: "1" })];
    const done = await harness.waitForJob(
      job.jobId,
      (j) => j.status === "completed" || j.status === "failed",
      120_000,
    );
    expect(done).toMatchObject({ status: "completed", progress: 100, error: null, attempts: 1 });

    const tasks = await settledTasksOf(job.jobId);
    // audio + five 4 s chunks + the stitch, each run once, by both workers between them.
    expect(tasks.map((t) => t.jobId.split(".").at(-1))).toEqual([
      "audio",
      "c000",
      "c001",
      "c002",
      "c003",
      "c004",
      "stitch",
    ]);
    expect(tasks.every((t) => t.status === "completed" && t.attempts === 1)).toBe(true);
    const machines = new Set(
      tasks
        .map((t) => t.jobId)
        .flatMap((id) =>
          workers
            .filter((w) => w.logs().some((l) => l.event === "job-started" && l.jobId === id))
            .map((w) => workers.indexOf(w)),
        ),
    );
    expect(machines).toEqual(new Set([0, 1]));
    // Cost: the machine time of every task (the stitch's own included).
    const taskSeconds = tasks.reduce((sum, t) => sum + (t.machineSeconds ?? 0), 0);
    expect(done.machineSeconds).toBeGreaterThanOrEqual(taskSeconds - (tasks.at(-1)?.machineSeconds ?? 0));
    expect(done.costUsd).toBeGreaterThan(0);

    const video = done.outputs.find((o) => o.type === "video");
    expect(video?.key).toBe(`${outputPrefix(job.jobId, "web-optimized")}video.mp4`);
    expect(done.outputs.some((o) => o.type === "poster")).toBe(true);
    const path = await download(video?.key ?? "", "stitched.mp4");
    const streams = await probeJson(path, [
      "-count_frames",
      "-show_entries",
      "stream=codec_type,duration,nb_read_frames",
    ]);
    const v = streams.streams.find((s: { codec_type: string }) => s.codec_type === "video");
    const a = streams.streams.find((s: { codec_type: string }) => s.codec_type === "audio");
    expect(Number(v.nb_read_frames)).toBe(600);
    expect(Math.abs(Number(v.duration) - 20)).toBeLessThanOrEqual(FRAME_S);
    expect(Math.abs(Number(a.duration) - 20)).toBeLessThanOrEqual(FRAME_S);
    // Faststart: the moov atom before the media data.
    const head = (await run("head", ["-c", "4096", path], { encoding: "latin1" })).stdout;
    expect(head.indexOf("moov")).toBeGreaterThan(0);
    expect(head.indexOf("moov")).toBeLessThan(head.indexOf("mdat") === -1 ? 4096 : head.indexOf("mdat"));
    // Audio continuity: each packet starts where the one before ended, and the tone never falls silent.
    const packets = await probeJson(path, [
      "-select_streams",
      "a:0",
      "-show_entries",
      "packet=pts_time,duration_time",
    ]);
    const gaps = packets.packets
      .slice(1)
      .map(
        (p: { pts_time: string }, i: number) =>
          Number(p.pts_time) - Number(packets.packets[i].pts_time) - Number(packets.packets[i].duration_time),
      )
      .filter((gap: number) => Math.abs(gap) > 0.0005);
    expect(gaps).toEqual([]);
    const silence = await run(ffmpegPath, [
      "-hide_banner",
      "-i",
      path,
      "-af",
      "silencedetect=n=-50dB:d=0.01",
      "-f",
      "null",
      "-",
    ]);
    expect(
      silence.stderr.match(/silence_start: [\d.]+/g)?.filter((s) => Number(s.split(" ")[1]) < 19.9) ?? [],
    ).toEqual([]);
    // The work files are gone once the job completed.
    expect((await harness.output.list(splitWorkRoot(job.jobId)))._unsafeUnwrap().objects).toEqual([]);
  }, 180_000);
});

/** The output bucket over plain HTTP, as a public R2 bucket or a CDN serves it: GET /<key>. */
const serveOutputs = async (): Promise<{ url: string; close: () => Promise<void> }> => {
  const server: Server = createServer(async (req, res) => {
    const got = await harness.output.getStream(decodeURIComponent((req.url ?? "/").slice(1)));
    if (got.isErr()) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { "content-type": got.value.contentType, "content-length": got.value.size });
    res.end(new Uint8Array(await new Response(got.value.body).arrayBuffer()));
  });
  await new Promise<void>((ready) => server.listen(0, "127.0.0.1", ready));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((done) => server.close(() => done())),
  };
};

describe("an hls job longer than SPLIT_AFTER_SECONDS", () => {
  it("is stitched by joining playlists: it plays from its master through the whole duration, every segment the target but the last", async () => {
    const job = await harness.createJob(clip, "hls");
    start({ WORKER_MAX_JOBS: "1" });
    start({ WORKER_MAX_JOBS: "1" });
    const done = await harness.waitForJob(
      job.jobId,
      (j) => j.status === "completed" || j.status === "failed",
      120_000,
    );
    expect(done).toMatchObject({ status: "completed", error: null });
    const tasks = await settledTasksOf(job.jobId);
    expect(tasks.map((t) => [t.jobId.split(".").at(-1), t.status])).toEqual(
      ["audio", "c000", "c001", "c002", "c003", "c004", "stitch"].map((n) => [n, "completed"]),
    );
    const master = done.outputs.find((o) => o.type === "hls-master");
    expect(master?.key).toBe(`${outputPrefix(job.jobId, "hls")}master.m3u8`);
    // Every stored segment is an output of the job, and nothing else was left in its work prefix.
    const segments = done.outputs.filter((o) => o.type === "hls-segment");
    expect(new Set(segments.map((o) => o.quality))).toEqual(new Set(["360p", "240p", "audio"]));
    expect((await harness.output.list(splitWorkRoot(job.jobId)))._unsafeUnwrap().objects).toEqual([]);

    const served = await serveOutputs();
    try {
      const masterUrl = `${served.url}/${master?.key}`;
      const masterText = await (await fetch(masterUrl)).text();
      expect(masterText).toContain('#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="audio"');
      const variants = [...masterText.matchAll(/^#EXT-X-STREAM-INF:(.*)\n(.*)$/gm)];
      expect(variants.map((m) => m[2])).toEqual(["360p/index.m3u8", "240p/index.m3u8"]);
      for (const [, attributes] of variants)
        expect(attributes).toMatch(/CODECS="avc1\.[0-9a-f]{6},mp4a\.40\.2"/);
      for (const uri of ["360p/index.m3u8", "240p/index.m3u8"]) {
        const playlist = await (await fetch(new URL(uri, masterUrl))).text();
        const durations = [...playlist.matchAll(/#EXTINF:([\d.]+),/g)].map((m) => Number(m[1]));
        // Five 4 s segments, numbered 0–4 across the five chunks: every one the target (this clip ends on one).
        expect(durations).toEqual([4, 4, 4, 4, 4]);
        expect([...playlist.matchAll(/^seg_(\d+)\.ts$/gm)].map((m) => Number(m[1]))).toEqual([0, 1, 2, 3, 4]);
        expect(playlist).toContain("#EXT-X-TARGETDURATION:4");
        expect(playlist.trimEnd().endsWith("#EXT-X-ENDLIST")).toBe(true);
      }
      // Played from the master URL: every frame of the top rung decodes, in order, a frame apart, for 20 s;
      // the audio plays alongside without a gap.
      const packets = await probeJson(masterUrl, [
        "-show_entries",
        "packet=stream_index,pts_time,duration_time",
      ]);
      const streams = await probeJson(masterUrl, ["-show_entries", "stream=index,codec_type,width"]);
      const top = streams.streams.find((s: { width?: number }) => s.width === 640).index;
      const audioIndex = streams.streams.find((s: { codec_type: string }) => s.codec_type === "audio").index;
      const times = (index: number) =>
        packets.packets
          .filter((p: { stream_index: number }) => p.stream_index === index)
          .map((p: { pts_time: string }) => Number(p.pts_time))
          .sort((a: number, b: number) => a - b);
      const video = times(top);
      expect(video.length).toBe(600);
      const steps = video.slice(1).map((t: number, i: number) => t - (video[i] ?? 0));
      // A repeated or dropped frame at a seam shows as a step other than one frame: [position, step].
      const seams = steps.flatMap((d: number, i: number) => (Math.abs(d - FRAME_S) > 0.001 ? [[i, d]] : []));
      expect(seams).toEqual([]);
      const audio = times(audioIndex);
      const audioSteps = audio.slice(1).map((t: number, i: number) => t - (audio[i] ?? 0));
      expect(audioSteps.filter((d: number) => Math.abs(d - 1024 / 48_000) > 0.001)).toEqual([]);
      expect(Math.abs((audio.at(-1) ?? 0) - (audio[0] ?? 0) - 20)).toBeLessThanOrEqual(0.05);
      expect(Math.abs((audio[0] ?? 0) - (video[0] ?? 0))).toBeLessThanOrEqual(FRAME_S);
    } finally {
      await served.close();
    }
  }, 180_000);
});

describe("a chunk worker killed with SIGKILL mid-chunk", () => {
  it("costs that chunk one more attempt; the job completes exactly once", async () => {
    const job = await harness.createJob(clip, "web-optimized");
    const dyingId = newMachineId();
    const dying = start({ LEASE_MS: "1500", HEARTBEAT_MS: "300", WORKER_MAX_JOBS: "5" }, dyingId);
    // It splits the job, then runs tasks. Freeze it (worker and ffmpeg) while it holds a chunk; if the chunk
    // finished in the meantime, thaw it and look again. Frozen, nothing moves: the chunk it holds is the one
    // the kill interrupts.
    const chunk = await (async () => {
      for (;;) {
        const tasks = await tasksOf(job.jobId);
        if (tasks.length > 0 && tasks.at(-1)?.status !== "queued")
          throw new Error("every chunk finished before one was caught");
        if (tasks.some((t) => /\.c\d+$/.test(t.jobId) && t.status === "running")) {
          process.kill(-dying.pid, "SIGSTOP");
          const held = (await tasksOf(job.jobId)).find(
            (t) => /\.c\d+$/.test(t.jobId) && t.status === "running" && t.machineId === dyingId,
          );
          if (held) return held;
          process.kill(-dying.pid, "SIGCONT");
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    dying.killGroup();
    await dying.exited;
    await harness.clock.waitPast(
      Number(await harness.redis.zscore(harness.keys.workerLeases, chunk.machineId ?? "")),
    );
    expect((await harness.sweep(SWEEP_POLICY))._unsafeUnwrap()).toMatchObject({ requeued: 1, errors: [] });
    start({ WORKER_MAX_JOBS: "1" });
    const done = await harness.waitForJob(
      job.jobId,
      (j) => j.status === "completed" || j.status === "failed",
      120_000,
    );
    expect(done.status).toBe("completed");
    const tasks = await settledTasksOf(job.jobId);
    expect(tasks.every((t) => t.status === "completed")).toBe(true);
    expect(tasks.filter((t) => t.attempts === 2).map((t) => t.jobId)).toEqual([chunk.jobId]);
    expect(tasks.filter((t) => t.attempts !== 2).every((t) => t.attempts === 1)).toBe(true);
    expect(done.attempts).toBe(1);
  }, 180_000);
});

describe("a task that fails after its retries", () => {
  it("fails the job with the task's reason, cancels the other tasks and starts no stitch", async () => {
    const job = await harness.createJob(clip, "web-optimized");
    // The first worker only splits the job (one job and it is done), then the input disappears.
    const splitter = start({ WORKER_MAX_JOBS: "1" });
    await splitter.waitForLog("job-split");
    splitter.signal("SIGTERM");
    await splitter.exited;
    (await harness.input.delete(job.inputKey))._unsafeUnwrap();
    start({ MAX_ATTEMPTS: "2" });
    const failed = await harness.waitForJob(job.jobId, (j) => j.status !== "running", 120_000);
    const tasks = await tasksOf(job.jobId);
    const culprit = tasks.find((t) => t.status === "failed");
    expect(culprit).toMatchObject({ attempts: 2, error: { code: "input-unavailable" } });
    expect(failed).toMatchObject({ status: "failed", error: culprit?.error });
    // Ended like any failed job: input retention will delete its input and partial outputs.
    expect(await harness.redis.zscore(harness.keys.jobsEnded, job.jobId)).not.toBeNull();
    expect(
      tasks.filter((t) => t !== culprit).every((t) => t.status === "cancelled" || t.status === "completed"),
    ).toBe(true);
    expect(tasks.at(-1)).toMatchObject({ status: "cancelled", attempts: 0 });
    expect(await harness.redis.zrange(harness.keys.jobsPending, 0, -1)).toEqual([]);
  }, 180_000);
});

describe("a cancelled split job", () => {
  it("cancels every task, stops the running chunk and starts no stitch", async () => {
    const job = await harness.createJob(clip, "web-optimized");
    const machineId = newMachineId();
    const worker = start({ WORKER_MAX_JOBS: "5" }, machineId);
    // Frozen while it holds a task (thawed and looked at again if it finished meanwhile), cancelled, thawed.
    const running = await (async () => {
      for (;;) {
        const tasks = await tasksOf(job.jobId);
        if (tasks.length > 0 && tasks.at(-1)?.status !== "queued")
          throw new Error("every task finished before one was caught");
        if (tasks.some((t) => t.status === "running")) {
          process.kill(-worker.pid, "SIGSTOP");
          const held = (await tasksOf(job.jobId)).find(
            (t) => t.status === "running" && t.machineId === machineId,
          );
          if (held) return held;
          process.kill(-worker.pid, "SIGCONT");
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    (
      await harness.store.transition(job.jobId, { type: "cancel", at: Date.now() }, SWEEP_POLICY)
    )._unsafeUnwrap();
    process.kill(-worker.pid, "SIGCONT");
    // Its worker is fenced out (at its next progress report, or at its completion), recording nothing.
    expect(await worker.waitForLog("job-finished", (l) => l.jobId === running.jobId)).toMatchObject({
      kind: "fenced-out",
    });
    const tasks = await tasksOf(job.jobId);
    expect((await harness.load(job.jobId)).status).toBe("cancelled");
    expect(tasks.find((t) => t.jobId === running.jobId)?.status).toBe("cancelled");
    expect(tasks.filter((t) => t.status !== "completed").every((t) => t.status === "cancelled")).toBe(true);
    expect(tasks.at(-1)).toMatchObject({ status: "cancelled", attempts: 0 });
    expect(await harness.redis.zrange(harness.keys.jobsPending, 0, -1)).toEqual([]);
    expect(await harness.redis.hkeys(harness.keys.jobsActive)).toEqual([]);
    expect(
      (await harness.output.list(outputPrefix(job.jobId, "web-optimized")))._unsafeUnwrap().objects,
    ).toEqual([]);
  }, 180_000);
});

describe("sharing the queue with a split job", () => {
  it("its tasks keep the job's place: jobs queued after it wait only for the tasks queued before them", async () => {
    const runner = ioredisScriptRunner(harness.redis);
    const machineId = newMachineId();
    (
      await registerMachine(runner, harness.keys, machineId, { leaseMs: 60_000, maxMachines: 10 })
    )._unsafeUnwrap();
    const claimNext = async () => {
      const claimed = (await harness.store.claim(machineId, `t-${Math.random()}`))._unsafeUnwrap();
      return claimed.kind === "claimed" ? claimed.job : null;
    };
    const long = await harness.createJob(clip, "web-optimized");
    const before = await harness.createJob(clip, "default");
    const running = await claimNext();
    expect(running?.jobId).toBe(long.jobId);
    const chunks = [0, 4, 8, 12, 16].map((startS, index) => ({ index, startS, endS: startS + 4 }));
    const plan = planSplitTasks(
      running as Job,
      { chunks, durationS: 20, segmentS: 4, hasAudio: true },
      await harness.clock.now(),
    );
    expect((await splitJob(runner, harness.keys, running as Job, plan))._unsafeUnwrap()).toEqual({
      kind: "split",
    });
    const after = await harness.createJob(clip, "default");
    const order: string[] = [];
    for (let job = await claimNext(); job !== null; job = await claimNext()) order.push(job.jobId);
    const name = (id: string) =>
      id === before.jobId ? "before" : id === after.jobId ? "after" : id.split(".").at(-1);
    // The stitch is not claimable until the last task completes.
    expect(order.map(name)).toEqual(["audio", "c000", "c001", "c002", "c003", "c004", "before", "after"]);
    for (const id of [long.jobId, before.jobId, after.jobId]) {
      await harness.store.transition(id, { type: "cancel", at: Date.now() }, SWEEP_POLICY);
    }
  });
});
