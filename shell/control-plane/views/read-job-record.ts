// GET /api/jobs/:id/record: the record the worker wrote beside the outputs (core/job-record.ts), read back from the
// output bucket and checked against its schema; a job still at work has none yet, one that never ran has none.
import { errAsync, okAsync, ResultAsync } from "neverthrow";
import * as v from "valibot";
import type { Job } from "../../../core/job-lifecycle/job-state.ts";
import { type JobRecord, JobRecordSchema } from "../../../core/job-record.ts";
import { isTerminalStatus } from "../../../core/job-status.ts";
import { recordKey } from "../../../core/output-keys.ts";
import type { ControlPlaneDeps } from "../config/control-plane-deps.ts";
import type { ApiError } from "../http/api-error.ts";
import { fromStorageError } from "../http/store-failures.ts";

/** Far above any real record (argv, probe and scores of one job); a bigger object is not ours. */
const MAX_RECORD_BYTES = 4 * 1024 * 1024;

export const readJobRecord = (deps: ControlPlaneDeps, job: Job): ResultAsync<JobRecord, ApiError> => {
  if (!isTerminalStatus(job.status)) {
    return errAsync({
      kind: "conflict",
      code: "not-yet-available",
      message: `job ${job.jobId} is ${job.status}; its record is written when it finishes`,
    });
  }
  return deps.outputs
    .getStream(recordKey(job.jobId))
    .mapErr(
      (error): ApiError =>
        error.kind === "not-found"
          ? {
              kind: "not-found",
              message: `job ${job.jobId} has no record: it ${job.status} before a worker ran it`,
            }
          : fromStorageError(error),
    )
    .andThen(({ body, size }) => {
      if (size > MAX_RECORD_BYTES) {
        void body.cancel().catch(() => undefined);
        return errAsync<JobRecord, ApiError>({ kind: "internal", message: `record of ${size} bytes` });
      }
      return ResultAsync.fromPromise(
        new Response(body).text(),
        (error): ApiError =>
          fromStorageError({ kind: "unavailable", message: String(error), ambiguous: false }),
      ).andThen((text) => parseRecord(text, job.jobId));
    });
};

const parseRecord = (text: string, jobId: string): ResultAsync<JobRecord, ApiError> => {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return errAsync({ kind: "internal", message: `record of ${jobId} is not JSON` });
  }
  const parsed = v.safeParse(JobRecordSchema, json);
  return parsed.success
    ? okAsync(parsed.output)
    : errAsync({
        kind: "internal",
        message: `record of ${jobId}: ${parsed.issues[0]?.message ?? "invalid"}`,
      });
};
