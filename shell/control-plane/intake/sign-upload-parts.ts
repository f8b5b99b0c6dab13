// Part URLs of a multipart upload, with their own TTL (MULTIPART_URL_TTL_SECONDS, up to R2's 7 days):
// the first ones come with POST /api/upload, the rest (or fresh copies of expired ones) from
// POST /api/upload/:jobId/parts, so a 10,000-part upload never lists 10,000 URLs at once and can resume for days.
import { ResultAsync } from "neverthrow";
import type { ControlPlaneDeps } from "../config/control-plane-deps.ts";
import type { ApiError } from "../http/api-error.ts";
import type { SignPartsRequest, SignPartsResponse } from "../http/api-schemas.ts";
import { loadUploadingJob } from "./load-uploading-job.ts";

export const signParts = (
  deps: ControlPlaneDeps,
  inputKey: string,
  uploadId: string,
  partNumbers: readonly number[],
): ResultAsync<SignPartsResponse, never> => {
  const ttl = deps.config.uploads.partUrlTtlSeconds;
  const unique = [...new Set(partNumbers)].sort((a, b) => a - b);
  return ResultAsync.combine(
    unique.map((partNumber) => deps.inputs.presignUploadPart(inputKey, uploadId, partNumber, ttl)),
  ).map((signed) => ({
    uploadId,
    expiresAt: new Date(signed[0]?.expiresAt ?? deps.clock() + ttl * 1000).toISOString(),
    parts: signed.map((part, i) => ({ partNumber: unique[i] as number, url: part.url })),
  }));
};

/** POST /api/upload/:jobId/parts: the caller's own job, only while it still waits for its upload. */
export const signUploadParts = (
  deps: ControlPlaneDeps,
  jobId: string,
  keyId: string,
  request: SignPartsRequest,
): ResultAsync<SignPartsResponse, ApiError> =>
  loadUploadingJob(deps, jobId, keyId).andThen((job) =>
    signParts(deps, job.inputKey, request.uploadId, request.partNumbers),
  );
