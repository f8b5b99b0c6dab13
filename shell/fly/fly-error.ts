// The ways a Fly Machines call can fail, and how an HTTP outcome (or no outcome at all) maps to one.
import { classifyHttpFailure } from "../../core/classify-http-failure.ts";

export type FlyError =
  /** Fly has no room for this machine now (region or size): try later, or elsewhere. Never retried here. */
  | { readonly kind: "capacity"; readonly message: string }
  | { readonly kind: "rate-limited"; readonly retryAfterMs: number }
  /** No answer, a timeout or a 5xx. For a create this is ambiguous: the machine may exist. */
  | { readonly kind: "unavailable"; readonly message: string }
  /** A 4xx that repeating will not fix (bad token, bad request, unknown app). */
  | { readonly kind: "rejected"; readonly status: number; readonly message: string }
  | { readonly kind: "invalid-response"; readonly message: string }
  | { readonly kind: "not-found" };

/** Wait used for a 429 without Retry-After: Fly's per-action limit is one request a second. */
export const DEFAULT_RATE_LIMIT_WAIT_MS = 1000;

export interface FlyHttpOutcome {
  /** null when no response arrived (network error, timeout). */
  readonly status: number | null;
  readonly body: string;
  readonly retryAfter: string | null;
}

/** `machineScoped`: the URL names one machine, so a 404 means that machine is gone (not that the app is). */
export const toFlyError = (outcome: FlyHttpOutcome, machineScoped: boolean, now: number): FlyError => {
  const failure = {
    status: outcome.status,
    idempotent: true,
    body: outcome.body,
    retryAfter: outcome.retryAfter,
  };
  const decided = classifyHttpFailure(failure, now);
  const message = errorMessage(outcome);
  switch (decided.kind) {
    case "capacity":
      return { kind: "capacity", message };
    case "retry":
      return outcome.status === 429
        ? { kind: "rate-limited", retryAfterMs: decided.afterMs ?? DEFAULT_RATE_LIMIT_WAIT_MS }
        : { kind: "unavailable", message };
    case "ambiguous":
      // Not produced for idempotent failures; a create's ambiguity is the caller's reading of `unavailable`.
      return { kind: "unavailable", message };
    case "fatal":
      if (outcome.status === 404 && machineScoped) return { kind: "not-found" };
      return { kind: "rejected", status: outcome.status ?? 0, message };
    default: {
      const unreachable: never = decided;
      throw new Error(`toFlyError: unknown class ${JSON.stringify(unreachable)}`);
    }
  }
};

/** Failures a repeat may fix. */
export const isTransientFlyError = (error: FlyError): boolean =>
  error.kind === "rate-limited" || error.kind === "unavailable";

export const describeFlyError = (error: FlyError): string => {
  switch (error.kind) {
    case "capacity":
    case "unavailable":
    case "invalid-response":
      return `${error.kind}: ${error.message}`;
    case "rejected":
      return `rejected (${error.status}): ${error.message}`;
    case "rate-limited":
      return `rate-limited: retry after ${error.retryAfterMs} ms`;
    case "not-found":
      return "not-found";
    default: {
      const unreachable: never = error;
      throw new Error(`describeFlyError: unknown error ${JSON.stringify(unreachable)}`);
    }
  }
};

// Fly's error bodies are `{"error": "..."}`; anything else is shown as (the start of) its text.
const errorMessage = (outcome: FlyHttpOutcome): string => {
  try {
    const parsed: unknown = JSON.parse(outcome.body);
    if (
      typeof parsed === "object" &&
      parsed !== null &&
      typeof (parsed as { error?: unknown }).error === "string"
    ) {
      return (parsed as { error: string }).error;
    }
  } catch {
    // not JSON: fall through to the raw text
  }
  const text = outcome.body.trim().slice(0, 300);
  return text === "" ? (outcome.status === null ? "no response" : `HTTP ${outcome.status}`) : text;
};
