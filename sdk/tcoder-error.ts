// The SDK's errors: TcoderError for an answer of the API (or of storage) that refuses the request, with the API's
// stable `code`; TcoderNetworkError when no answer came at all. An aborted call rejects with the signal's reason.

export class TcoderError extends Error {
  override readonly name = "TcoderError";
  constructor(
    /** The HTTP status. */
    readonly status: number,
    /** The API's stable error code (`unauthorized`, `not-found`, `invalid-transition`, ...). */
    readonly code: string,
    message: string,
    /** Seconds the server asked to wait before trying again (429, 503), when it said. */
    readonly retryAfter?: number,
  ) {
    super(message);
  }
}

export class TcoderNetworkError extends Error {
  override readonly name = "TcoderNetworkError";
  constructor(message: string, options?: { readonly cause?: unknown }) {
    super(message, options);
  }
}

/** A webhook whose signature is missing, malformed, stale or wrong, or whose body is not a TCoder event. */
export class WebhookVerificationError extends Error {
  override readonly name = "WebhookVerificationError";
  constructor(
    readonly code:
      | "missing-signature"
      | "malformed-signature"
      | "stale-signature"
      | "bad-signature"
      | "invalid-body",
    message: string,
  ) {
    super(message);
  }
}
