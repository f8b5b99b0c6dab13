// The state of one transcode job as the lifecycle decider sees it: a flat, serialisable record (a Redis hash).
import type { JobOutput } from "../job-output.ts";
import type { JobStatus } from "../job-status.ts";
import type { PresetName } from "../preset-names.ts";

/** Where the input comes from: a client upload (starts `uploading`) or a URL the shell fetched (starts `queued`). */
export const JOB_SOURCES = ["upload", "url"] as const;
export type JobSource = (typeof JOB_SOURCES)[number];

export interface JobError {
  /** Stable machine-readable code, e.g. "ffmpeg-exit", "lease-expired". */
  readonly code: string;
  readonly message: string;
  /** Whether running the job again could succeed (a lost worker: yes; unreadable media: no). */
  readonly retryable: boolean;
}

/** A job that exists. Fields that do not apply in the current status are `null`, never missing. */
export interface Job {
  readonly status: JobStatus;
  readonly jobId: string;
  readonly source: JobSource;
  readonly preset: PresetName;
  readonly inputKey: string;
  /** Bytes in storage, known once the upload is confirmed. */
  readonly inputSize: number | null;
  /** Claims over the job's whole life; never decreases. */
  readonly attempts: number;
  /** `attempts` when the client last asked for a retry: `attempts - retryBase` counts against maxAttempts. */
  readonly retryBase: number;
  /** While pending: the earliest time (ms) a worker may claim it (retry backoff). */
  readonly availableAt: number | null;
  /** While running: the claim's fencing token and the machine holding it. */
  readonly leaseToken: string | null;
  readonly machineId: string | null;
  /** 0..100 within the current attempt; back to 0 whenever the job returns to pending. */
  readonly progress: number;
  /** The latest attempt's error; cleared by completion and by a client retry. */
  readonly error: JobError | null;
  readonly outputs: readonly JobOutput[];
  readonly costUsd: number | null;
  readonly machineSeconds: number | null;
  readonly cancelReason: string | null;
  readonly createdAt: number;
  /** When the input was accepted (upload confirmed, or creation for URL ingest). */
  readonly queuedAt: number | null;
  /** When the latest attempt was claimed. */
  readonly startedAt: number | null;
  /** When the job reached a terminal status; cleared by a client retry. */
  readonly finishedAt: number | null;
  readonly updatedAt: number;
  /** Number of events applied; lets a store persist with compare-and-set. */
  readonly version: number;
}

/** The state before `create`: no job under this id. */
export interface NoJob {
  readonly status: "none";
}

export type JobState = NoJob | Job;

export const initialJobState: NoJob = { status: "none" };
