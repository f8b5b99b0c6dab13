// The object-store port: one bucket, presigned client URLs, streaming reads and writes, multipart uploads.
import type { ResultAsync } from "neverthrow";

export type StorageError =
  /** No such key (or, for multipart calls, no such upload). */
  | { readonly kind: "not-found"; readonly message: string }
  /** The store refused the credentials or the signature (wrong secret, expired or tampered URL). */
  | { readonly kind: "access-denied"; readonly message: string }
  /**
   * Network failure, timeout, 429 or 5xx after the adapter's retries. `ambiguous`: a non-repeatable request
   * (create/complete multipart) may still have taken effect; look before repeating it.
   */
  | { readonly kind: "unavailable"; readonly message: string; readonly ambiguous: boolean }
  /** The store answered in a shape we do not trust (missing ETag, unreadable XML, bad Content-Length). */
  | { readonly kind: "invalid-response"; readonly message: string }
  /**
   * The store refused the request itself (e.g. InvalidPart, EntityTooSmall); `code` is S3's error code.
   * `status` is null when the adapter refused it before sending (a malformed parts list).
   */
  | {
      readonly kind: "rejected";
      readonly status: number | null;
      readonly code: string;
      readonly message: string;
    }
  /** The object is past a limit: 5 GiB for one PUT, 10,000 parts for a multipart upload. */
  | { readonly kind: "too-large"; readonly message: string }
  /** The caller's body stream failed or ended at the wrong length; nothing was stored. */
  | { readonly kind: "source-failed"; readonly message: string };

export type StorageErrorKind = StorageError["kind"];

/** A request a client makes directly to the store. Send `headers` exactly as given: they are signed. */
export interface PresignedRequest {
  readonly method: "GET" | "PUT";
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  /** ms since the epoch, from the injected clock. */
  readonly expiresAt: number;
}

export interface PresignPutOptions {
  readonly contentType: string;
  /** 1 s to 7 days. */
  readonly expiresInSeconds: number;
  /** When set, it is signed too: the client must upload exactly this many bytes. */
  readonly contentLength?: number;
}

export interface PresignGetOptions {
  readonly expiresInSeconds: number;
  readonly responseContentType?: string;
  readonly responseContentDisposition?: string;
}

/** ETags are given without the surrounding quotes, as R2 event notifications carry them. */
export interface ObjectInfo {
  readonly size: number;
  readonly contentType: string;
  readonly eTag: string;
}

export interface ObjectStream extends ObjectInfo {
  /** The object's bytes as they arrive; errors (does not hang) when the store stalls. */
  readonly body: ReadableStream<Uint8Array>;
}

export type PutBody = ReadableStream<Uint8Array> | Uint8Array | string;

export interface PutOptions {
  readonly contentType: string;
  /** Required for a stream body (S3 refuses chunked uploads); checked against the bytes actually sent. */
  readonly contentLength?: number;
}

export interface PutLargeOptions {
  readonly contentType: string;
  /** 5 MiB to 5 GiB; every part but the last has exactly this size. */
  readonly partSizeBytes: number;
}

export interface PutResult {
  readonly eTag: string;
  readonly size: number;
}

export interface PutLargeResult extends PutResult {
  /** 0 when the stream fit in one part and went up as a single PUT. */
  readonly parts: number;
}

export interface CompletedPart {
  readonly partNumber: number;
  /** As returned in the part upload's ETag header, with or without quotes. */
  readonly eTag: string;
}

/** A part storage holds for an unfinished multipart upload (S3 ListParts). */
export interface StoredPart {
  readonly partNumber: number;
  readonly size: number;
  /** Without the surrounding quotes. */
  readonly eTag: string;
}

export interface ObjectSummary {
  readonly key: string;
  readonly size: number;
  readonly eTag: string;
}

export interface ListOptions {
  /** 1 to 1000 keys per page (default 1000). */
  readonly pageSize?: number;
  /** `nextCursor` of the previous page. */
  readonly cursor?: string;
}

export interface ListPage {
  readonly objects: readonly ObjectSummary[];
  /** Pass as `cursor` to read the next page; null on the last page. */
  readonly nextCursor: string | null;
}

export interface ObjectStore {
  readonly bucket: string;
  presignPut(key: string, opts: PresignPutOptions): ResultAsync<PresignedRequest, never>;
  presignGet(key: string, opts: PresignGetOptions): ResultAsync<PresignedRequest, never>;
  head(key: string): ResultAsync<ObjectInfo, StorageError>;
  getStream(key: string): ResultAsync<ObjectStream, StorageError>;
  put(key: string, body: PutBody, opts: PutOptions): ResultAsync<PutResult, StorageError>;
  /** Multipart upload reading one part at a time from `body`; aborts the upload (best effort) on failure. */
  putLarge(
    key: string,
    body: ReadableStream<Uint8Array>,
    opts: PutLargeOptions,
  ): ResultAsync<PutLargeResult, StorageError>;
  createMultipart(key: string, contentType: string): ResultAsync<{ readonly uploadId: string }, StorageError>;
  /** With `contentLength`, the part's size is signed too: the store refuses a part of any other length. */
  presignUploadPart(
    key: string,
    uploadId: string,
    partNumber: number,
    expiresInSeconds: number,
    contentLength?: number,
  ): ResultAsync<PresignedRequest, never>;
  completeMultipart(
    key: string,
    uploadId: string,
    parts: readonly CompletedPart[],
  ): ResultAsync<{ readonly eTag: string }, StorageError>;
  /** Every part stored so far, ascending (all pages: at most 10,000 parts); an unknown upload is not-found. */
  listParts(
    key: string,
    uploadId: string,
    opts?: { readonly pageSize?: number },
  ): ResultAsync<readonly StoredPart[], StorageError>;
  /** Best effort: some S3 servers (s3rver) do not implement abort; R2 drops unfinished uploads after 7 days. */
  abortMultipart(key: string, uploadId: string): ResultAsync<void, StorageError>;
  /** Deleting a missing key succeeds. */
  delete(key: string): ResultAsync<void, StorageError>;
  list(prefix: string, opts?: ListOptions): ResultAsync<ListPage, StorageError>;
}
