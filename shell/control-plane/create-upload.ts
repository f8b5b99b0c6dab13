// POST /api/upload: a job waiting for its input, and a presigned PUT (or multipart part URLs) scoped to exactly
// uploads/<jobId>/<safe filename> with the content type signed and a short expiry.
import { errAsync, ok, okAsync, type Result, ResultAsync } from "neverthrow";
import { safeInputKey } from "../../core/safe-input-key.ts";
import type { ApiError } from "./api-error.ts";
import type { UploadRequest, UploadResponse } from "./api-schemas.ts";
import { checkWebhookUrl } from "./check-webhook-url.ts";
import type { ControlPlaneDeps } from "./control-plane-deps.ts";
import { guessContentType } from "./guess-content-type.ts";
import {
  type ClientRequest,
  checkAcceptance,
  findReplayedJob,
  jobIdFor,
  persistNewJob,
} from "./persist-new-job.ts";
import { fromStorageError } from "./store-failures.ts";

const MIB = 1024 * 1024;
const MAX_PARTS = 10_000;

/** Every part but the last has this size: the configured one, raised (in whole MiB) to stay within 10,000 parts. */
export const partSizeFor = (size: number, configured: number): number =>
  Math.max(configured, Math.ceil(size / MAX_PARTS / MIB) * MIB);

export const createUpload = (
  deps: ControlPlaneDeps,
  request: UploadRequest,
  client: ClientRequest,
  origin: string,
): ResultAsync<{ readonly created: boolean; readonly body: UploadResponse }, ApiError> => {
  const { uploads } = deps.config;
  const multipart =
    request.multipart === true ||
    (request.size !== undefined && request.size > uploads.multipartThresholdBytes);
  if (request.size !== undefined && request.size > uploads.maxBytes) {
    return errAsync({
      kind: "payload-too-large",
      message: `uploads are limited to ${uploads.maxBytes} bytes`,
    });
  }
  if (multipart && request.size === undefined) {
    return errAsync({ kind: "invalid-request", message: "size: a multipart upload needs the file's size" });
  }
  const webhook = checkWebhookUrl(deps, request.webhookUrl);
  if (webhook.isErr()) return errAsync(webhook.error);
  const contentType = request.contentType ?? guessContentType(request.filename);

  return ResultAsync.fromSafePromise(jobIdFor(deps, client)).andThen((jobId) =>
    findReplayedJob(deps, client, jobId).andThen((earlier) => {
      const inputKey: Result<string, ApiError> = earlier
        ? ok(earlier.job.inputKey)
        : safeInputKey(jobId, request.filename).mapErr((e) => ({ kind: "internal", message: e.message }));
      if (inputKey.isErr()) return errAsync(inputKey.error);
      const key = inputKey.value;
      const issue = () =>
        multipart
          ? presignMultipart(deps, jobId, key, contentType, request.size as number, origin)
          : presignSingle(deps, jobId, key, contentType, request.size);
      if (earlier) return issue().map((body) => ({ created: false, body }));
      return checkAcceptance(deps)
        .andThen(issue)
        .andThen((body) =>
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
          ).map((outcome) => ({ created: outcome.kind === "created", body })),
        );
    }),
  );
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
  size: number,
  origin: string,
): ResultAsync<UploadResponse, ApiError> => {
  const partSize = partSizeFor(size, deps.config.uploads.partBytes);
  const count = Math.max(1, Math.ceil(size / partSize));
  const ttl = deps.config.uploads.urlTtlSeconds;
  return deps.inputs
    .createMultipart(inputKey, contentType)
    .mapErr(fromStorageError)
    .andThen(({ uploadId }) =>
      ResultAsync.combine(
        Array.from({ length: count }, (_, i) =>
          deps.inputs.presignUploadPart(inputKey, uploadId, i + 1, ttl),
        ),
      ).andThen((signed) =>
        okAsync({
          jobId,
          inputKey,
          expiresAt: new Date(signed[0]?.expiresAt ?? deps.clock() + ttl * 1000).toISOString(),
          method: "PUT" as const,
          multipart: {
            uploadId,
            partSize,
            parts: signed.map((part, i) => ({ partNumber: i + 1, url: part.url })),
            completeUrl: `${origin}/api/upload/${jobId}/complete`,
          },
        }),
      ),
    );
};
