// Sends signed S3 requests: a timeout on every attempt, p-retry on what a retry can fix, failures as StorageError.
import { ResultAsync } from "neverthrow";
import pRetry, { AbortError } from "p-retry";
import { classifyHttpFailure } from "../../core/classify-http-failure.ts";
import { idleDeadline, withReadDeadline, withUploadDeadline } from "./idle-deadline.ts";
import type { StorageError } from "./object-store.ts";
import type { S3Signer } from "./s3-signer.ts";
import type { RetrySettings } from "./s3-store-config.ts";
import { parseS3Error } from "./s3-xml.ts";
import { sizedBody } from "./sized-body.ts";

/** Replies we parse are small (a list page is ~300 KB); anything larger is not a reply we asked for. */
const MAX_REPLY_BYTES = 4 * 1024 * 1024;

export type FetchFn = (input: string, init: RequestInit) => Promise<Response>;

export interface S3Call {
  readonly method: "GET" | "HEAD" | "PUT" | "POST" | "DELETE";
  readonly url: URL;
  readonly headers?: Readonly<Record<string, string>>;
  /** A fixed body: it can be sent again on a retry. */
  readonly body?: Uint8Array | string;
  /** Repeating it cannot do harm: GET, HEAD, DELETE, list, PUT of a fixed body. */
  readonly idempotent: boolean;
}

export interface S3Reply {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
}

export interface S3Transport {
  /** A request whose reply is read whole (at most 4 MiB); retried per policy. */
  send(call: S3Call): ResultAsync<S3Reply, StorageError>;
  /** A request whose 2xx body is handed back as a stream; retried per policy until the headers arrive. */
  open(
    call: S3Call,
  ): ResultAsync<{ readonly headers: Headers; readonly body: ReadableStream<Uint8Array> }, StorageError>;
  /** A PUT streaming the caller's body. Sent once: a consumed stream cannot be replayed, so it is never retried. */
  upload(
    call: Omit<S3Call, "body" | "idempotent">,
    body: ReadableStream<Uint8Array>,
    contentLength: number,
  ): ResultAsync<S3Reply, StorageError>;
}

type Failure =
  | { readonly kind: "http"; readonly status: number; readonly code: string; readonly message: string }
  | { readonly kind: "network"; readonly message: string }
  | { readonly kind: "invalid"; readonly message: string }
  | { readonly kind: "source"; readonly message: string };

class AttemptError extends Error {
  constructor(
    readonly failure: Failure,
    readonly retryAfter: string | null = null,
    /** Set once classified: the request may have taken effect. */
    readonly ambiguous = false,
    /** Set once classified: how long the server asked us to wait. */
    readonly retryAfterMs: number | null = null,
  ) {
    super(failure.message);
  }
}

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export interface S3TransportDeps {
  readonly signer: S3Signer;
  readonly fetch: FetchFn;
  readonly now: () => number;
  readonly timeoutMs: number;
  readonly retry: RetrySettings;
}

