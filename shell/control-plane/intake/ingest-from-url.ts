// POST /api/jobs: ingest from a URL. The control plane streams the source into the input bucket (size cap,
// deadline, SSRF rules) and only then creates the job, already pending: workers only ever read the input bucket,
// and a machine is never started for a source that cannot be fetched.
import { err, errAsync, ok, okAsync, type Result, ResultAsync } from "neverthrow";
import { guessContentType } from "../../../core/guess-content-type.ts";
import type { Job } from "../../../core/job-lifecycle/job-state.ts";
import { safeInputKey } from "../../../core/safe-input-key.ts";
import type { ControlPlaneDeps } from "../config/control-plane-deps.ts";
import type { ApiError } from "../http/api-error.ts";
import type { IngestRequest } from "../http/api-schemas.ts";
import { fromStorageError } from "../http/store-failures.ts";
import { checkOutboundUrl } from "../outbound/check-outbound-url.ts";
import { fetchOutbound } from "../outbound/fetch-outbound.ts";
import { checkWebhookUrl } from "../webhooks/check-webhook-url.ts";
import {
  type ClientRequest,
  checkAcceptance,
  checkKeyAcceptance,
  findReplayedJob,
  firstState,
  jobIdFor,
  persistNewJob,
} from "./persist-new-job.ts";
import { requestFingerprint } from "./request-fingerprint.ts";

class TooLarge extends Error {}

const MAX_SINGLE_PUT_BYTES = 5 * 1024 ** 3;

/** Passes bytes through until more than `maxBytes` have gone by, then errors the stream. */
const byteCap = (maxBytes: number): TransformStream<Uint8Array, Uint8Array> => {
  let seen = 0;
  return new TransformStream({
    transform(chunk, controller) {
      seen += chunk.byteLength;
      if (seen > maxBytes) controller.error(new TooLarge(`the source is over ${maxBytes} bytes`));
      else controller.enqueue(chunk);
    },
  });
};

const filenameOf = (url: URL): string => {
  const last = url.pathname.split("/").filter(Boolean).pop() ?? "input";
  try {
    return decodeURIComponent(last);
  } catch {
    return last;
  }
};

const contentTypeOf = (response: Response, filename: string): string => {
  const header = (response.headers.get("content-type") ?? "").split(";")[0]?.trim() ?? "";
  return /^[a-z0-9.+-]+\/[a-z0-9.+-]+$/i.test(header) && header !== "application/octet-stream"
    ? header
    : guessContentType(filename);
};

export interface IngestResult {
  readonly created: boolean;
  readonly job: Job;
}

export const ingestFromUrl = (
  deps: ControlPlaneDeps,
  request: IngestRequest,
  client: ClientRequest,
): ResultAsync<IngestResult, ApiError> => {
  const webhook = checkWebhookUrl(deps, request.webhookUrl);
  if (webhook.isErr()) return errAsync(webhook.error);
  const source = checkOutboundUrl(request.inputUrl, deps.config.allowPrivateUrls);
  if (source.isErr()) return errAsync(source.error);

  const ids = Promise.all([jobIdFor(deps, client), requestFingerprint("POST /api/jobs", request)]);
  return ResultAsync.fromSafePromise(ids).andThen(([jobId, fingerprint]) => {
    const ask = { fingerprint, signsUpload: false };
    return findReplayedJob(deps, client, jobId, ask).andThen((earlier) => {
      if (earlier) return okAsync({ created: false, job: earlier.job });
      return checkAcceptance(deps)
        .andThen(() => checkKeyAcceptance(deps, client.keyId))
        .andThen((limits) =>
          download(deps, request.inputUrl, jobId).andThen(({ inputKey, filename }) => {
            const newJob = {
              jobId,
              preset: request.preset,
              inputKey,
              source: "url" as const,
              filename,
              webhookUrl: webhook.value,
            };
            // Refused for the backlog or the key's cap after the download: the fetched input is nobody's, so it goes.
            const persisted = persistNewJob(deps, newJob, client, ask, limits).orElse((error) =>
              error.kind === "rate-limited" || error.kind === "key-limit"
                ? deps.inputs
                    .delete(inputKey)
                    .orElse(() => okAsync(undefined))
                    .andThen(() => errAsync(error))
                : errAsync(error),
            );
            return persisted.map((outcome) =>
              outcome.created
                ? { created: true, job: firstState(newJob, deps.clock(), deps) }
                : { created: false, job: outcome.record.job },
            );
          }),
        );
    });
  });
};

interface Downloaded {
  readonly inputKey: string;
  readonly filename: string;
}

/** Streams the source into uploads/<jobId>/<name>; a single PUT when the length is known, multipart otherwise. */
const download = (deps: ControlPlaneDeps, url: string, jobId: string): ResultAsync<Downloaded, ApiError> => {
  const { maxBytes, timeoutMs } = deps.config.ingest;
  const signal = AbortSignal.timeout(timeoutMs);
  const tooLarge: ApiError = { kind: "payload-too-large", message: `the source is over ${maxBytes} bytes` };
  const run = async (): Promise<Result<Downloaded, ApiError>> => {
    const fetched = await fetchOutbound(deps, url, { method: "GET", signal });
    if (fetched.isErr()) return err(fetched.error);
    const { response, url: finalUrl } = fetched.value;
    const refuse = async (error: ApiError) => {
      await response.body?.cancel().catch(() => undefined);
      return err(error);
    };
    if (!response.ok || response.body === null) {
      return refuse({ kind: "ingest-failed", message: `the source answered HTTP ${response.status}` });
    }
    const declared = response.headers.get("content-length");
    const length = declared !== null && /^\d+$/.test(declared) ? Number(declared) : null;
    if (length !== null && length > maxBytes) return refuse(tooLarge);
    const filename = filenameOf(finalUrl);
    const key = safeInputKey(jobId, filename);
    if (key.isErr()) return refuse({ kind: "internal", message: key.error.message });
    const contentType = contentTypeOf(response, filename);
    const body = response.body.pipeThrough(byteCap(maxBytes));
    const stored =
      length !== null && length <= MAX_SINGLE_PUT_BYTES
        ? await deps.inputs.put(key.value, body, { contentType, contentLength: length })
        : await deps.inputs.putLarge(key.value, body, {
            contentType,
            partSizeBytes: deps.config.ingest.partBytes,
          });
    if (stored.isOk()) return ok({ inputKey: key.value, filename });
    if (stored.error.kind !== "source-failed") return err(fromStorageError(stored.error));
    if (/over \d+ bytes/.test(stored.error.message)) return err(tooLarge);
    // The stream's own error names our storage key and the network stack's details: logged, not sent.
    deps.log.warn("ingest.source-failed", { jobId, error: stored.error.message });
    const message = signal.aborted ? "the download timed out" : "the download was interrupted";
    return err({ kind: "ingest-failed", message });
  };
  return new ResultAsync(run());
};
