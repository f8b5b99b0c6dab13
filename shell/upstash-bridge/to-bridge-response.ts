// The one place that maps what happened to a request onto Upstash's HTTP status codes and JSON bodies.
import { encodeReply, type JsonReply, type RedisReply, type ReplyEncoding } from "./encode-reply.ts";
import type { BatchEntry, CommandFailure } from "./run-redis-command.ts";

export type BridgeOutcome =
  | { readonly kind: "single"; readonly reply: RedisReply }
  | { readonly kind: "batch"; readonly entries: readonly BatchEntry[] }
  | { readonly kind: "failed"; readonly failure: CommandFailure }
  | { readonly kind: "malformed"; readonly message: string }
  | { readonly kind: "unauthorized" }
  | { readonly kind: "too-large"; readonly limitBytes: number }
  | { readonly kind: "method-not-allowed"; readonly allow: string }
  | { readonly kind: "not-found" };

export interface BridgeResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

type Body = { readonly result: JsonReply } | { readonly error: string } | readonly EntryBody[];
type EntryBody = { readonly result: JsonReply } | { readonly error: string };

export function toBridgeResponse(outcome: BridgeOutcome, encoding: ReplyEncoding): BridgeResponse {
  switch (outcome.kind) {
    case "single":
      return json(200, { result: encodeReply(outcome.reply, encoding) });
    case "batch":
      return json(
        200,
        outcome.entries.map((entry) =>
          entry.ok ? { result: encodeReply(entry.reply, encoding) } : { error: entry.error },
        ),
      );
    case "failed":
      return json(failureStatus(outcome.failure), { error: outcome.failure.message });
    case "malformed":
      return json(400, { error: outcome.message });
    case "unauthorized":
      return json(401, { error: "Unauthorized" });
    case "too-large":
      return json(413, { error: `ERR request body exceeds the ${outcome.limitBytes}-byte limit` });
    case "method-not-allowed":
      return json(405, { error: "ERR method not allowed" }, { allow: outcome.allow });
    case "not-found":
      return json(404, { error: "ERR not found" });
    default:
      return unreachable(outcome);
  }
}

// Redis error replies and refused commands are the client's fault (400, as Upstash); the rest are the bridge's.
function failureStatus(failure: CommandFailure): number {
  switch (failure.kind) {
    case "reply":
    case "refused":
      return 400;
    case "timeout":
      return 504;
    case "unavailable":
      return 502;
    default:
      return unreachable(failure);
  }
}

function json(status: number, body: Body, headers: Record<string, string> = {}): BridgeResponse {
  return { status, headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) };
}

function unreachable(value: never): never {
  throw new Error(`unhandled case: ${JSON.stringify(value)}`);
}
