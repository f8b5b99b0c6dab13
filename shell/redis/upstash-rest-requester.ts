// The HTTP half of the Upstash client: one POST per request over fetch, with the status read before @upstash/redis
// sees the answer, so request limits, 5xx and proxy pages are told apart from Redis's own error replies.
import type { Requester } from "@upstash/redis";
import * as v from "valibot";
import { classifyUpstashAnswer } from "../../core/classify-upstash-answer.ts";

export interface UpstashEndpoint {
  readonly url: string;
  readonly token: string;
  /** Bound on each REST call. */
  readonly timeoutMs: number;
}

/**
 * An answer that did not come from Redis: `retryable` for 408, 429, 5xx and pages that are not Upstash's JSON,
 * not for a refusal (bad credentials). Deliberately not an UpstashError: that class means Redis answered.
 */
export class UpstashHttpError extends Error {
  override readonly name = "UpstashHttpError";
  constructor(
    readonly status: number,
    readonly retryable: boolean,
    bodyStart: string,
  ) {
    super(`Upstash answered HTTP ${status}: ${bodyStart}`);
  }
}

// Upstash's replies: a result, Redis's error, or one of those per command for /pipeline and /multi-exec.
const ReplySchema = v.union([v.object({ result: v.unknown() }), v.object({ error: v.string() })]);
const BodySchema = v.union([ReplySchema, v.array(ReplySchema)]);

const SYNC_TOKEN = "upstash-sync-token";

const parseJson = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
};

/**
 * Speaks what @upstash/redis's own HTTP client does (bearer token, JSON bodies, the read-your-writes sync token;
 * plain UTF-8 replies, no base64), minus its retries: the script runner retries with the project's policy.
 * A Redis error reply is handed to the client as `{error}`, which it throws as UpstashError; anything else that
 * is not Redis's answer is thrown here as UpstashHttpError; a network failure or timeout throws as fetch does.
 */
export const upstashRestRequester = ({ url, token, timeoutMs }: UpstashEndpoint): Requester => {
  const base = url.replace(/\/$/, "");
  const requester: Requester = {
    readYourWrites: true,
    upstashSyncToken: "",
    request: async <TResult>(req: Parameters<Requester["request"]>[0]) => {
      const response = await fetch([base, ...(req.path ?? [])].join("/"), {
        method: "POST",
        headers: {
          authorization: `Bearer ${token}`,
          "content-type": "application/json",
          [SYNC_TOKEN]: requester.upstashSyncToken ?? "",
          ...req.headers,
        },
        body: JSON.stringify(req.body),
        signal: AbortSignal.timeout(timeoutMs),
      });
      const text = await response.text();
      const body = parseJson(text);
      const upstashJson = v.is(BodySchema, body);
      const verdict = classifyUpstashAnswer({
        status: response.status,
        body: upstashJson ? "upstash-json" : "other",
      });
      if (verdict.kind !== "reply" || !upstashJson) {
        throw new UpstashHttpError(response.status, verdict.kind === "unavailable", text.slice(0, 200));
      }
      requester.upstashSyncToken = response.headers.get(SYNC_TOKEN) ?? requester.upstashSyncToken;
      // The client reads `{result, error}` per request (an array for pipelines) and throws on `error`.
      return body as { result?: TResult; error?: string };
    },
  };
  return requester;
};
