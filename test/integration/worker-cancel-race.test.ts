// A client's cancel racing a pool worker's completion, with a real worker process and real FFmpeg: whichever commits
// first wins. When the cancel wins, the outputs the worker had already uploaded are deleted (nothing is left
// orphaned in the output bucket), whether the worker learns it from its claim check or from its refused completion;
// when the completion wins, the cancel is refused and the outputs stay.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from "vitest";
import { DEFAULT_JOB_RETRY_POLICY } from "../../core/decide-job-retry.ts";
import { jobOutputsPrefix } from "../../core/output-keys.ts";
import { ensureFixtures, type FixtureName } from "../../scripts/make-fixtures.ts";
import { startTcoderWorker, type TcoderWorker } from "../support/tcoder-worker.ts";
import { newMachineId, type PoolHarness, startPoolHarness } from "../support/worker-pool-harness.ts";

const { ffmpegPath, ffprobePath } = inject("ffmpeg");
const JOBS = 4;

let harness: PoolHarness;
let media: Record<FixtureName, string>;
let workDir: string;
let worker: TcoderWorker | undefined;

beforeAll(async () => {
  media = await ensureFixtures({ ffmpegPath, ffprobePath });
  harness = await startPoolHarness("cancel-race");
  workDir = await mkdtemp(join(tmpdir(), "tcoder-cancel-race-"));
});
afterEach(() => worker?.killGroup());
afterAll(async () => {
  await harness?.close();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

const storedKeys = async (jobId: string): Promise<string[]> =>
  (await harness.output.list(jobOutputsPrefix(jobId)))._unsafeUnwrap().objects.map((o) => o.key);

const cancel = (jobId: string) =>
  harness.store.transition(
    jobId,
    { type: "cancel", reason: "race", at: Date.now() },
    DEFAULT_JOB_RETRY_POLICY,
  );

describe("cancel racing completion", () => {
  it("leaves no output behind when the cancel wins, and refuses the cancel when the completion won", async () => {
    // HLS writes many files (playlists, segments, a poster, the record): a wide window between the first output
    // landing in storage and the completion's commit.
    const jobs = [];
    for (let i = 0; i < JOBS; i++) jobs.push(await harness.createJob(media["no-audio-3s.mp4"], "hls"));
    const machineId = newMachineId();
    worker = startTcoderWorker(
      // The claim checked often: a cancel is as likely to be seen by the claim check as by the completion's commit.
      harness.env(machineId, {
        WORK_DIR: join(workDir, machineId),
        WORKER_MAX_JOBS: String(JOBS),
        CLAIM_CHECK_MS: "100",
      }),
    );

    let cancelWins = 0;
    let completionWins = 0;
    for (const [i, job] of jobs.entries()) {
      const { jobId } = job;
      if (i % 2 === 0) {
        // Cancel the moment the worker's first output is in storage, while it still uploads the rest.
        const deadline = Date.now() + 60_000;
        while ((await storedKeys(jobId)).length === 0) {
          if (Date.now() > deadline) throw new Error(`no output of ${jobId} appeared`);
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
      } else {
        await harness.waitForJob(jobId, (j) => j.status === "completed");
      }
      const cancelled = await cancel(jobId);
      if (cancelled.isOk()) {
        cancelWins += 1;
        // The worker learns it lost from its claim check or when its completion is refused, and either way deletes
        // what it uploaded first.
        const lost = (event: string) =>
          (worker as TcoderWorker).waitForLog(event, (l) => l.jobId === jobId, 60_000);
        await Promise.any([lost("job-not-recorded"), lost("job-fenced-out")]);
        expect((await harness.load(jobId)).status).toBe("cancelled");
        expect(await storedKeys(jobId), `outputs of cancelled job ${jobId}`).toEqual([]);
      } else {
        completionWins += 1;
        expect(cancelled.error).toMatchObject({ kind: "rejected", rejection: { code: "already-terminal" } });
        const done = await harness.load(jobId);
        expect(done.status).toBe("completed");
        const keys = await storedKeys(jobId);
        for (const output of done.outputs) expect(keys).toContain(output.key);
      }
    }
    expect(await worker.exited).toEqual({ code: 0, signal: null });
    // Both sides of the race happened: the test checked each outcome, not just one.
    expect(cancelWins).toBeGreaterThan(0);
    expect(completionWins).toBeGreaterThan(0);
  });
});
