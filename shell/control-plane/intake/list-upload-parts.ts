// GET /api/upload/:jobId/parts?uploadId=…: the parts storage already holds (S3 ListParts), so a client that crashed
// or reloaded resumes by sending only the others, re-signing their URLs with POST /api/upload/:jobId/parts.
import type { ResultAsync } from "neverthrow";
import type { ControlPlaneDeps } from "../config/control-plane-deps.ts";
import type { ApiError } from "../http/api-error.ts";
import type { StoredPartsResponse } from "../http/api-schemas.ts";
import { fromStorageError } from "../http/store-failures.ts";
import { loadUploadingJob } from "./load-uploading-job.ts";

export const listUploadParts = (
  deps: ControlPlaneDeps,
  jobId: string,
  keyId: string,
  uploadId: string,
): ResultAsync<StoredPartsResponse, ApiError> =>
  loadUploadingJob(deps, jobId, keyId).andThen(({ job }) =>
    deps.inputs
      .listParts(job.inputKey, uploadId)
      .mapErr(fromStorageError)
      .map((parts) => ({ uploadId, parts: [...parts] })),
  );
