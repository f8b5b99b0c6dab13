// POST /api/upload: a job waiting for its input, and a presigned PUT (or multipart part URLs) scoped to exactly
// uploads/<jobId>/<safe filename> with the content type signed and a short expiry.
import { errAsync, ok, type Result, ResultAsync } from "neverthrow";
import { guessContentType } from "../../../core/guess-content-type.ts";
import { planUpload } from "../../../core/plan-upload.ts";
import { safeInputKey } from "../../../core/safe-input-key.ts";
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

export const createUpload = (
  deps: ControlPlaneDeps,
  request: UploadRequest,
  client: ClientRequest,
  origin: string,
): ResultAsync<{ readonly created: boolean; readonly body: UploadResponse }, ApiError> => {
  const planned = planUpload(request, deps.config.uploads);
  if (planned.isErr()) {
    const { kind, message } = planned.error;
    return errAsync({ kind: kind === "too-large" ? "payload-too-large" : "invalid-request", message });
  }
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
      if (earlier) return issue().map((body) => ({ created: false, body }));
      return checkAcceptance(deps)
        .andThen(() => checkKeyAcceptance(deps, client.keyId))
        .andThen((limits) =>
          issue().andThen((body) =>
            persistNewJob(
              deps,
              {
                jobId,
                preset: request.preset,
                inputKey: key,
                source: "upload",
                filename: request.filename,
                webhookUrl: webhook.value,
              },
              client,
              ask,
              limits,
            ).map(({ created }) => ({ created, body })),
          ),
        );
    });
  });
};

const presignSingle = (
  deps: ControlPlaneDeps,
  jobId: string,
  inputKey: string,
  contentType: string,
  size: number | undefined,
): ResultAsync<UploadResponse, ApiError> =>
  deps.inputs
    .presignPut(inputKey, {
      contentType,
      expiresInSeconds: deps.config.uploads.urlTtlSeconds,
      ...(size === undefined ? {} : { contentLength: size }),
    })
    .map((signed) => ({
      jobId,
      inputKey,
      expiresAt: new Date(signed.expiresAt).toISOString(),
      method: "PUT" as const,
      uploadUrl: signed.url,
      uploadHeaders: { ...signed.headers },
    }));

const presignMultipart = (
  deps: ControlPlaneDeps,
  jobId: string,
  inputKey: string,
  contentType: string,
  { partSize, partCount }: { readonly partSize: number; readonly partCount: number },
  origin: string,
): ResultAsync<UploadResponse, ApiError> => {
  const listed = Math.min(partCount, deps.config.uploads.partsListed);
  return deps.inputs
    .createMultipart(inputKey, contentType)
    .mapErr(fromStorageError)
    .andThen(({ uploadId }) =>
      signParts(
        deps,
        inputKey,
        uploadId,
        Array.from({ length: listed }, (_, i) => i + 1),
      ).map((signed) => ({
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
      })),
    );
};
