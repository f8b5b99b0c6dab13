// Sends HMAC-signed reports to the control plane (POST CALLBACK_URL), retried with backoff for about 30 s.
import { err, ok, type Result } from "neverthrow";
import pRetry, { AbortError } from "p-retry";
import { classifyHttpFailure } from "../core/classify-http-failure.ts";
import { SIGNATURE_HEADER } from "../core/signature-header.ts";
import {
  buildCallbackBody,
  type CallbackReport,
  type CallbackSender,
} from "../shell/callbacks/callback-body.ts";
import { signBody } from "../shell/signing/hmac-signature.ts";
import type { CallbackTarget } from "./worker-env.ts";

export type CallbackFailure = { readonly kind: "callback-failed"; readonly message: string };

export interface CallbackClient {
  send(sender: CallbackSender, report: CallbackReport): Promise<Result<void, CallbackFailure>>;
}

export interface CallbackDeps {
  readonly clock: () => number;
  /** 16+ random hex characters, fresh for every attempt. */
  readonly nonce: () => string;
  readonly fetch?: (url: string, init: RequestInit) => Promise<Response>;
  /** Per attempt. */
  readonly attemptTimeoutMs?: number;
  /** All attempts together. */
  readonly totalMs?: number;
}

class StatusError extends Error {
  constructor(
    readonly status: number,
    text: string,
  ) {
    super(`HTTP ${status}${text ? `: ${text.slice(0, 200)}` : ""}`);
  }
}

/**
 * Each attempt is a new message (fresh sentAt, nonce and signature): the control plane refuses a signature it has
 * seen, and applies the same report twice idempotently. 429, 5xx and network failures are retried; any other
 * answer is final.
 */
export const callbackClient = (target: CallbackTarget, deps: CallbackDeps): CallbackClient => {
  const doFetch = deps.fetch ?? ((url, init) => fetch(url, init));
  const attemptTimeoutMs = deps.attemptTimeoutMs ?? 10_000;
  const attempt = async (sender: CallbackSender, report: CallbackReport): Promise<void> => {
    const sentAt = deps.clock();
    const body = buildCallbackBody(sender, report, { sentAt, nonce: deps.nonce() });
    const signature = await signBody(target.secret, body, sentAt);
    let response: Response;
    try {
      response = await doFetch(target.url, {
        method: "POST",
        headers: { "content-type": "application/json", [SIGNATURE_HEADER]: signature },
        body,
        signal: AbortSignal.timeout(attemptTimeoutMs),
      });
    } catch (error) {
      throw new Error(`POST ${target.url}: ${error instanceof Error ? error.message : String(error)}`);
    }
    const text = await response.text().catch(() => "");
    if (response.ok) return;
    const failure = new StatusError(response.status, text);
    const verdict = classifyHttpFailure(
      { status: response.status, idempotent: true, retryAfter: response.headers.get("retry-after") },
      deps.clock(),
    );
    throw verdict.kind === "retry" ? failure : new AbortError(failure);
  };
  return {
    async send(sender, report) {
      try {
        await pRetry(() => attempt(sender, report), {
          retries: 8,
          minTimeout: 250,
          maxTimeout: 8_000,
          maxRetryTime: deps.totalMs ?? 30_000,
        });
        return ok(undefined);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        return err({
          kind: "callback-failed",
          message: `${report.kind} callback for ${sender.jobId}: ${message}`,
        });
      }
    },
  };
};
