// One timed job of the split benchmark: pool workers each pinned to its own core with taskset (a worker and its
// ffmpeg on one core, like a one-CPU machine), the job enqueued once they are polling, timed from its enqueue to
// its completion (queuedAt → finishedAt, both recorded by the job itself), then its video output downloaded.
import { join } from "node:path";
import type { Job } from "../core/job-lifecycle/job-state.ts";
import { startTcoderWorker, type TcoderWorker } from "../test/support/tcoder-worker.ts";
import type { WorkerServices } from "./worker-services.ts";

export interface RunSpec {
  readonly label: string;
  /** One worker per entry, pinned to that CPU. */
  readonly cpus: readonly number[];
  /** Worker settings beyond the services' (the split settings). */
  readonly env: Readonly<Record<string, string>>;
}

export interface TaskTiming {
  readonly name: string;
  readonly cpu: number | null;
  readonly startS: number;
  readonly seconds: number;
}

export interface TimedRun {
  readonly wallMs: number;
  readonly machineSeconds: number;
  readonly videoPath: string;
  /** Split runs: each task, on which CPU, when it started after the enqueue and how long it ran. */
  readonly tasks: readonly TaskTiming[];
}

const POLL_MS = 1_000;
// Long enough for a stable run (no new machine per job, none idling out while another encodes), with a drain
// shorter than the TTL as the worker requires.
const LONG_LIVED = {
  WORKER_MAX_JOBS: "1000",
  WORKER_TTL_MS: "86400000",
  WORKER_DRAIN_MS: "60000",
  WORKER_IDLE_EXIT_MS: "86400000",
};

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

const stopAll = async (workers: readonly TcoderWorker[]) => {
  for (const worker of workers) worker.killGroup();
  await Promise.all(workers.map((w) => w.exited));
};

/** Polls the job until it ends; a worker that exits meanwhile fails the run at once with its last words. */
const awaitEnd = async (services: WorkerServices, jobId: string, workers: readonly TcoderWorker[]) => {
  const gone: { worker: TcoderWorker; how: string }[] = [];
  for (const worker of workers) {
    void worker.exited.then((status) => gone.push({ worker, how: String(status.code ?? status.signal) }));
  }
  for (;;) {
    const job = await services.load(jobId);
    if (job.status === "completed" || job.status === "failed" || job.status === "cancelled") return job;
    const [first] = gone;
    if (first !== undefined) {
      const { worker, how } = first;
      throw new Error(`a worker exited (${how}) mid-run: ${worker.stderr().slice(-2000)}`);
    }
    await sleep(POLL_MS);
  }
};

const taskTimings = async (
  services: WorkerServices,
  job: Job,
  workers: readonly TcoderWorker[],
  cpus: readonly number[],
): Promise<TaskTiming[]> => {
  const split = workers
    .flatMap((w) => w.logs())
    .find((l) => l.event === "job-split" && l.jobId === job.jobId);
  const ids = (split?.tasks ?? []) as string[];
  const queuedAt = job.queuedAt ?? 0;
  return Promise.all(
    ids.map(async (id) => {
      const task = await services.load(id);
      const runner = workers.findIndex((w) =>
        w.logs().some((l) => l.event === "job-started" && l.jobId === id),
      );
      return {
        name: id.split(".").at(-1) ?? id,
        cpu: runner === -1 ? null : (cpus[runner] ?? null),
        startS: ((task.startedAt ?? queuedAt) - queuedAt) / 1000,
        seconds: ((task.finishedAt ?? 0) - (task.startedAt ?? 0)) / 1000,
      };
    }),
  );
};

export const timedRun = async (
  services: WorkerServices,
  source: string,
  spec: RunSpec,
  scratch: string,
): Promise<TimedRun> => {
  const workers = spec.cpus.map((cpu, i) => {
    const machineId = `bench-${spec.label}-${i}`;
    const env = { ...services.env(machineId, join(scratch, machineId)), ...LONG_LIVED, ...spec.env };
    return startTcoderWorker(env, undefined, ["taskset", "-c", String(cpu)]);
  });
  try {
    await Promise.all(workers.map((w) => w.waitForLog("worker-registered")));
    const job = await services.createJob(source, "web-optimized");
    const done = await awaitEnd(services, job.jobId, workers);
    if (done.status !== "completed" || done.queuedAt === null || done.finishedAt === null) {
      throw new Error(`${spec.label}: job ${job.jobId} ended ${done.status}: ${JSON.stringify(done.error)}`);
    }
    const video = done.outputs.find((o) => o.type === "video");
    if (video === undefined) throw new Error(`${spec.label}: no video output`);
    const got = (await services.output.getStream(video.key))._unsafeUnwrap();
    const videoPath = join(scratch, `${spec.label}.mp4`);
    await Bun.write(videoPath, new Response(got.body));
    return {
      wallMs: done.finishedAt - done.queuedAt,
      machineSeconds: done.machineSeconds ?? 0,
      videoPath,
      tasks: await taskTimings(services, done, workers, spec.cpus),
    };
  } finally {
    await stopAll(workers);
  }
};
