// Verifies a TCoder webhook on the RAW body it arrived with (re-serialised JSON would not match its signature):
// the TCoder-Signature header's freshness and HMAC, then the event's shape. Runs on WebCrypto, so anywhere.
import * as v from "valibot";
import { type WebhookEvent, WebhookEventSchema } from "../shell/control-plane/http/api-schemas.ts";
import { verifyBody } from "../shell/signing/hmac-signature.ts";
import { WebhookVerificationError } from "./tcoder-error.ts";

/** How far a signature's timestamp may be from `nowMs`: five minutes, as the hosted peers use. */
export const DEFAULT_WEBHOOK_TOLERANCE_SECONDS = 300;

/**
 * `rawBody`: the request body exactly as received (text, or bytes). `secret`: the webhook secret, or several during
 * a rotation. Resolves with the event; rejects with a WebhookVerificationError saying why not.
 */
export const verifyWebhook = async (
  rawBody: string | Uint8Array | ArrayBuffer,
  signatureHeader: string | null | undefined,
  secret: string | readonly string[],
  nowMs: number,
  toleranceSeconds = DEFAULT_WEBHOOK_TOLERANCE_SECONDS,
): Promise<WebhookEvent> => {
  let body: string;
  try {
    body = typeof rawBody === "string" ? rawBody : new TextDecoder("utf-8", { fatal: true }).decode(rawBody);
  } catch {
    throw new WebhookVerificationError("invalid-body", "the body is not UTF-8 text");
  }
  const secrets = typeof secret === "string" ? [secret] : secret;
  const verified = await verifyBody(signatureHeader, body, { secrets, nowMs, toleranceSeconds });
  if (verified.isErr()) {
    const { code, message } = verified.error;
    throw new WebhookVerificationError(code === "replayed" ? "bad-signature" : code, message);
  }
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new WebhookVerificationError("invalid-body", "the body is not JSON");
  }
  const parsed = v.safeParse(WebhookEventSchema, json);
  if (!parsed.success)
    throw new WebhookVerificationError("invalid-body", "the body is not a TCoder webhook event");
  return parsed.output;
};
