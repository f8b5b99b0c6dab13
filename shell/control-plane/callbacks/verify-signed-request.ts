// Requests from our own workers and event relays: HMAC over t.body in a 5-minute window (with any of the keys the
// route accepts: a machine's own callback keys, or the event secret), and each signature accepted once. A request that then fails for a transient reason is forgotten, so its retry
// (the same signature, within the same second) is not taken for a replay.
import { errAsync, okAsync, ResultAsync } from "neverthrow";
import { verifyBody } from "../../signing/hmac-signature.ts";
import type { ControlPlaneDeps } from "../config/control-plane-deps.ts";
import type { ApiError } from "../http/api-error.ts";
import { fromStoreError } from "../http/store-failures.ts";
import { signatureToken } from "./once-memory.ts";

export const SIGNATURE_TOLERANCE_SECONDS = 300;
/** Longer than any signature stays fresh (±tolerance around now). */
const REMEMBER_MS = (2 * SIGNATURE_TOLERANCE_SECONDS + 60) * 1000;
const MAX_SIGNATURES = 3;

export interface AcceptedSignature {
  /** Un-remembers the request's signatures (call when it failed for a transient reason). */
  forget(): Promise<void>;
}

export const verifySignedRequest = (
  deps: ControlPlaneDeps,
  header: string | undefined,
  body: string,
  keys: readonly string[],
): ResultAsync<AcceptedSignature, ApiError> =>
  verifyBody(header, body, {
    secrets: keys,
    nowMs: deps.clock(),
    toleranceSeconds: SIGNATURE_TOLERANCE_SECONDS,
  })
    .mapErr(
      (rejection): ApiError =>
        rejection.code === "replayed"
          ? { kind: "replayed", message: rejection.message }
          : { kind: "bad-signature", code: rejection.code, message: rejection.message },
    )
    .andThen((parsed) => {
      if (parsed.signatures.length > MAX_SIGNATURES) {
        return errAsync<AcceptedSignature, ApiError>({
          kind: "bad-signature",
          code: "malformed-signature",
          message: `at most ${MAX_SIGNATURES} signatures per request`,
        });
      }
      // Every offered signature is remembered, so padding the header with junk cannot make a replay look new.
      const tokens = parsed.signatures.map((s) => signatureToken(`${parsed.timestamp}.${s}`));
      return ResultAsync.combine(tokens.map((token) => deps.memory.remember(token, REMEMBER_MS)))
        .mapErr(fromStoreError)
        .andThen((fresh) =>
          fresh.every(Boolean)
            ? okAsync<AcceptedSignature, ApiError>({
                forget: async () => {
                  await Promise.all(tokens.map((token) => deps.memory.forget(token)));
                },
              })
            : errAsync<AcceptedSignature, ApiError>({
                kind: "replayed",
                message: "this signature was already used; sign each request anew",
              }),
        );
    });
