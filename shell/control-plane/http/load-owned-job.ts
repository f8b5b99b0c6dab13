// The job a request names, if the calling API key made it. Another key's job is answered exactly as a job that
// does not exist (404 job-not-found, the same message), so job ids leak nothing across tenants. A job without an
// owner (made before owners were recorded) belongs to no key.
import { errAsync, okAsync, type ResultAsync } from "neverthrow";
import type { JobRecord } from "../../redis/job-record.ts";
import type { ControlPlaneDeps } from "../config/control-plane-deps.ts";
import type { ApiError } from "./api-error.ts";
import { fromStoreError } from "./store-failures.ts";

export const jobNotFound = (jobId: string): ApiError => ({
  kind: "job-not-found",
  message: `no job ${jobId}`,
});

export const loadOwnedJob = (
  deps: ControlPlaneDeps,
  jobId: string,
  keyId: string,
): ResultAsync<JobRecord, ApiError> =>
  deps.jobs
    .load(jobId)
    .mapErr(fromStoreError)
    .andThen((record) =>
      record !== null && record.meta.owner === keyId ? okAsync(record) : errAsync(jobNotFound(jobId)),
    );
