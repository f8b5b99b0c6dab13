// Multipart upload of a stream: one buffered part at a time, each retried on its own; aborted on any failure.
import { err, ok, type Result, ResultAsync } from "neverthrow";
import { SourceError } from "./idle-deadline.ts";
import type {
  CompletedPart,
  PutLargeOptions,
  PutLargeResult,
  PutResult,
  StorageError,
} from "./object-store.ts";
import { MAX_PARTS } from "./s3-replies.ts";
import { splitIntoParts } from "./split-into-parts.ts";

export const MIN_PART_BYTES = 5 * 1024 * 1024;
export const MAX_PART_BYTES = 5 * 1024 * 1024 * 1024;

/** The requests putLargeObject needs, each already retried by the transport where that is safe. */
export interface MultipartSteps {
  put(key: string, bytes: Uint8Array, contentType: string): ResultAsync<PutResult, StorageError>;
  create(key: string, contentType: string): ResultAsync<{ readonly uploadId: string }, StorageError>;
  uploadPart(
    key: string,
    uploadId: string,
    partNumber: number,
    bytes: Uint8Array,
  ): ResultAsync<{ readonly eTag: string }, StorageError>;
  complete(
    key: string,
    uploadId: string,
    parts: readonly CompletedPart[],
  ): ResultAsync<{ readonly eTag: string }, StorageError>;
  abort(key: string, uploadId: string): ResultAsync<void, StorageError>;
}

export const assertPartSize = (partSizeBytes: number): void => {
  if (!Number.isInteger(partSizeBytes) || partSizeBytes < MIN_PART_BYTES || partSizeBytes > MAX_PART_BYTES) {
    throw new RangeError(
      `part size must be ${MIN_PART_BYTES}..${MAX_PART_BYTES} bytes, got ${partSizeBytes}`,
    );
  }
};

/**
 * Streams `body` to `key`. A body shorter than one part goes up as a single PUT. Parts are uploaded in order,
 * one at a time, so memory stays at one part plus one chunk of the source.
 */
export const putLargeObject = (
  steps: MultipartSteps,
  key: string,
  body: ReadableStream<Uint8Array>,
  opts: PutLargeOptions,
): ResultAsync<PutLargeResult, StorageError> => {
  assertPartSize(opts.partSizeBytes);
  return new ResultAsync(upload(steps, key, body, opts));
};

async function upload(
  steps: MultipartSteps,
  key: string,
  body: ReadableStream<Uint8Array>,
  { contentType, partSizeBytes }: PutLargeOptions,
): Promise<Result<PutLargeResult, StorageError>> {
  const parts = splitIntoParts(body, partSizeBytes);
  let uploadId: string | null = null;
  const fail = async (error: StorageError): Promise<Result<never, StorageError>> => {
    await parts.return();
    // Best effort: the failure we report is the original one, whatever abort says (s3rver cannot abort).
    if (uploadId !== null) await steps.abort(key, uploadId);
    return err(error);
  };

  const completed: CompletedPart[] = [];
  let size = 0;
  try {
    for await (const bytes of parts) {
      if (uploadId === null) {
        if (bytes.byteLength < partSizeBytes) {
          const single = await steps.put(key, bytes, contentType);
          return single.map((put) => ({ ...put, parts: 0 }));
        }
        const created = await steps.create(key, contentType);
        if (created.isErr()) return fail(created.error);
        uploadId = created.value.uploadId;
      }
      const partNumber = completed.length + 1;
      if (partNumber > MAX_PARTS) {
        const limit = MAX_PARTS * partSizeBytes;
        return fail({ kind: "too-large", message: `${key}: more than ${MAX_PARTS} parts (${limit} bytes)` });
      }
      const sent = await steps.uploadPart(key, uploadId, partNumber, bytes);
      if (sent.isErr()) return fail(sent.error);
      completed.push({ partNumber, eTag: sent.value.eTag });
      size += bytes.byteLength;
    }
  } catch (error) {
    if (error instanceof SourceError)
      return fail({ kind: "source-failed", message: `${key}: ${error.message}` });
    throw error;
  }

  if (uploadId === null) {
    // An empty stream: no part was ever yielded.
    const single = await steps.put(key, new Uint8Array(0), contentType);
    return single.map((put) => ({ ...put, parts: 0 }));
  }
  const done = await steps.complete(key, uploadId, completed);
  if (done.isErr()) {
    // After an ambiguous failure the upload may be complete; aborting then would be harmless but misleading.
    return done.error.kind === "unavailable" && done.error.ambiguous ? err(done.error) : fail(done.error);
  }
  return ok({ eTag: done.value.eTag, size, parts: completed.length });
}
