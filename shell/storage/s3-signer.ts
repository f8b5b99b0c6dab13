// SigV4 signing with aws4fetch against the injected clock: header-signed requests and presigned URLs.
import type { AwsClient } from "aws4fetch";
import type { PresignedRequest } from "./object-store.ts";

export const MIN_PRESIGN_SECONDS = 1;
export const MAX_PRESIGN_SECONDS = 7 * 24 * 3600;

/** aws4fetch's `datetime` format, e.g. 20261102T030405Z. */
export const toAmzDate = (epochMs: number): string =>
  new Date(epochMs).toISOString().replace(/[:-]|\.\d{3}/g, "");

export interface SignedRequest {
  readonly url: string;
  readonly headers: Headers;
}

export interface S3Signer {
  /** Signs with an Authorization header (payload UNSIGNED-PAYLOAD, so bodies may stream). */
  sign(method: string, url: URL, headers: Readonly<Record<string, string>>): Promise<SignedRequest>;
  /** A presigned URL; every header in `headers` is signed and must be sent as is. */
  presign(
    method: PresignedRequest["method"],
    url: URL,
    headers: Readonly<Record<string, string>>,
    expiresInSeconds: number,
  ): Promise<PresignedRequest>;
}

export const assertPresignExpiry = (seconds: number): void => {
  if (!Number.isInteger(seconds) || seconds < MIN_PRESIGN_SECONDS || seconds > MAX_PRESIGN_SECONDS) {
    throw new RangeError(
      `presign expiry must be a whole number of seconds in ${MIN_PRESIGN_SECONDS}..${MAX_PRESIGN_SECONDS}, got ${seconds}`,
    );
  }
};

export const createS3Signer = (client: AwsClient, now: () => number): S3Signer => ({
  async sign(method, url, headers) {
    // No body here: with service "s3" aws4fetch signs UNSIGNED-PAYLOAD, and the caller sends the body itself,
    // so a stream is never wrapped in a new Request (workerd would drop its length).
    const signed = await client.sign(url.toString(), {
      method,
      headers,
      aws: { datetime: toAmzDate(now()) },
    });
    return { url: signed.url, headers: signed.headers };
  },

  async presign(method, url, headers, expiresInSeconds) {
    assertPresignExpiry(expiresInSeconds);
    const signedAt = now();
    const target = new URL(url);
    target.searchParams.set("X-Amz-Expires", String(expiresInSeconds));
    // aws4fetch skips content-type and content-length unless told to sign every header passed.
    const signed = await client.sign(target.toString(), {
      method,
      headers,
      aws: { signQuery: true, allHeaders: true, datetime: toAmzDate(signedAt) },
    });
    return {
      method,
      url: signed.url,
      headers: { ...headers },
      // The server counts from X-Amz-Date, which has whole-second precision.
      expiresAt: Math.floor(signedAt / 1000) * 1000 + expiresInSeconds * 1000,
    };
  },
});
