// Large inputs are not staged on the worker's disk (Fly's root filesystem writes a few MiB/s): ffprobe and ffmpeg
// read them in place through a presigned GET. With the threshold at 1 byte every input streams: an MP4 whose moov
// comes last (a seek to the end and back), HLS from an interlaced MPEG-TS, both checked as a viewer would; the
// record shows the URL without its signature, and the worker says it read each input in place.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as v from "valibot";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { Job } from "../../core/job-lifecycle/job-state.ts";
import { JobRecordSchema } from "../../core/job-record.ts";
import { recordKey } from "../../core/output-keys.ts";
import type { PresetName } from "../../core/preset-names.ts";
import { ensureFixtures, type FixtureName } from "../../scripts/make-fixtures.ts";
import { startTcoderWorker, type TcoderWorker } from "../support/tcoder-worker.ts";
import { newMachineId, type PoolHarness, startPoolHarness } from "../support/worker-pool-harness.ts";

const { ffmpegPath, ffprobePath } = inject("ffmpeg");
const CASES: readonly { fixture: FixtureName; preset: PresetName }[] = [
  { fixture: "h264-720p-10s.mp4", preset: "web-optimized" },
  { fixture: "interlaced-576i-mpeg2.ts", preset: "hls" },
];

let harness: PoolHarness;
let workDir: string;
let worker: TcoderWorker;
const finished = new Map<string, Job>();

beforeAll(async () => {
  const media = await ensureFixtures({ ffmpegPath, ffprobePath });
  workDir = await mkdtemp(join(tmpdir(), "tcoder-streamed-"));
  harness = await startPoolHarness("worker-streamed");
  const jobs = [];
  for (const { fixture, preset } of CASES) jobs.push(await harness.createJob(media[fixture], preset));
  worker = startTcoderWorker(
    harness.env(newMachineId(), {
      WORKER_MAX_JOBS: "100",
      WORKER_TTL_MS: "600000",
      WORKER_DRAIN_MS: "1000",
      WORK_DIR: join(workDir, "work"),
      INPUT_STREAM_MIN_BYTES: "1",
    }),
  );
  for (const job of jobs) {
    finished.set(
      job.jobId,
      await harness.waitForJob(job.jobId, (j) => j.status === "completed" || j.status === "failed", 120_000),
    );
  }
}, 180_000);

afterAll(async () => {
  worker?.killGroup();
  await harness?.close();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

describe.each(CASES)("$preset on $fixture, read in place", ({ preset }) => {
  it("completes, scored, with the input read over HTTP and recorded without its signature", async () => {
    const job = [...finished.values()].find((j) => j.preset === preset) as Job;
    expect({ status: job.status, error: job.error }).toEqual({ status: "completed", error: null });
    const object = (await harness.output.getStream(recordKey(job.jobId)))._unsafeUnwrap();
    const record = v.parse(JobRecordSchema, JSON.parse(await new Response(object.body).text()));
    const transcode = record.runs.find((r) => r.purpose === "transcode");
    const input = transcode?.argv[transcode.argv.indexOf("-i") + 1] ?? "";
    expect(input).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/.+\/uploads\/.+\?…$/);
    expect(JSON.stringify(record)).not.toMatch(/X-Amz-Signature/i);
    expect(transcode?.argv).toContain("-reconnect");
    for (const score of record.quality) expect(score.ssim, score.error).toBeGreaterThan(0.9);
    expect(record.quality.length).toBeGreaterThan(0);
  });
});

it("read every input in place: each job says so, with the input's size", () => {
  const streamed = worker.logs().filter((line) => line.event === "input-streamed");
  expect(streamed.map((line) => line.jobId).sort()).toEqual([...finished.keys()].sort());
  expect(streamed.every((line) => typeof line.bytes === "number" && line.bytes > 0)).toBe(true);
});
