// Maps an HTTP method and URL to what the bridge should do: one command, a pipeline, a transaction, a path command.
import { err, ok, type Result } from "neverthrow";
import type { RedisCommand } from "./parse-command-body.ts";

export type BridgeRoute =
  | { readonly kind: "command" }
  | { readonly kind: "pipeline" }
  | { readonly kind: "multi-exec" }
  | { readonly kind: "path-command"; readonly url: URL }
  | { readonly kind: "method-not-allowed"; readonly allow: string }
  | { readonly kind: "not-found" };

const BODY_ROUTES = { "/": "command", "/pipeline": "pipeline", "/multi-exec": "multi-exec" } as const;
const PATH_COMMAND_METHODS = new Set(["GET", "POST", "PUT"]);

export function routeBridgeRequest(method: string, url: URL): BridgeRoute {
  const bodyRoute = BODY_ROUTES[url.pathname as keyof typeof BODY_ROUTES];
  if (bodyRoute !== undefined) {
    return method === "POST" ? { kind: bodyRoute } : { kind: "method-not-allowed", allow: "POST" };
  }
  // Sub-paths of the batch endpoints are reserved, not commands named "pipeline".
  if (url.pathname.startsWith("/pipeline/") || url.pathname.startsWith("/multi-exec/"))
    return { kind: "not-found" };
  if (!PATH_COMMAND_METHODS.has(method)) return { kind: "method-not-allowed", allow: "GET, POST, PUT" };
  return { kind: "path-command", url };
}

/**
 * Upstash's URL form: `/set/foo/bar?EX=100`. A non-empty POST/PUT body is the value appended after the path
 * arguments (binary-safe), query parameters other than `_token` come last as name, value pairs.
 */
export function parsePathCommand(url: URL, body: Buffer): Result<RedisCommand, string> {
  const segments = url.pathname.slice(1).split("/");
  if (segments.length > 1 && segments.at(-1) === "") segments.pop();
  const decoded: string[] = [];
  for (const segment of segments) {
    try {
      decoded.push(decodeURIComponent(segment));
    } catch {
      return err(`ERR malformed path segment '${segment}'`);
    }
  }
  const [name, ...pathArgs] = decoded;
  if (name === undefined || name === "") return err("ERR the command name is empty");
  const queryArgs = [...url.searchParams]
    .filter(([key]) => key !== "_token")
    .flatMap(([key, value]) => (value === "" ? [key] : [key, value]));
  return ok({ name, args: [...pathArgs, ...(body.length > 0 ? [body] : []), ...queryArgs] });
}
