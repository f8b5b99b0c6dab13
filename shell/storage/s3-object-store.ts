// The ObjectStore over the S3 API (Cloudflare R2, s3rver, MinIO) with aws4fetch and plain fetch: runs anywhere.
import { AwsClient } from "aws4fetch";
import { err, errAsync, ok, okAsync, type Result, ResultAsync } from "neverthrow";
import type {
  CompletedPart,
  ObjectInfo,
  ObjectStore,
  PresignedRequest,
  PutBody,
  PutResult,
  StorageError,
  StoredPart,
} from "./object-store.ts";
import { objectUrl, type Query } from "./object-url.ts";
import { MAX_PART_BYTES, type MultipartSteps, putLargeObject } from "./put-large-object.ts";
import {
  checkCompletedParts,
  completeMultipartXml,
  MAX_PARTS,
  parseByteCount,
  parseCompleteMultipart,
  parseInitiateMultipart,
  parseListObjects,
  parseListParts,
  unquoteETag,
} from "./s3-replies.ts";
import { assertPresignExpiry, createS3Signer } from "./s3-signer.ts";
import { parseS3StoreConfig, type S3StoreConfigInput } from "./s3-store-config.ts";
import { createS3Transport, type FetchFn, type S3Reply } from "./s3-transport.ts";

export { r2Endpoint } from "./s3-store-config.ts";

/** S3's limit for one PUT; R2's is 5 MiB lower and it answers EntityTooLarge (too-large) past it. */
export const MAX_SINGLE_PUT_BYTES = MAX_PART_BYTES;

export interface S3StoreDeps {
  /** ms since the epoch; signs every request and presigned URL. */
  readonly now: () => number;
  /** Defaults to the runtime's fetch. */
  readonly fetch?: FetchFn;
}

const utf8 = new TextEncoder();
const invalid = (message: string): StorageError => ({ kind: "invalid-response", message });

const assertHeaderValue = (name: string, value: string): void => {
  if (value.trim() === "" || /[\r\n]/.test(value))
    throw new RangeError(`${name} must be a non-empty header value`);
};

const assertByteCount = (name: string, value: number, max: number): void => {
  if (!Number.isInteger(value) || value < 0 || value > max)
    throw new RangeError(`${name} must be 0..${max}, got ${value}`);
};

