// Sends a multipart upload's missing parts straight to storage: a bounded number in flight, each PUT retried with
// backoff on what a retry can fix, its URL re-signed when storage refuses it (an expired URL), and its ETag kept for
// the completion. The first failure stops the others.
import { type PartLayout, partRange, type StoredPartInfo } from "../core/plan-part-resume.ts";
import { SignPartsResponseSchema } from "../shell/control-plane/http/api-schemas.ts";
import type { ApiCaller } from "./api-caller.ts";
import { exchange, type FetchLike, withRetries } from "./send-request.ts";
import { TcoderError } from "./tcoder-error.ts";
import type { UploadSource } from "./upload-source.ts";

/** The API signs at most this many part URLs per request. */
const SIGN_BATCH = 1000;

export interface PartsJob {
  readonly jobId: string;
  readonly uploadId: string;
  readonly layout: PartLayout;
  readonly missing: readonly number[];
  /** URLs already in hand (from the upload's creation); the rest are signed here. */
  readonly urls: ReadonlyMap<number, string>;
}

export interface PartsDeps {
  readonly api: ApiCaller;
  readonly fetch: FetchLike;
  readonly source: UploadSource;
  readonly concurrency: number;
  readonly retries: number;
  readonly signal?: AbortSignal | undefined;
  /** After each part is stored, with its size. */
  readonly onPart: (partNumber: number, bytes: number) => void;
}

/** Time for one part: a minute, plus a second for every 256 KiB (a 64 MiB part gets about five minutes). */
const partTimeoutMs = (bytes: number) => 60_000 + Math.ceil(bytes / (256 * 1024)) * 1000;

export const sendParts = async (job: PartsJob, deps: PartsDeps): Promise<StoredPartInfo[]> => {
  const { api, source } = deps;
  const urls = new Map(job.urls);
  const sign = async (partNumbers: readonly number[], signal: AbortSignal) => {
    for (let i = 0; i < partNumbers.length; i += SIGN_BATCH) {
      const signed = await api.call({
        method: "POST",
        path: `/api/upload/${encodeURIComponent(job.jobId)}/parts`,
        body: { uploadId: job.uploadId, partNumbers: partNumbers.slice(i, i + SIGN_BATCH) },
        schema: SignPartsResponseSchema,
        signal,
        idempotent: true,
      });
      for (const part of signed.parts) urls.set(part.partNumber, part.url);
    }
  };

  // One controller for the whole batch: the caller's abort, or the first failure, stops every part in flight.
  const stop = new AbortController();
  const onAbort = () => stop.abort(deps.signal?.reason);
  deps.signal?.addEventListener("abort", onAbort, { once: true });
  try {
    await sign(
      job.missing.filter((n) => !urls.has(n)),
      stop.signal,
    );
    const sent: StoredPartInfo[] = [];
    const queue = [...job.missing];
    const sendOne = async (partNumber: number) => {
      const { start, end } = partRange(job.layout, partNumber);
      const body = await source.read(start, end);
      const bytes = end - start;
      let resigned = false;
      const eTag = await withRetries(
        async () => {
          try {
            const response = await exchange(
              deps.fetch,
              urls.get(partNumber) ?? "",
              { method: "PUT", body },
              { signal: stop.signal, timeoutMs: partTimeoutMs(bytes) },
            );
            await response.body?.cancel();
            const tag = response.headers.get("etag");
            if (!tag) {
              throw new TcoderError(
                response.status,
                "no-etag",
                "storage answered without an ETag (browsers: the bucket's CORS must expose ETag)",
              );
            }
            return tag.replace(/^"(.*)"$/, "$1");
          } catch (error) {
            // Storage refuses an expired URL with 403: sign a fresh one, once, and go again at once.
            if (error instanceof TcoderError && error.status === 403 && !resigned) {
              resigned = true;
              await sign([partNumber], stop.signal);
              throw new TcoderError(503, "url-renewed", "the part URL was renewed");
            }
            throw error;
          }
        },
        { retries: deps.retries, signal: stop.signal },
      );
      sent.push({ partNumber, size: bytes, eTag });
      deps.onPart(partNumber, bytes);
    };
    const worker = async () => {
      for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
        await sendOne(next);
      }
    };
    const workers = Array.from({ length: Math.max(1, Math.min(deps.concurrency, queue.length)) }, worker);
    const settled = await Promise.allSettled(
      workers.map((run) =>
        run.catch((error: unknown) => {
          stop.abort(error);
          throw error;
        }),
      ),
    );
    const failed = settled.find((outcome) => outcome.status === "rejected");
    if (failed) throw deps.signal?.aborted ? deps.signal.reason : stop.signal.reason;
    return sent;
  } finally {
    deps.signal?.removeEventListener("abort", onAbort);
  }
};
