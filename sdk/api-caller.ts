// The SDK's calls to the control plane: the API key, JSON in and out, each answer checked against the API's own
// valibot schema (the server's api-schemas.ts, so the SDK's types are the API's), retried only when safe to repeat.
import * as v from "valibot";
import { exchange, type FetchLike, withRetries } from "./send-request.ts";
import { TcoderError } from "./tcoder-error.ts";

export interface ApiCall<S extends v.GenericSchema> {
  readonly method: "GET" | "POST";
  readonly path: string;
  readonly query?: Readonly<Record<string, string | number | undefined>>;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
  readonly schema: S;
  readonly signal?: AbortSignal | undefined;
  /** Safe to repeat after a lost answer: GETs, and POSTs made idempotent (an Idempotency-Key, re-signing). */
  readonly idempotent: boolean;
}

export interface ApiCaller {
  readonly baseUrl: string;
  call<S extends v.GenericSchema>(request: ApiCall<S>): Promise<v.InferOutput<S>>;
}

export interface ApiCallerOptions {
  readonly baseUrl: string;
  readonly apiKey: string;
  readonly fetch: FetchLike;
  readonly timeoutMs: number;
  readonly retries: number;
}

export const apiCaller = ({ baseUrl, apiKey, fetch, timeoutMs, retries }: ApiCallerOptions): ApiCaller => {
  const root = baseUrl.replace(/\/+$/, "");
  const urlOf = (path: string, query: ApiCall<v.GenericSchema>["query"] = {}) => {
    const url = new URL(`${root}${path}`);
    for (const [name, value] of Object.entries(query)) {
      if (value !== undefined) url.searchParams.set(name, String(value));
    }
    return url.toString();
  };
  return {
    baseUrl: root,
    async call(request) {
      const url = urlOf(request.path, request.query);
      const headers: Record<string, string> = { authorization: `Bearer ${apiKey}`, ...request.headers };
      if (request.body !== undefined) headers["content-type"] = "application/json";
      const init: RequestInit = {
        method: request.method,
        headers,
        ...(request.body === undefined ? {} : { body: JSON.stringify(request.body) }),
      };
      const attempt = async () => {
        const response = await exchange(fetch, url, init, { signal: request.signal, timeoutMs });
        const text = await response.text();
        let json: unknown;
        try {
          json = text === "" ? null : JSON.parse(text);
        } catch {
          throw new TcoderError(
            response.status,
            "invalid-response",
            `${request.method} ${request.path}: not JSON`,
          );
        }
        const parsed = v.safeParse(request.schema, json);
        if (!parsed.success) {
          const issue = parsed.issues[0];
          const where = issue ? v.getDotPath(issue) : null;
          throw new TcoderError(
            response.status,
            "invalid-response",
            `${request.method} ${request.path}: unexpected answer (${where ?? "body"}: ${issue?.message ?? "?"})`,
          );
        }
        return parsed.output;
      };
      return withRetries(attempt, { retries: request.idempotent ? retries : 0, signal: request.signal });
    },
  };
};
