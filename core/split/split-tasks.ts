// The tasks a split job becomes: one per chunk, one for the audio (encoded once for the whole file, so no priming
// gap at any seam) and the stitch. Each is a job record the decider created and enqueued, claimed like any job.
import * as v from "valibot";
import { foldJobEvents } from "../job-lifecycle/fold-job-events.ts";
import type { Job } from "../job-lifecycle/job-state.ts";
import { jobOutputsPrefix } from "../output-keys.ts";
import type { ChunkSpan } from "./plan-chunks.ts";

const Seconds = v.pipe(v.number(), v.finite(), v.minValue(0));
const ChunkSpanSchema = v.object({ index: v.pipe(v.number(), v.integer()), startS: Seconds, endS: Seconds });

/** What a task does, kept in its record's meta:task (JSON). */
export const SplitTaskSchema = v.variant("kind", [
  v.object({ kind: v.literal("chunk"), chunk: ChunkSpanSchema, segmentS: Seconds }),
  v.object({ kind: v.literal("audio"), durationS: Seconds, segmentS: Seconds }),
  v.object({
    kind: v.literal("stitch"),
    chunks: v.array(ChunkSpanSchema),
    durationS: Seconds,
    segmentS: Seconds,
    hasAudio: v.boolean(),
  }),
]);
export type SplitTask = v.InferOutput<typeof SplitTaskSchema>;

export interface PlannedTask {
  readonly job: Job;
  readonly task: SplitTask;
  /** Its score in the pending queue; null for the stitch, queued until the last other task completes. */
  readonly pendingScore: number | null;
}

export interface SplitPlan {
  readonly tasks: readonly PlannedTask[];
  readonly stitchId: string;
  /** How many tasks must complete before the stitch: the chunks and the audio. */
  readonly mustComplete: number;
}

/** Every split attempt's intermediate files: under the job's outputs, so retention finds what a stitch left. */
export const splitWorkRoot = (jobId: string): string => `${jobOutputsPrefix(jobId)}split/`;

/** Where one split attempt's intermediate files live in the output bucket (removed by the stitch). */
export const splitWorkPrefix = (parent: Pick<Job, "jobId" | "attempts">): string =>
  `${splitWorkRoot(parent.jobId)}a${parent.attempts}/`;

/** A task's id: the job's, its attempt and the task's name ("job_1.a1.c003", "job_1.a1.stitch"). */
export const splitTaskId = (parent: Pick<Job, "jobId" | "attempts">, name: string): string =>
  `${parent.jobId}.a${parent.attempts}.${name}`;

export const chunkName = (index: number): string => `c${String(index).padStart(3, "0")}`;

/**
 * A split task's score in the pending queue (ms): the job's own place (its queuedAt, never after `at`) plus `order`,
 * 0 for the audio and 1 + i for the i-th chunk, never after `at` either. See planSplitTasks for why.
 */
export const splitTaskScore = (queuedAt: number | null, at: number, order: number): number =>
  Math.min(at, Math.min(queuedAt ?? at, at) + order);

/**
 * The tasks of a running job split at `at` (ms). Sharing rule: every task takes the job's own place in the queue
 * (its queuedAt, plus its order in ms), audio first, then the chunks in order: work that arrived earlier is claimed
 * first, so a long upload fills every free machine, and a job that arrives later waits for at most the tasks
 * already queued before it, never for the long job to finish.
 */
export const planSplitTasks = (
  parent: Job,
  input: {
    readonly chunks: readonly ChunkSpan[];
    readonly durationS: number;
    readonly segmentS: number;
    readonly hasAudio: boolean;
  },
  at: number,
): SplitPlan => {
  // A URL-ingest create (queued) and, but for the stitch, its enqueue: the decider's own events.
  const make = (name: string, enqueue: boolean): Job =>
    foldJobEvents([
      {
        type: "created",
        jobId: splitTaskId(parent, name),
        preset: parent.preset,
        inputKey: parent.inputKey,
        source: "url",
        at,
      },
      ...(enqueue ? [{ type: "enqueued" as const, at }] : []),
    ]) as Job;
  const { chunks, durationS, segmentS, hasAudio } = input;
  const audio: PlannedTask[] = hasAudio
    ? [
        {
          job: make("audio", true),
          task: { kind: "audio", durationS, segmentS },
          pendingScore: splitTaskScore(parent.queuedAt, at, 0),
        },
      ]
    : [];
  const chunkTasks = chunks.map(
    (chunk, i): PlannedTask => ({
      job: make(chunkName(chunk.index), true),
      task: { kind: "chunk", chunk, segmentS },
      pendingScore: splitTaskScore(parent.queuedAt, at, 1 + i),
    }),
  );
  const stitch: PlannedTask = {
    job: make("stitch", false),
    task: { kind: "stitch", chunks: [...chunks], durationS, segmentS, hasAudio },
    pendingScore: null,
  };
  return {
    tasks: [...audio, ...chunkTasks, stitch],
    stitchId: stitch.job.jobId,
    mustComplete: audio.length + chunkTasks.length,
  };
};
