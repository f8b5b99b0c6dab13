// HMAC-SHA256 signing and verification of request bodies with WebCrypto (workerd, Bun and Node alike).
import { errAsync, okAsync, ResultAsync } from "neverthrow";
import {
  checkSignatureFreshness,
  formatSignatureHeader,
  type ParsedSignature,
  parseSignatureHeader,
  type SignatureRejection,
  signedPayload,
} from "../../core/signature-header.ts";

const encoder = new TextEncoder();

const importKey = (secret: string): Promise<CryptoKey> =>
  crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, [
    "sign",
    "verify",
  ]);

const toHex = (bytes: ArrayBuffer): string =>
  [...new Uint8Array(bytes)].map((b) => b.toString(16).padStart(2, "0")).join("");

const fromHex = (hex: string): Uint8Array<ArrayBuffer> => {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
};

/** HMAC-SHA256 of `message` under `secret`, in hex. */
export const hmacHex = async (secret: string, message: string): Promise<string> =>
  toHex(await crypto.subtle.sign("HMAC", await importKey(secret), encoder.encode(message)));

/** The header value for `body` signed at `nowMs`. */
export const signBody = async (secret: string, body: string, nowMs: number): Promise<string> => {
  const timestamp = Math.floor(nowMs / 1000);
  return formatSignatureHeader(timestamp, await hmacHex(secret, signedPayload(timestamp, body)));
};

export interface VerifyOptions {
  /** Secrets accepted now: the current one first, a retiring one during rotation. */
  readonly secrets: readonly string[];
  readonly nowMs: number;
  readonly toleranceSeconds: number;
}

/**
 * Checks the header's freshness and HMAC (WebCrypto's verify compares in constant time). Replay refusal is the
 * caller's: remember each accepted signature for the tolerance window and refuse it a second time.
 */
export const verifyBody = (
  header: string | null | undefined,
  body: string,
  options: VerifyOptions,
): ResultAsync<ParsedSignature, SignatureRejection> =>
  parseSignatureHeader(header)
    .andThen((parsed) => checkSignatureFreshness(parsed, options.nowMs, options.toleranceSeconds))
    .asyncAndThen((parsed) =>
      ResultAsync.fromSafePromise(anyMatches(parsed, body, options.secrets)).andThen((matched) =>
        matched
          ? okAsync(parsed)
          : errAsync<ParsedSignature, SignatureRejection>({
              code: "bad-signature",
              message: "the signature does not match the body",
            }),
      ),
    );

const anyMatches = async (
  parsed: ParsedSignature,
  body: string,
  secrets: readonly string[],
): Promise<boolean> => {
  const payload = encoder.encode(signedPayload(parsed.timestamp, body));
  for (const secret of secrets) {
    const key = await importKey(secret);
    for (const signature of parsed.signatures) {
      if (await crypto.subtle.verify("HMAC", key, fromHex(signature), payload)) return true;
    }
  }
  return false;
};
