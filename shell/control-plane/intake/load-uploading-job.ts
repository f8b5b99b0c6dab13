// The job a multipart call (sign more parts, complete) is for: it must exist and still wait for its upload.
import { errAsync, okAsync, type ResultAsync } from "neverthrow";
import type { JobRecord } from "../../redis/job-record.ts";
import type { ControlPlaneDeps } from "../config/control-plane-deps.ts";
import type { ApiError } from "../http/api-error.ts";
import { fromStoreError } from "../http/store-failures.ts";

export const loadUploadingJob = (deps: ControlPlaneDeps, jobId: string): ResultAsync<JobRecord, ApiError> =>
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
      return okAsync(record);
    });
