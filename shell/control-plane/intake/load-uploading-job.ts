// The job a multipart call (sign more parts, complete) is for: the caller's own, and still waiting for its upload.
import { errAsync, okAsync, type ResultAsync } from "neverthrow";
import type { JobRecord } from "../../redis/job-record.ts";
import type { ControlPlaneDeps } from "../config/control-plane-deps.ts";
import type { ApiError } from "../http/api-error.ts";
import { loadOwnedJob } from "../http/load-owned-job.ts";

export const loadUploadingJob = (
  deps: ControlPlaneDeps,
  jobId: string,
  keyId: string,
): ResultAsync<JobRecord, ApiError> =>
  loadOwnedJob(deps, jobId, keyId).andThen((record) => {
    const { job } = record;
    if (job.status !== "uploading") {
      return errAsync<never, ApiError>({
        kind: "conflict",
        code: "invalid-transition",
        message: `the job is ${job.status}, not waiting for its upload`,
      });
    }
    return okAsync(record);
  });
