// One HTTP exchange with the Machines API (plain fetch, so it runs in Workers, Bun and Node): no retries.
import { errAsync, okAsync, ResultAsync } from "neverthrow";
import { flyAuthorization } from "./fly-authorization.ts";
import type { FlyConfig } from "./fly-config.ts";
import { type FlyError, toFlyError } from "./fly-error.ts";

export interface FlyRequest {
  readonly method: "GET" | "POST" | "DELETE";
  /** Under the app: `/machines`, `/machines/<id>/wait`. */
  readonly path: string;
  readonly query?: Readonly<Record<string, string>>;
  readonly body?: unknown;
  /** Added to the configured per-request timeout (a wait blocks on purpose). */
  readonly extraTimeoutMs?: number;
  /** The path names one machine: a 404 is `not-found`. */
  readonly machineScoped: boolean;
  /** Non-2xx statuses that are answers, not failures (408 for a wait). */
  readonly answerStatuses?: readonly number[];
}

export interface FlyReply {
  readonly status: number;
  /** Parsed JSON, or null for an empty body. */
  readonly body: unknown;
}

const messageOf = (error: unknown): string =>
  error instanceof Error ? `${error.name}: ${error.message}` : String(error);

export const sendFlyRequest = (config: FlyConfig, request: FlyRequest): ResultAsync<FlyReply, FlyError> => {
  const url = new URL(`${config.baseUrl}/apps/${encodeURIComponent(config.appName)}${request.path}`);
  for (const [key, value] of Object.entries(request.query ?? {})) url.searchParams.set(key, value);
  const headers: Record<string, string> = {
    authorization: flyAuthorization(config.token),
    accept: "application/json",
  };
  if (request.body !== undefined) headers["content-type"] = "application/json";

  const exchange = async () => {
    const response = await fetch(url, {
      method: request.method,
      headers,
      body: request.body === undefined ? undefined : JSON.stringify(request.body),
      signal: AbortSignal.timeout(config.requestTimeoutMs + (request.extraTimeoutMs ?? 0)),
    });
    // Reading the body is inside the same timeout and the same error mapping as the request.
    return {
      status: response.status,
      retryAfter: response.headers.get("retry-after"),
      text: await response.text(),
    };
  };

  return ResultAsync.fromPromise(exchange(), (error) =>
    toFlyError(
      { status: null, body: messageOf(error), retryAfter: null },
      request.machineScoped,
      config.now(),
    ),
  ).andThen(({ status, retryAfter, text }) => {
    const answered = (status >= 200 && status < 300) || (request.answerStatuses ?? []).includes(status);
    if (!answered)
      return errAsync(toFlyError({ status, body: text, retryAfter }, request.machineScoped, config.now()));
    if (text.trim() === "") return okAsync({ status, body: null });
    try {
      return okAsync({ status, body: JSON.parse(text) as unknown });
    } catch {
      return errAsync<FlyReply, FlyError>({
        kind: "invalid-response",
        message: `${request.method} ${request.path}: HTTP ${status} body is not JSON: ${text.slice(0, 200)}`,
      });
    }
  });
};