/** Builds the store; throws on bad config. One instance per bucket. */
export const createS3ObjectStore = (input: S3StoreConfigInput, deps: S3StoreDeps): ObjectStore => {
  const config = parseS3StoreConfig(input);
  const { bucket, endpoint } = config;
  const client = new AwsClient({
    accessKeyId: config.accessKeyId,
    secretAccessKey: config.secretAccessKey,
    service: "s3",
    region: config.region,
    retries: 0, // retries are ours (p-retry), with our classification
  });
  const signer = createS3Signer(client, deps.now);
  const transport = createS3Transport({
    signer,
    fetch: deps.fetch ?? ((url, init) => fetch(url, init)),
    now: deps.now,
    timeoutMs: config.timeoutMs,
    retry: config.retry,
  });
  const url = (key?: string, query?: Query) => objectUrl(endpoint, bucket, key, query);

  /** Validates what a HEAD or GET said about the object. */
  const readInfo = (key: string, headers: Headers): Result<ObjectInfo, StorageError> => {
    const size = parseByteCount(headers.get("content-length"));
    const eTag = unquoteETag(headers.get("etag"));
    if (size === null) return err(invalid(`${key}: no valid Content-Length`));
    if (eTag === null) return err(invalid(`${key}: no ETag`));
    return ok({ size, eTag, contentType: headers.get("content-type") || "application/octet-stream" });
  };

  const eTagOf = (what: string, reply: S3Reply): Result<{ readonly eTag: string }, StorageError> => {
    const eTag = unquoteETag(reply.headers.get("etag"));
    return eTag === null ? err(invalid(`${what}: reply has no ETag`)) : ok({ eTag });
  };

  const putBytes = (
    key: string,
    bytes: Uint8Array,
    contentType: string,
  ): ResultAsync<PutResult, StorageError> => {
    if (bytes.byteLength > MAX_SINGLE_PUT_BYTES) {
      return errAsync({
        kind: "too-large",
        message: `${key}: ${bytes.byteLength} bytes is over one PUT's limit`,
      });
    }
    return transport
      .send({
        method: "PUT",
        url: url(key),
        headers: { "content-type": contentType },
        body: bytes,
        idempotent: true,
      })
      .andThen((reply) => eTagOf(`PUT ${key}`, reply))
      .map(({ eTag }) => ({ eTag, size: bytes.byteLength }));
  };

  const presign = (
    method: PresignedRequest["method"],
    target: URL,
    headers: Record<string, string>,
    expiresInSeconds: number,
  ): ResultAsync<PresignedRequest, never> => {
    assertPresignExpiry(expiresInSeconds);
    return ResultAsync.fromSafePromise(signer.presign(method, target, headers, expiresInSeconds));
  };

  const steps: MultipartSteps = {
    put: putBytes,
    create: (key, contentType) => store.createMultipart(key, contentType),
    uploadPart: (key, uploadId, partNumber, bytes) =>
      transport
        .send({
          method: "PUT",
          url: url(key, partQuery(uploadId, partNumber)),
          body: bytes,
          idempotent: true,
        })
        .andThen((reply) => eTagOf(`part ${partNumber} of ${key}`, reply)),
    complete: (key, uploadId, parts) => store.completeMultipart(key, uploadId, parts),
    abort: (key, uploadId) => store.abortMultipart(key, uploadId),
  };

  const store: ObjectStore = {
    bucket,

    presignPut(key, { contentType, expiresInSeconds, contentLength }) {
      assertHeaderValue("contentType", contentType);
      const headers: Record<string, string> = { "content-type": contentType };
      if (contentLength !== undefined) {
        assertByteCount("contentLength", contentLength, MAX_SINGLE_PUT_BYTES);
        headers["content-length"] = String(contentLength);
      }
      return presign("PUT", url(key), headers, expiresInSeconds);
    },

    presignGet(key, { expiresInSeconds, responseContentType, responseContentDisposition }) {
      const query: Record<string, string> = {};
      if (responseContentType !== undefined) {
        assertHeaderValue("responseContentType", responseContentType);
        query["response-content-type"] = responseContentType;
      }
      if (responseContentDisposition !== undefined) {
        assertHeaderValue("responseContentDisposition", responseContentDisposition);
        query["response-content-disposition"] = responseContentDisposition;
      }
      return presign("GET", url(key, query), {}, expiresInSeconds);
    },

    head: (key) =>
      transport
        .send({ method: "HEAD", url: url(key), idempotent: true })
        .andThen((reply) => readInfo(key, reply.headers)),

    getStream: (key) =>
      transport.open({ method: "GET", url: url(key), idempotent: true }).andThen(({ headers, body }) => {
        const info = readInfo(key, headers);
        if (info.isErr()) body.cancel().catch(() => undefined);
        return info.map((checked) => ({ ...checked, body }));
      }),

    put(key, body: PutBody, { contentType, contentLength }) {
      assertHeaderValue("contentType", contentType);
      if (typeof body === "string" || body instanceof Uint8Array) {
        const bytes = typeof body === "string" ? utf8.encode(body) : body;
        if (contentLength !== undefined && contentLength !== bytes.byteLength) {
          throw new RangeError(
            `contentLength ${contentLength} does not match the body's ${bytes.byteLength} bytes`,
          );
        }
        return putBytes(key, bytes, contentType);
      }
      if (contentLength === undefined)
        throw new TypeError("put of a stream needs contentLength (S3 refuses chunked PUTs)");
      assertByteCount("contentLength", contentLength, Number.MAX_SAFE_INTEGER);
      if (contentLength > MAX_SINGLE_PUT_BYTES) {
        body.cancel().catch(() => undefined);
        return errAsync({
          kind: "too-large",
          message: `${key}: ${contentLength} bytes is over one PUT's limit; use putLarge`,
        });
      }
      const target = url(key);
      return transport
        .upload({ method: "PUT", url: target, headers: { "content-type": contentType } }, body, contentLength)
        .andThen((reply) => eTagOf(`PUT ${key}`, reply))
        .map(({ eTag }) => ({ eTag, size: contentLength }));
    },

    putLarge: (key, body, opts) => {
      assertHeaderValue("contentType", opts.contentType);
      url(key); // validates the key before any byte is read
      return putLargeObject(steps, key, body, opts);
    },

    createMultipart(key, contentType) {
      assertHeaderValue("contentType", contentType);
      return transport
        .send({
          method: "POST",
          url: url(key, { uploads: "" }),
          headers: { "content-type": contentType },
          idempotent: false,
        })
        .andThen((reply) =>
          parseInitiateMultipart(reply.text).mapErr((why) => invalid(`create multipart ${key}: ${why}`)),
        );
    },

    presignUploadPart(key, uploadId, partNumber, expiresInSeconds, contentLength) {
      assertHeaderValue("uploadId", uploadId);
      if (!Number.isInteger(partNumber) || partNumber < 1 || partNumber > MAX_PARTS) {
        throw new RangeError(`part number must be 1..${MAX_PARTS}, got ${partNumber}`);
      }
      const headers: Record<string, string> = {};
      if (contentLength !== undefined) {
        assertByteCount("contentLength", contentLength, MAX_PART_BYTES);
        headers["content-length"] = String(contentLength);
      }
      return presign("PUT", url(key, partQuery(uploadId, partNumber)), headers, expiresInSeconds);
    },

    completeMultipart(key, uploadId, parts: readonly CompletedPart[]) {
      assertHeaderValue("uploadId", uploadId);
      const checked = checkCompletedParts(parts);
      if (checked.isErr()) {
        return errAsync({
          kind: "rejected",
          status: null,
          code: "InvalidPartOrder",
          message: `${key}: ${checked.error}`,
        });
      }
      return transport
        .send({
          method: "POST",
          url: url(key, { uploadId }),
          headers: { "content-type": "application/xml" },
          body: completeMultipartXml(checked.value),
          idempotent: false,
        })
        .andThen((reply) =>
          parseCompleteMultipart(reply.text).mapErr((why): StorageError => {
            if (typeof why === "string") return invalid(`complete multipart ${key}: ${why}`);
            const message = `complete multipart ${key}: ${why.code}: ${why.message}`;
            // A 200 carrying <Error>: S3's way to fail late. Internal errors there are worth a look-and-retry.
            return why.code === "InternalError" || why.code === "SlowDown"
              ? { kind: "unavailable", message, ambiguous: true }
              : { kind: "rejected", status: reply.status, code: why.code, message };
          }),
        );
    },

    listParts(key, uploadId, { pageSize = 1000 } = {}) {
      assertHeaderValue("uploadId", uploadId);
      if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 1000) {
        throw new RangeError(`page size must be 1..1000, got ${pageSize}`);
      }
      // At most 10 pages of 1000: S3 caps an upload at 10,000 parts.
      const pageAfter = (marker: number, found: StoredPart[]): ResultAsync<StoredPart[], StorageError> =>
        transport
          .send({
            method: "GET",
            url: url(key, {
              uploadId,
              "max-parts": String(pageSize),
              ...(marker > 0 ? { "part-number-marker": String(marker) } : {}),
            }),
            idempotent: true,
          })
          .andThen((reply) =>
            parseListParts(reply.text).mapErr((why) => invalid(`list parts of ${key}: ${why}`)),
          )
          .andThen(({ parts, nextMarker }) => {
            const all = [...found, ...parts];
            if (nextMarker === null) return okAsync(all);
            if (nextMarker <= marker || all.length > MAX_PARTS)
              return errAsync(invalid(`list parts of ${key}: the listing does not advance`));
            return pageAfter(nextMarker, all);
          });
      return pageAfter(0, []);
    },

    abortMultipart: (key, uploadId) =>
      transport
        .send({ method: "DELETE", url: url(key, { uploadId }), idempotent: true })
        .map(() => undefined),

    delete: (key) =>
      transport
        .send({ method: "DELETE", url: url(key), idempotent: true })
        .map(() => undefined)
        .orElse((error) => (error.kind === "not-found" ? okAsync(undefined) : errAsync(error))),

    list(prefix, opts = {}) {
      const pageSize = opts.pageSize ?? 1000;
      if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 1000) {
        throw new RangeError(`page size must be 1..1000, got ${pageSize}`);
      }
      const query: Record<string, string> = { prefix, "max-keys": String(pageSize) };
      if (opts.cursor !== undefined) query.marker = opts.cursor;
      return transport
        .send({ method: "GET", url: url(undefined, query), idempotent: true })
        .andThen((reply) => parseListObjects(reply.text).mapErr((why) => invalid(`list ${prefix}: ${why}`)));
    },
  };
  return store;
};

const partQuery = (uploadId: string, partNumber: number): Query => ({
  partNumber: String(partNumber),
  uploadId,
});
