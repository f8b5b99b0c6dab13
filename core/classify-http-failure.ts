// Transport-retry policy for calls to outside services: which failures a retry may fix, and which it must not.

export interface HttpFailure {
  /** HTTP status, or null when no response arrived (network error, timeout). */
  readonly status: number | null;
  /** Whether repeating the request is safe (GET, PUT of the same bytes, DELETE, lookups). */
  readonly idempotent: boolean;
  /** Response body text, for APIs whose status codes do not tell capacity errors apart (Fly). */
  readonly body?: string;
  /** The Retry-After header, if any. */
  readonly retryAfter?: string | null;
}

export type HttpFailureClass =
  | { readonly kind: "retry"; readonly afterMs: number | null }
  /** The request may have taken effect (timeout or 5xx on a create): check before repeating it. */
  | { readonly kind: "ambiguous" }
  /** The provider has no room for the request now (Fly: no capacity in region); try later or elsewhere. */
  | { readonly kind: "capacity" }
  | { readonly kind: "fatal" };

const CAPACITY =
  /insufficient (resources|capacity|memory|cpu)|no capacity|capacity|could not reserve resource|out of (resources|capacity)/i;

/** Parses Retry-After (seconds or an HTTP date relative to `now`); null when absent or unreadable. */
export const parseRetryAfterMs = (value: string | null | undefined, now: number): number | null => {
  if (!value) return null;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
};

export const classifyHttpFailure = (failure: HttpFailure, now: number): HttpFailureClass => {
  const { status, idempotent } = failure;
  if (status !== null && [400, 403, 409, 412].includes(status) && CAPACITY.test(failure.body ?? "")) {
    return { kind: "capacity" };
  }
  if (status === 429) return { kind: "retry", afterMs: parseRetryAfterMs(failure.retryAfter, now) };
  if (status === null || status === 408 || status >= 500) {
    return idempotent
      ? { kind: "retry", afterMs: parseRetryAfterMs(failure.retryAfter, now) }
      : { kind: "ambiguous" };
  }
  return { kind: "fatal" };
};
