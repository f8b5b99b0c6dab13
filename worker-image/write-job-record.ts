// The job's record (core/job-record.ts): assembled from what the job ran and produced, checked against the schema
// the control plane reads it with (a record it would refuse is a bug here, and throws), and written beside the
// outputs (pool mode) or to RECORD_URL (single-job mode).
import { writeFile } from "node:fs/promises";
import { err, ok, type Result } from "neverthrow";
import * as v from "valibot";
import type { JobOutput } from "../core/job-output.ts";
import { JOB_RECORD_VERSION, type JobRecord, JobRecordSchema } from "../core/job-record.ts";
import { recordKey } from "../core/output-keys.ts";
import type { PresetName } from "../core/preset-names.ts";
import type { ObjectStore } from "../shell/storage/object-store.ts";
import { putStream } from "./deliver-outputs.ts";
import { type JobFailure, uploadFailed } from "./job-failure.ts";
import type { Transcoded } from "./transcode-media.ts";
import type { Location } from "./worker-env.ts";

export const RECORD_CONTENT_TYPE = "application/json";

export interface RecordParts {
  readonly jobId: string;
  readonly preset: PresetName;
  readonly ffmpegVersion: string;
  readonly transcoded: Transcoded;
  readonly outputs: readonly JobOutput[];
  readonly timings: { readonly downloadMs: number; readonly transcodeMs: number; readonly uploadMs: number };
  readonly at: number;
}

export const buildJobRecord = (parts: RecordParts): JobRecord => {
  const { transcoded } = parts;
  return v.parse(JobRecordSchema, {
    version: JOB_RECORD_VERSION,
    jobId: parts.jobId,
    preset: parts.preset,
    createdAt: new Date(parts.at).toISOString(),
    ffmpegVersion: parts.ffmpegVersion,
    input: transcoded.probe,
    decisions: transcoded.plan.decisions,
    runs: transcoded.runs,
    outputs: parts.outputs,
    quality: transcoded.quality,
    timings: { ...parts.timings, qualityMs: transcoded.qualityMs },
  });
};

/** Pool mode: outputs/<jobId>/record.json in the output bucket, before the job is marked completed. */
export const storeJobRecord = async (
  store: ObjectStore,
  record: JobRecord,
): Promise<Result<void, JobFailure>> =>
  (await store.put(recordKey(record.jobId), JSON.stringify(record), { contentType: RECORD_CONTENT_TYPE }))
    .map(() => undefined)
    .mapErr((error) => uploadFailed(`the job's record: ${error.message}`));

/** Single-job mode: RECORD_URL, a presigned PUT signed for application/json, or a local path. */
export const deliverJobRecord = async (
  location: Location,
  record: JobRecord,
): Promise<Result<void, JobFailure>> => {
  const body = JSON.stringify(record);
  if (location.kind === "file") {
    try {
      await writeFile(location.path, body);
      return ok(undefined);
    } catch (error) {
      return err(uploadFailed(`the job's record to ${location.path}: ${(error as Error).message}`));
    }
  }
  // The same PUT as the outputs' (retried on network errors, 429 and 5xx); its error names the record's URL path.
  const blob = new Blob([body]);
  return putStream(location.url, RECORD_CONTENT_TYPE, blob.size, () => blob.stream());
};
