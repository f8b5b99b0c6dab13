// The API's failures as one union, and the ONE place they become HTTP: status, headers, JSON {code, message}.
import type { JobRejection } from "../../../core/job-lifecycle/job-rejection.ts";
import type { SignatureRejection } from "../../../core/signature-header.ts";

export type ApiError =
  | { readonly kind: "invalid-json"; readonly message: string }
  | { readonly kind: "invalid-request"; readonly message: string }
  | { readonly kind: "url-not-allowed"; readonly message: string }
  | { readonly kind: "unauthorized"; readonly message: string }
  /** A worker callback or internal event whose signature is missing, malformed, stale or wrong. */
  | {
      readonly kind: "bad-signature";
      readonly code: Exclude<SignatureRejection["code"], "replayed">;
      readonly message: string;
    }
  | { readonly kind: "replayed"; readonly message: string }
  /** Authentic, but not the sender's to do (a machine acting under another machine's lease). */
  | { readonly kind: "forbidden"; readonly message: string }
  | { readonly kind: "budget-exhausted"; readonly message: string }
  | { readonly kind: "not-found"; readonly message: string }
  /** No job under this id for this API key: another key's job answers exactly as one that does not exist. */
  | { readonly kind: "job-not-found"; readonly message: string }
  /** An Idempotency-Key that made a job came back with another request. */
  | { readonly kind: "idempotency-key-reused"; readonly message: string }
  /** A replayed upload request for a job whose upload has arrived: nothing is signed again. */
  | { readonly kind: "upload-received"; readonly message: string }
  /** The API key is at one of its own limits (KEY_LIMITS and friends); others still get through. */
  | {
      readonly kind: "key-limit";
      readonly code: "key-pending-cap" | "key-budget-exhausted";
      readonly message: string;
      readonly retryAfterMs: number;
    }
  /** The job's state does not allow it (a job rejection from the lifecycle decider). */
  | { readonly kind: "conflict"; readonly code: JobRejection["code"]; readonly message: string }
  | { readonly kind: "payload-too-large"; readonly message: string }
  /** The URL to ingest could not be fetched, or answered with an error. */
  | { readonly kind: "ingest-failed"; readonly message: string }
  | { readonly kind: "rate-limited"; readonly message: string; readonly retryAfterMs: number }
  /**
   * A backing service is unreachable; worth retrying shortly. `store-unavailable`: the job store (Redis);
   * `unavailable`: anything else (object storage, the queue, a job store too busy to commit).
   */
  | {
      readonly kind: "unavailable";
      readonly code: "store-unavailable" | "unavailable";
      readonly message: string;
      readonly retryAfterMs: number;
    }
  /** A bug or a corrupt record: the details are logged, not sent. */
  | { readonly kind: "internal"; readonly message: string };

export interface ErrorBody {
  readonly code: string;
  readonly message: string;
}

export interface HttpFailure {
  readonly status: 400 | 401 | 402 | 403 | 404 | 409 | 413 | 422 | 429 | 500 | 503;
  readonly body: ErrorBody;
  readonly headers: Readonly<Record<string, string>>;
}

const retryAfter = (ms: number): Record<string, string> => ({
  "retry-after": String(Math.max(1, Math.ceil(ms / 1000))),
});

export const toHttpFailure = (error: ApiError): HttpFailure => {
  const plain = (status: HttpFailure["status"], code: string = error.kind): HttpFailure => ({
    status,
    body: { code, message: error.message },
    headers: {},
  });
  switch (error.kind) {
    case "invalid-json":
    case "invalid-request":
    case "url-not-allowed":
      return plain(400);
    case "unauthorized":
      return { ...plain(401), headers: { "www-authenticate": 'Bearer realm="tcoder"' } };
    case "bad-signature":
      return plain(401, error.code);
    case "budget-exhausted":
      return plain(402);
    case "forbidden":
      return plain(403);
    case "not-found":
    case "job-not-found":
      return plain(404);
    case "replayed":
    case "upload-received":
      return plain(409);
    case "conflict":
      return plain(409, error.code);
    case "payload-too-large":
      return plain(413);
    case "ingest-failed":
    case "idempotency-key-reused":
      return plain(422);
    case "rate-limited":
      return { ...plain(429), headers: retryAfter(error.retryAfterMs) };
    case "key-limit":
      return { ...plain(429, error.code), headers: retryAfter(error.retryAfterMs) };
    case "internal":
      return { status: 500, body: { code: "internal", message: "internal error" }, headers: {} };
    case "unavailable":
      return { ...plain(503, error.code), headers: retryAfter(error.retryAfterMs) };
    default: {
      const unhandled: never = error;
      throw new Error(`unhandled API error ${JSON.stringify(unhandled)}`);
    }
  }
};

export const toErrorResponse = (error: ApiError): Response => {
  const failure = toHttpFailure(error);
  return new Response(JSON.stringify(failure.body), {
    status: failure.status,
    headers: { "content-type": "application/json; charset=utf-8", ...failure.headers },
  });
};

/** Failures of a backing service that a retry may fix. */
export const unavailable = (message: string): ApiError => ({
  kind: "unavailable",
  code: "unavailable",
  message,
  retryAfterMs: 2_000,
});

/** The job store (Redis) cannot be reached: every route answers this, never a 500. */
export const storeUnavailable = (message = "the job store is unreachable; try again shortly"): ApiError => ({
  kind: "unavailable",
  code: "store-unavailable",
  message,
  retryAfterMs: 2_000,
});
