// POST /api/upload/:jobId/complete: assembles a multipart upload from the client's part ETags. The storage event
// for the finished object then queues the job, as for a single PUT.
import { errAsync, type ResultAsync } from "neverthrow";
import type { ControlPlaneDeps } from "../config/control-plane-deps.ts";
import type { ApiError } from "../http/api-error.ts";
import type { CompleteUploadRequest } from "../http/api-schemas.ts";
import { fromStorageError, fromStoreError } from "../http/store-failures.ts";

export const completeUpload = (
  deps: ControlPlaneDeps,
  jobId: string,
  request: CompleteUploadRequest,
): ResultAsync<{ readonly jobId: string; readonly inputKey: string; readonly eTag: string }, ApiError> =>
  deps.jobs
    .load(jobId)
    .mapErr(fromStoreError)
    .andThen((record) => {
      if (record === null)
        return errAsync<never, ApiError>({ kind: "not-found", message: `no job ${jobId}` });
      const { job } = record;
      if (job.status !== "uploading") {
        return errAsync<never, ApiError>({
          kind: "conflict",
          code: "invalid-transition",
          message: `the job is ${job.status}, not waiting for its upload`,
        });
      }
      return deps.inputs
        .completeMultipart(job.inputKey, request.uploadId, request.parts)
        .mapErr(fromStorageError)
        .map(({ eTag }) => ({ jobId, inputKey: job.inputKey, eTag }));
    });
