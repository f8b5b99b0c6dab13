// Part URLs of a multipart upload, each signed for exactly its part's bytes (core/plan-upload.ts) with their own TTL
// (MULTIPART_URL_TTL_SECONDS, up to R2's 7 days): the first ones come with POST /api/upload, the rest (or fresh
// copies of expired ones) from POST /api/upload/:jobId/parts, so a 10,000-part upload never lists 10,000 URLs at
// once. No part URL outlives the upload's window (its terms' expiresAt): the cron's expiry holds to it.
import { errAsync, ResultAsync } from "neverthrow";
import { type MultipartPlan, partLength, planUpload } from "../../../core/plan-upload.ts";
import type { ControlPlaneDeps } from "../config/control-plane-deps.ts";
import type { ApiError } from "../http/api-error.ts";
import type { SignPartsRequest, SignPartsResponse } from "../http/api-schemas.ts";
import { loadUploadingJob } from "./load-uploading-job.ts";

export const signParts = (
  deps: ControlPlaneDeps,
  inputKey: string,
  uploadId: string,
  plan: MultipartPlan,
  partNumbers: readonly number[],
  ttlSeconds: number,
): ResultAsync<SignPartsResponse, ApiError> => {
  const unique = [...new Set(partNumbers)].sort((a, b) => a - b);
  const outside = unique.find((n) => partLength(plan, n) === null);
  if (outside !== undefined) {
    return errAsync({
      kind: "invalid-request",
      message: `partNumbers: part ${outside} is outside this upload's ${plan.partCount} parts`,
    });
  }
  return ResultAsync.combine(
    unique.map((n) =>
      deps.inputs.presignUploadPart(inputKey, uploadId, n, ttlSeconds, partLength(plan, n) ?? undefined),
    ),
  ).map((signed) => ({
    uploadId,
    expiresAt: new Date(signed[0]?.expiresAt ?? deps.clock() + ttlSeconds * 1000).toISOString(),
    parts: signed.map((part, i) => ({ partNumber: unique[i] as number, url: part.url })),
  }));
};

/** POST /api/upload/:jobId/parts: the caller's own job, only while it waits for its upload, within its window. */
export const signUploadParts = (
  deps: ControlPlaneDeps,
  jobId: string,
  keyId: string,
  request: SignPartsRequest,
): ResultAsync<SignPartsResponse, ApiError> =>
  loadUploadingJob(deps, jobId, keyId).andThen(({ job, meta }) => {
    const terms = meta.upload;
    const plan = terms ? planUpload({ size: terms.size, multipart: true }, deps.config.uploads) : null;
    if (!terms || !plan || plan.isErr() || plan.value.kind !== "multipart") {
      return errAsync<never, ApiError>({
        kind: "conflict",
        code: "invalid-transition",
        message: "this job has no multipart upload to sign parts for; ask for a new upload",
      });
    }
    const leftSeconds = Math.floor((terms.expiresAt - deps.clock()) / 1000);
    if (leftSeconds < 1) {
      return errAsync<never, ApiError>({
        kind: "conflict",
        code: "invalid-transition",
        message: `the upload's window closed at ${new Date(terms.expiresAt).toISOString()}`,
      });
    }
    const ttl = Math.min(deps.config.uploads.partUrlTtlSeconds, leftSeconds);
    return signParts(deps, job.inputKey, request.uploadId, plan.value, request.partNumbers, ttl);
  });
