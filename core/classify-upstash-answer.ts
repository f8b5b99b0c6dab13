// What an answer from Upstash's REST API means: Redis's own reply, a failure a retry may fix, or a refusal.
import { classifyHttpFailure } from "./classify-http-failure.ts";

export interface UpstashAnswer {
  readonly status: number;
  /**
   * Whether the body is Upstash's JSON: `{"result": ...}`, `{"error": "..."}`, or a list of those (a pipeline).
   * Proxy pages (HTML), truncated bodies and other JSON are `other`.
   */
  readonly body: "upstash-json" | "other";
}

export type UpstashAnswerClass =
  /** Redis answered: a result (2xx), or Redis's own error reply (HTTP 400 with `{"error"}`), never retried. */
  | { readonly kind: "reply" }
  /** Upstash or something in front of it failed (408, 429 limits, 5xx, a page that is not its JSON): retry. */
  | { readonly kind: "unavailable" }
  /** Refused for good (401/403 bad credentials, another 4xx without a Redis error): a bug or bad configuration. */
  | { readonly kind: "refused" };

const REPLY: UpstashAnswerClass = { kind: "reply" };
const UNAVAILABLE: UpstashAnswerClass = { kind: "unavailable" };
const REFUSED: UpstashAnswerClass = { kind: "refused" };

/**
 * @upstash/redis throws one UpstashError for all of these, so the HTTP status has to be read before the client
 * sees the answer: a 429 with `{"error": "ERR max requests limit exceeded"}` is a limit, not a script bug.
 */
export const classifyUpstashAnswer = ({ status, body }: UpstashAnswer): UpstashAnswerClass => {
  const success = status >= 200 && status < 300;
  if (body === "upstash-json" && (success || status === 400)) return REPLY;
  // A 2xx that is not Upstash's JSON came from something in between (a proxy, a captive portal).
  if (success) return UNAVAILABLE;
  // A Redis error reply always comes in Upstash's JSON; the rest is judged as any idempotent call would be.
  return classifyHttpFailure({ status, idempotent: true }, 0).kind === "retry" ? UNAVAILABLE : REFUSED;
};
