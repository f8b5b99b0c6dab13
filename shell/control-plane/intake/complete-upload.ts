// POST /api/upload/:jobId/complete: assembles a multipart upload from the client's part ETags. The storage event
// for the finished object then queues the job, as for a single PUT.
import type { ResultAsync } from "neverthrow";
import type { ControlPlaneDeps } from "../config/control-plane-deps.ts";
import type { ApiError } from "../http/api-error.ts";
import type { CompleteUploadRequest } from "../http/api-schemas.ts";
import { fromStorageError } from "../http/store-failures.ts";
import { loadUploadingJob } from "./load-uploading-job.ts";

export const completeUpload = (
  deps: ControlPlaneDeps,
  jobId: string,
  keyId: string,
  request: CompleteUploadRequest,
): ResultAsync<{ readonly jobId: string; readonly inputKey: string; readonly eTag: string }, ApiError> =>
  loadUploadingJob(deps, jobId, keyId).andThen(({ job }) =>
    deps.inputs
      .completeMultipart(job.inputKey, request.uploadId, request.parts)
      .mapErr(fromStorageError)
      .map(({ eTag }) => ({ jobId, inputKey: job.inputKey, eTag })),
  );
