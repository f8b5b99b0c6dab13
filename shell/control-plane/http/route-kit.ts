// What every route shares: the app's types, the per-app context, and `respond` — the one place a handler's
// Result becomes a Response (successes as JSON, failures through api-error.ts).
import type { Context, Hono } from "hono";
import type { ResultAsync } from "neverthrow";
import type { ControlPlaneDeps } from "../config/control-plane-deps.ts";
import type { MediaTokens } from "../views/media-token.ts";
import type { ViewContext } from "../views/render-job-view.ts";
import { type ApiError, toErrorResponse } from "./api-error.ts";

export type AppEnv = { Variables: { keyId: string } };
export type App = Hono<AppEnv>;
export type AppContext = Context<AppEnv>;

export interface RouteContext {
  readonly deps: ControlPlaneDeps;
  readonly tokens: MediaTokens;
}

export const errorResponse = (deps: ControlPlaneDeps, error: ApiError): Response => {
  if (error.kind === "internal") deps.log.error("request.internal-error", { message: error.message });
  return toErrorResponse(error);
};

export const respond = async <T>(
  ctx: RouteContext,
  result: ResultAsync<T, ApiError>,
  render: (value: T) => Response | Promise<Response>,
): Promise<Response> => {
  const outcome = await result;
  return outcome.isOk() ? render(outcome.value) : errorResponse(ctx.deps, outcome.error);
};

/** Media URLs and the multipart complete URL are absolute: the configured public URL, else this request's origin. */
export const viewContext = (ctx: RouteContext, c: AppContext): ViewContext => ({
  origin: ctx.deps.config.publicUrl ?? new URL(c.req.url).origin,
  tokens: ctx.tokens,
});

/**
 * Work that must not delay the response: the Worker's waitUntil, or the Node server's tracked promises. Short work
 * only: Cloudflare cancels waitUntil work 30 s after the response. Spawns and webhook sends, which can take longer,
 * go through handOffBackgroundTask (the queue on the Worker), so what is deferred here is one queue send.
 */
export const defer = (ctx: RouteContext, c: AppContext, task: Promise<unknown>): void => {
  const guarded = task.catch((error: unknown) =>
    ctx.deps.log.error("background.failed", {
      message: error instanceof Error ? error.message : String(error),
    }),
  );
  try {
    c.executionCtx.waitUntil(guarded);
  } catch {
    // No execution context (app.request in a test without one): the task simply runs on.
  }
};

const JOB_ID = /^[A-Za-z0-9_-]{8,64}$/;

/** A path's job id, refused as not-found when it cannot be one of ours (no lookup needed). */
export const jobIdParam = (c: AppContext, name = "id"): string | ApiError => {
  const id = c.req.param(name) ?? "";
  return JOB_ID.test(id) ? id : { kind: "job-not-found", message: "no such job" };
};
