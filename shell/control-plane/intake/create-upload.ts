// POST /api/upload: a job waiting for its input, and a presigned PUT (or multipart part URLs) scoped to exactly
// uploads/<jobId>/<safe filename> with the content type and the declared size signed, and a short expiry. The job
// keeps these terms (size, expiry, multipart id): the intake holds uploads to them, the cron expires the job by them.
import { errAsync, ok, okAsync, type Result, ResultAsync } from "neverthrow";
import { guessContentType } from "../../../core/guess-content-type.ts";
import { type MultipartPlan, planUpload } from "../../../core/plan-upload.ts";
import { safeInputKey } from "../../../core/safe-input-key.ts";
import type { UploadTerms } from "../../redis/job-record.ts";
import type { ControlPlaneDeps } from "../config/control-plane-deps.ts";
import type { ApiError } from "../http/api-error.ts";
import type { UploadRequest, UploadResponse } from "../http/api-schemas.ts";
import { fromStorageError } from "../http/store-failures.ts";
import { checkWebhookUrl } from "../webhooks/check-webhook-url.ts";
import {
  type ClientRequest,
  checkAcceptance,
  checkKeyAcceptance,
  findReplayedJob,
  jobIdFor,
  persistNewJob,
} from "./persist-new-job.ts";
import { requestFingerprint } from "./request-fingerprint.ts";
import { signParts } from "./sign-upload-parts.ts";

interface IssuedUpload {
  readonly body: UploadResponse;
  readonly terms: UploadTerms;
}

export const createUpload = (
  deps: ControlPlaneDeps,
  request: UploadRequest,
  client: ClientRequest,
  origin: string,
): ResultAsync<{ readonly created: boolean; readonly body: UploadResponse }, ApiError> => {
  const planned = planUpload(request, deps.config.uploads);
  if (planned.isErr()) return errAsync({ kind: "payload-too-large", message: planned.error.message });
  const plan = planned.value;
  const webhook = checkWebhookUrl(deps, request.webhookUrl);
  if (webhook.isErr()) return errAsync(webhook.error);
  const contentType = request.contentType ?? guessContentType(request.filename);
  const ids = Promise.all([jobIdFor(deps, client), requestFingerprint("POST /api/upload", request)]);

  return ResultAsync.fromSafePromise(ids).andThen(([jobId, fingerprint]) => {
    const ask = { fingerprint, signsUpload: true };
    return findReplayedJob(deps, client, jobId, ask).andThen((earlier) => {
      const inputKey: Result<string, ApiError> = earlier
        ? ok(earlier.job.inputKey)
        : safeInputKey(jobId, request.filename).mapErr((e) => ({ kind: "internal", message: e.message }));
      if (inputKey.isErr()) return errAsync(inputKey.error);
      const key = inputKey.value;
      const issue = () =>
        plan.kind === "multipart"
          ? presignMultipart(deps, jobId, key, contentType, plan, origin)
          : presignSingle(deps, jobId, key, contentType, plan.contentLength);
      if (earlier) return issue().map(({ body }) => ({ created: false, body }));
      return checkAcceptance(deps)
        .andThen(() => checkKeyAcceptance(deps, client.keyId))
        .andThen((limits) =>
          issue().andThen(({ body, terms }) =>
            persistNewJob(
              deps,
              {
                jobId,
                preset: request.preset,
                inputKey: key,
                source: "upload",
                filename: request.filename,
                webhookUrl: webhook.value,
                upload: terms,
              },
              client,
              ask,
              limits,
            )
              .map(({ created }) => ({ created, body }))
              .orElse((error) => abandon(deps, key, terms).andThen(() => errAsync(error))),
          ),
        );
    });
  });
};

/** A multipart upload begun for a job that was then refused (the backlog or the key's cap filled meanwhile) is aborted. */
const abandon = (deps: ControlPlaneDeps, key: string, terms: UploadTerms): ResultAsync<void, never> =>
  terms.multipartId === null
    ? okAsync(undefined)
    : deps.inputs.abortMultipart(key, terms.multipartId).orElse(() => okAsync(undefined));

const presignSingle = (
  deps: ControlPlaneDeps,
  jobId: string,
  inputKey: string,
  contentType: string,
  size: number,
): ResultAsync<IssuedUpload, ApiError> =>
  deps.inputs
    .presignPut(inputKey, {
      contentType,
      expiresInSeconds: deps.config.uploads.urlTtlSeconds,
      contentLength: size,
    })
    .map((signed) => ({
      body: {
        jobId,
        inputKey,
        expiresAt: new Date(signed.expiresAt).toISOString(),
        method: "PUT" as const,
        uploadUrl: signed.url,
        uploadHeaders: { ...signed.headers },
      },
      terms: { size, expiresAt: signed.expiresAt, multipartId: null },
    }));

const presignMultipart = (
  deps: ControlPlaneDeps,
  jobId: string,
  inputKey: string,
  contentType: string,
  plan: MultipartPlan,
  origin: string,
): ResultAsync<IssuedUpload, ApiError> => {
  const { partSize, partCount, size } = plan;
  const listed = Math.min(partCount, deps.config.uploads.partsListed);
  return deps.inputs
    .createMultipart(inputKey, contentType)
    .mapErr(fromStorageError)
    .andThen(({ uploadId }) =>
      signParts(
        deps,
        inputKey,
        uploadId,
        plan,
        Array.from({ length: listed }, (_, i) => i + 1),
        deps.config.uploads.partUrlTtlSeconds,
      ).map((signed) => ({
        body: {
          jobId,
          inputKey,
          expiresAt: signed.expiresAt,
          method: "PUT" as const,
          multipart: {
            uploadId,
            partSize,
            partCount,
            parts: signed.parts,
            partsUrl: `${origin}/api/upload/${jobId}/parts`,
            completeUrl: `${origin}/api/upload/${jobId}/complete`,
          },
        },
        terms: { size, expiresAt: Date.parse(signed.expiresAt), multipartId: uploadId },
      })),
    );
};
