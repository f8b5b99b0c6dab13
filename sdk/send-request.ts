// One HTTP exchange with a timeout, and the transport retries around it: an answer that refuses the request becomes
// a TcoderError (the API's JSON error body read once, here), no answer a TcoderNetworkError, the caller's abort its
// reason. Retries (p-retry) cover network errors, 408, 429 and 5xx, honour Retry-After, and only for safe requests.
import pRetry from "p-retry";
import * as v from "valibot";
import { classifyHttpFailure, parseRetryAfterMs } from "../core/classify-http-failure.ts";
import { ErrorBodySchema } from "../shell/control-plane/http/api-schemas.ts";
import { abortableDelay } from "./abortable-delay.ts";
import { TcoderError, TcoderNetworkError } from "./tcoder-error.ts";

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

export interface ExchangeOptions {
  readonly signal?: AbortSignal | undefined;
  readonly timeoutMs: number;
}

/** The longest Retry-After honoured; a server asking for more is asked again sooner. */
const MAX_RETRY_AFTER_MS = 30_000;

/** Sends once; resolves with a 2xx response, rejects with a typed error otherwise. */
export const exchange = async (
  fetch: FetchLike,
  url: string,
  init: RequestInit,
  { signal, timeoutMs }: ExchangeOptions,
): Promise<Response> => {
  const timeout = AbortSignal.timeout(timeoutMs);
  let response: Response;
  try {
    response = await fetch(url, { ...init, signal: signal ? AbortSignal.any([signal, timeout]) : timeout });
  } catch (error) {
    if (signal?.aborted) throw signal.reason;
    const why = timeout.aborted
      ? `no answer within ${timeoutMs} ms`
      : String((error as Error)?.message ?? error);
    throw new TcoderNetworkError(`${init.method ?? "GET"} ${new URL(url).origin}: ${why}`, { cause: error });
  }
  if (response.ok) return response;
  throw await toTcoderError(response);
};

/** The API's `{code, message}` body when there is one; storage's XML or a proxy's page is summarised instead. */
export const toTcoderError = async (response: Response): Promise<TcoderError> => {
  const text = await response.text().catch(() => "");
  let body: unknown = null;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: S3's XML errors, or a proxy's HTML page
  }
  const parsed = v.safeParse(ErrorBodySchema, body);
  const retryAfterMs = parseRetryAfterMs(response.headers.get("retry-after"), Date.now());
  const retryAfter = retryAfterMs === null ? undefined : Math.ceil(retryAfterMs / 1000);
  if (parsed.success)
    return new TcoderError(response.status, parsed.output.code, parsed.output.message, retryAfter);
  const s3Code = /<Code>([^<]{1,64})<\/Code>/.exec(text)?.[1];
  const message = text.replace(/\s+/g, " ").trim().slice(0, 300) || response.statusText;
  return new TcoderError(response.status, s3Code ?? `http-${response.status}`, message, retryAfter);
};

/** Whether another attempt may succeed (the request being safe to repeat). */
export const isRetryable = (error: unknown): boolean => {
  if (error instanceof TcoderNetworkError) return true;
  if (!(error instanceof TcoderError)) return false;
  return classifyHttpFailure({ status: error.status, idempotent: true }, Date.now()).kind === "retry";
};

export interface RetryOptions {
  readonly retries: number;
  readonly signal?: AbortSignal | undefined;
  /** Called before each retry: progress displays can say so. */
  readonly onRetry?: (error: Error, attempt: number) => void;
}

export const withRetries = <T>(
  attempt: () => Promise<T>,
  { retries, signal, onRetry }: RetryOptions,
): Promise<T> =>
  pRetry(attempt, {
    retries,
    minTimeout: 500,
    maxTimeout: 10_000,
    randomize: true,
    signal,
    shouldRetry: ({ error }) => isRetryable(error),
    onFailedAttempt: async ({ error, attemptNumber, retriesLeft }) => {
      if (retriesLeft === 0 || !isRetryable(error)) return;
      onRetry?.(error, attemptNumber);
      if (error instanceof TcoderError && error.retryAfter !== undefined)
        await abortableDelay(Math.min(error.retryAfter * 1000, MAX_RETRY_AFTER_MS), signal);
    },
  });
