// The signed-request header for worker callbacks and client webhooks: `t=<unix seconds>,v1=<hex HMAC-SHA256>`
// over `<t>.<body>`, the scheme hosted peers use. Parsing and the freshness window are pure; hashing is the shell's.
import { err, ok, type Result } from "neverthrow";

export const SIGNATURE_HEADER = "TCoder-Signature";

export interface ParsedSignature {
  readonly timestamp: number;
  /** Every v1 signature offered (several during a secret rotation). */
  readonly signatures: readonly string[];
}

export type SignatureRejection = {
  readonly code:
    | "missing-signature"
    | "malformed-signature"
    | "stale-signature"
    | "bad-signature"
    | "replayed";
  readonly message: string;
};

export const signedPayload = (timestamp: number, body: string): string => `${timestamp}.${body}`;

export const formatSignatureHeader = (timestamp: number, hexSignature: string): string =>
  `t=${timestamp},v1=${hexSignature}`;

export const parseSignatureHeader = (
  header: string | null | undefined,
): Result<ParsedSignature, SignatureRejection> => {
  if (!header)
    return err({ code: "missing-signature", message: `the ${SIGNATURE_HEADER} header is missing` });
  let timestamp: number | null = null;
  const signatures: string[] = [];
  for (const part of header.split(",")) {
    const [key, value, ...rest] = part.trim().split("=");
    if (rest.length > 0 || !key || !value) continue;
    if (key === "t" && /^\d{1,12}$/.test(value)) timestamp = Number(value);
    if (key === "v1" && /^[0-9a-f]{64}$/.test(value)) signatures.push(value);
  }
  if (timestamp === null || signatures.length === 0) {
    return err({
      code: "malformed-signature",
      message: `${SIGNATURE_HEADER} must be "t=<unix seconds>,v1=<64 hex>"`,
    });
  }
  return ok({ timestamp, signatures });
};

/** A signature older or further in the future than the tolerance is refused, whatever its HMAC. */
export const checkSignatureFreshness = (
  parsed: ParsedSignature,
  nowMs: number,
  toleranceSeconds: number,
): Result<ParsedSignature, SignatureRejection> => {
  const skew = Math.abs(Math.floor(nowMs / 1000) - parsed.timestamp);
  return skew <= toleranceSeconds
    ? ok(parsed)
    : err({
        code: "stale-signature",
        message: `the signature is ${skew} s from now; at most ${toleranceSeconds} s allowed`,
      });
};
