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
  /** The job's state does not allow it (a job rejection from the lifecycle decider). */
  | { readonly kind: "conflict"; readonly code: JobRejection["code"]; readonly message: string }
  | { readonly kind: "payload-too-large"; readonly message: string }
  /** The URL to ingest could not be fetched, or answered with an error. */
  | { readonly kind: "ingest-failed"; readonly message: string }
  | { readonly kind: "rate-limited"; readonly message: string; readonly retryAfterMs: number }
  /** A backing service (Redis, storage) is unreachable; worth retrying shortly. */
  | { readonly kind: "unavailable"; readonly message: string; readonly retryAfterMs: number }
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
      return plain(404);
    case "replayed":
      return plain(409);
    case "conflict":
      return plain(409, error.code);
    case "payload-too-large":
      return plain(413);
    case "ingest-failed":
      return plain(422);
    case "rate-limited":
      return { ...plain(429), headers: retryAfter(error.retryAfterMs) };
    case "internal":
      return { status: 500, body: { code: "internal", message: "internal error" }, headers: {} };
    case "unavailable":
      return { ...plain(503), headers: retryAfter(error.retryAfterMs) };
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

/** Storage and Redis failures that a retry may fix. */
export const unavailable = (message: string): ApiError => ({
  kind: "unavailable",
  message,
  retryAfterMs: 2_000,
});