export const createS3Transport = ({ signer, fetch, now, timeoutMs, retry }: S3TransportDeps): S3Transport => {
  const describe = (call: Pick<S3Call, "method" | "url">) => `${call.method} ${call.url.pathname}`;

  /** Runs `attempt` under p-retry; anything that is not an AttemptError is a bug and is rethrown as is. */
  const withRetries = <T>(
    call: S3Call,
    replayable: boolean,
    attempt: () => Promise<T>,
  ): ResultAsync<T, StorageError> =>
    ResultAsync.fromPromise(
      pRetry(
        async () => {
          try {
            return await attempt();
          } catch (error) {
            // Anything else (a signing or programming error) is a bug: no retry, and it is rethrown below.
            if (!(error instanceof AttemptError))
              throw new AbortError(error instanceof Error ? error : String(error));
            const { failure } = error;
            if (failure.kind === "invalid" || failure.kind === "source") throw new AbortError(error);
            const status = failure.kind === "http" ? failure.status : null;
            const verdict = classifyHttpFailure(
              { status, idempotent: call.idempotent, retryAfter: error.retryAfter },
              now(),
            );
            const ambiguous = verdict.kind === "ambiguous";
            if (verdict.kind === "retry" && replayable) {
              throw new AttemptError(failure, error.retryAfter, false, verdict.afterMs);
            }
            throw new AbortError(new AttemptError(failure, error.retryAfter, ambiguous));
          }
        },
        {
          retries: retry.retries,
          minTimeout: retry.minTimeoutMs,
          maxTimeout: retry.maxTimeoutMs,
          randomize: true,
          shouldRetry: async ({ error }) => {
            // Honour Retry-After (429/503), within our own backoff ceiling.
            const afterMs = error instanceof AttemptError ? error.retryAfterMs : null;
            if (afterMs !== null && afterMs > 0) await sleep(Math.min(afterMs, retry.maxTimeoutMs));
            return true;
          },
        },
      ),
      (error) => {
        if (error instanceof AttemptError)
          return toStorageError(describe(call), error.failure, error.ambiguous);
        throw error;
      },
    );

  /** Signs (with the clock read now, per attempt) and fetches; fetch's rejections become network failures. */
  const exchange = async (call: S3Call, init: RequestInit, extraHeaders: Record<string, string> = {}) => {
    const signed = await signer.sign(call.method, call.url, call.headers ?? {});
    const headers = new Headers(signed.headers);
    for (const [name, value] of Object.entries(extraHeaders)) headers.set(name, value);
    try {
      return await fetch(signed.url, { method: call.method, headers, redirect: "manual", ...init });
    } catch (error) {
      throw new AttemptError({ kind: "network", message: networkMessage(error, timeoutMs) });
    }
  };

  const failIfNotOk = async (response: Response): Promise<void> => {
    if (response.status >= 200 && response.status < 300) return;
    const text = await readText(response, MAX_REPLY_BYTES, timeoutMs).catch(() => "");
    const parsed = parseS3Error(text ?? "");
    throw new AttemptError(
      {
        kind: "http",
        status: response.status,
        code: parsed?.code || `HTTP${response.status}`,
        message: parsed?.message || response.statusText || "no message",
      },
      response.headers.get("retry-after"),
    );
  };

  return {
    send: (call) =>
      withRetries(call, true, async () => {
        const signal = AbortSignal.timeout(timeoutMs);
        const response = await exchange(call, {
          signal,
          ...(call.body !== undefined ? { body: call.body } : {}),
        });
        await failIfNotOk(response);
        const text = await readText(response, MAX_REPLY_BYTES, timeoutMs);
        if (text === null)
          throw new AttemptError({ kind: "invalid", message: `reply over ${MAX_REPLY_BYTES} bytes` });
        return { status: response.status, headers: response.headers, text };
      }),

    open: (call) =>
      withRetries(call, true, async () => {
        const deadline = idleDeadline(timeoutMs);
        deadline.arm();
        try {
          const response = await exchange(call, { signal: deadline.signal });
          await failIfNotOk(response);
          if (response.body === null)
            throw new AttemptError({ kind: "invalid", message: "2xx reply without a body" });
          return { headers: response.headers, body: withReadDeadline(response.body, deadline) };
        } finally {
          deadline.disarm();
        }
      }),

    upload: (call, source, contentLength) => {
      // Repeating the PUT would be harmless, so a failure is never ambiguous; it just cannot be done from here.
      const full: S3Call = { ...call, idempotent: true };
      return withRetries(full, false, async () => {
        const deadline = idleDeadline(timeoutMs);
        const { body, sourceError } = withUploadDeadline(source, deadline, contentLength);
        deadline.arm();
        try {
          const response = await exchange(
            full,
            { signal: deadline.signal, body: sizedBody(body, contentLength), duplex: "half" } as RequestInit,
            { "content-length": String(contentLength) },
          ).catch((error: unknown) => {
            const problem = sourceError();
            throw problem ? new AttemptError({ kind: "source", message: problem.message }) : error;
          });
          // A server may answer a body cut short as if it were whole (s3rver does): the source has the last word.
          const problem = sourceError();
          if (problem) throw new AttemptError({ kind: "source", message: problem.message });
          await failIfNotOk(response);
          const text = await readText(response, MAX_REPLY_BYTES, timeoutMs);
          return { status: response.status, headers: response.headers, text: text ?? "" };
        } finally {
          deadline.disarm();
        }
      });
    },
  };
};

/** The body as text, or null when it is longer than `maxBytes`; a stall or reset counts as a network failure. */
async function readText(response: Response, maxBytes: number, timeoutMs: number): Promise<string | null> {
  if (response.body === null) return "";
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let text = "";
  let bytes = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return text + decoder.decode();
      bytes += value.byteLength;
      if (bytes > maxBytes) {
        await reader.cancel().catch(() => undefined);
        return null;
      }
      text += decoder.decode(value, { stream: true });
    }
  } catch (error) {
    throw new AttemptError({
      kind: "network",
      message: `reading the reply: ${networkMessage(error, timeoutMs)}`,
    });
  }
}

function networkMessage(error: unknown, timeoutMs: number): string {
  const name = error instanceof Error || error instanceof DOMException ? error.name : "";
  if (name === "TimeoutError") return `timed out (${timeoutMs} ms without progress)`;
  const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : "";
  return `${messageOf(error)}${cause}`;
}

/** The one place S3 failures become StorageError values. */
function toStorageError(what: string, failure: Failure, ambiguous: boolean): StorageError {
  switch (failure.kind) {
    case "network":
      return { kind: "unavailable", message: `${what}: ${failure.message}`, ambiguous };
    case "invalid":
      return { kind: "invalid-response", message: `${what}: ${failure.message}` };
    case "source":
      return { kind: "source-failed", message: `${what}: ${failure.message}` };
    case "http": {
      const { status, code } = failure;
      const message = `${what}: HTTP ${status} ${code}: ${failure.message}`;
      if (status === 404) return { kind: "not-found", message };
      if (status === 401 || status === 403) return { kind: "access-denied", message };
      if (status === 413 || code === "EntityTooLarge") return { kind: "too-large", message };
      if (status === 408 || status === 429 || status >= 500)
        return { kind: "unavailable", message, ambiguous };
      if (status >= 400) return { kind: "rejected", status, code, message };
      return { kind: "invalid-response", message };
    }
    default: {
      const unreachable: never = failure;
      throw new Error(`unknown failure ${JSON.stringify(unreachable)}`);
    }
  }
}
