// The node:http request handler: route → authorize → read body → parse → execute → respond.
import type { IncomingMessage, ServerResponse } from "node:http";
import { answerBridgeFault } from "./answer-bridge-fault.ts";
import { type BridgeFaultQueue, runsBeforeFault } from "./bridge-faults.ts";
import { checkBearerToken } from "./check-bearer-token.ts";
import type { ReplyEncoding } from "./encode-reply.ts";
import {
  type CommandTargets,
  executeCommand,
  executePipeline,
  executeTransaction,
} from "./execute-commands.ts";
import { parseCommandBody, parseCommandListBody, type RedisCommand } from "./parse-command-body.ts";
import { readRequestBody } from "./read-request-body.ts";
import { type BridgeRoute, parsePathCommand, routeBridgeRequest } from "./route-bridge-request.ts";
import { type BridgeOutcome, toBridgeResponse } from "./to-bridge-response.ts";

/** Reported after each response; `commands` are the lower-cased command names the request carried. */
export interface BridgeRequestEvent {
  readonly route: BridgeRoute["kind"] | "bad-url";
  readonly status: number;
  readonly commands: readonly string[];
}

export interface BridgeHandlerDeps extends CommandTargets {
  readonly token: string;
  readonly maxBodyBytes: number;
  /** Read-your-writes is trivial with one Redis; clients still expect a token that moves forward. */
  readonly nextSyncToken: () => string;
  readonly onRequest?: (event: BridgeRequestEvent) => void;
  /** Scripted failures (tests): each request takes the next one. */
  readonly faults?: BridgeFaultQueue;
  /** Added before each request is served (tests: an Upstash far away or slow); 0 for none. */
  readonly latencyMs?: () => number;
}

interface Handled {
  readonly route: BridgeRequestEvent["route"];
  readonly outcome: BridgeOutcome;
  readonly commands: readonly RedisCommand[];
}

const SYNC_TOKEN_HEADER = "upstash-sync-token";

export function createBridgeHandler(
  deps: BridgeHandlerDeps,
): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    void serve(deps, req, res);
  };
}

async function serve(deps: BridgeHandlerDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const latency = deps.latencyMs?.() ?? 0;
  // The request is on its way: it runs even if its client is gone by the time it arrives, as on a real server.
  if (latency > 0) await new Promise((resolve) => setTimeout(resolve, latency));
  const fault = deps.faults?.next() ?? null;
  if (fault !== null && !runsBeforeFault(fault)) {
    // Upstash (or the proxy in front) answers before reading the command; the body is discarded.
    req.resume();
    answerBridgeFault(res, fault);
    return;
  }
  try {
    const handled = await handle(deps, req);
    if (handled === undefined) return;
    if (fault === null) respond(deps, req, res, handled);
    else answerBridgeFault(res, fault);
  } catch (error) {
    // A bug, not an expected failure: answer so the client does not hang, and keep the message visible.
    if (!res.headersSent) res.writeHead(500, { "content-type": "application/json" });
    res.end(JSON.stringify({ error: `ERR internal bridge error: ${(error as Error).message}` }));
  }
}

async function handle(deps: BridgeHandlerDeps, req: IncomingMessage): Promise<Handled | undefined> {
  const url = parseUrl(req.url);
  if (url === undefined)
    return { route: "bad-url", outcome: malformed("ERR malformed request URL"), commands: [] };
  const route = routeBridgeRequest(req.method ?? "GET", url);
  const answer = (outcome: BridgeOutcome, commands: readonly RedisCommand[] = []): Handled => ({
    route: route.kind,
    outcome,
    commands,
  });
  if (route.kind === "method-not-allowed" || route.kind === "not-found") return answer(route);
  if (!checkBearerToken(req.headers.authorization, url, deps.token)) return answer({ kind: "unauthorized" });

  const body = await readRequestBody(req, deps.maxBodyBytes);
  if (body.kind === "aborted") return undefined;
  if (body.kind === "too-large") return answer({ kind: "too-large", limitBytes: deps.maxBodyBytes });

  switch (route.kind) {
    case "command":
      return parseCommandBody(body.bytes.toString("utf8")).match(
        async (command) => answer(await executeCommand(deps, command), [command]),
        (message) => answer(malformed(message)),
      );
    case "path-command":
      return parsePathCommand(route.url, body.bytes).match(
        async (command) => answer(await executeCommand(deps, command), [command]),
        (message) => answer(malformed(message)),
      );
    case "pipeline":
    case "multi-exec": {
      const execute = route.kind === "pipeline" ? executePipeline : executeTransaction;
      return parseCommandListBody(body.bytes.toString("utf8")).match(
        async (commands) => answer(await execute(deps, commands), commands),
        (message) => answer(malformed(message)),
      );
    }
    default:
      return unreachable(route);
  }
}

function respond(deps: BridgeHandlerDeps, req: IncomingMessage, res: ServerResponse, handled: Handled): void {
  const response = toBridgeResponse(handled.outcome, replyEncoding(req));
  // Past the body limit the connection is not worth keeping: the client may still be sending.
  const connection = handled.outcome.kind === "too-large" ? { connection: "close" } : {};
  res.writeHead(response.status, {
    ...response.headers,
    ...connection,
    [SYNC_TOKEN_HEADER]: deps.nextSyncToken(),
  });
  res.end(response.body);
  deps.onRequest?.({
    route: handled.route,
    status: response.status,
    commands: handled.commands.map((command) => command.name.toLowerCase()),
  });
}

function replyEncoding(req: IncomingMessage): ReplyEncoding {
  return req.headers["upstash-encoding"]?.toString().toLowerCase() === "base64" ? "base64" : "utf8";
}

function parseUrl(path: string | undefined): URL | undefined {
  if (path === undefined || !path.startsWith("/")) return undefined;
  try {
    // Prefixing instead of passing a base keeps "//x" a path rather than a host.
    return new URL(`http://bridge${path}`);
  } catch {
    return undefined;
  }
}

function malformed(message: string): BridgeOutcome {
  return { kind: "malformed", message };
}

function unreachable(value: never): never {
  throw new Error(`unhandled route: ${JSON.stringify(value)}`);
}
