// The control plane's Hono app, runtime-free: the Worker and the Node/Bun server both serve exactly this.
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { cors } from "hono/cors";
import { HTTPException } from "hono/http-exception";
import type { ControlPlaneDeps } from "../config/control-plane-deps.ts";
import { mediaTokens } from "../views/media-token.ts";
import { apiKeyCheck } from "./api-key-check.ts";
import { openApiDocument } from "./openapi-document.ts";
import type { App, AppEnv, RouteContext } from "./route-kit.ts";
import { errorResponse } from "./route-kit.ts";
import { registerDashboardRoutes } from "./routes/dashboard-routes.ts";
import { registerInternalRoutes } from "./routes/internal-routes.ts";
import { registerJobRoutes } from "./routes/job-routes.ts";
import { registerMediaRoute } from "./routes/media-route.ts";
import { registerUploadRoutes } from "./routes/upload-routes.ts";

export type { App } from "./route-kit.ts";

export const createApp = (deps: ControlPlaneDeps): App => {
  const app = new Hono<AppEnv>();
  const ctx: RouteContext = { deps, tokens: mediaTokens(deps.config.media.secret) };
  const checkKey = apiKeyCheck(deps.config.apiKeys);
  const document = openApiDocument();
  const tooLarge = (limit: number) => () =>
    errorResponse(deps, { kind: "payload-too-large", message: `the body is over ${limit} bytes` });

  app.onError((error) => {
    if (error instanceof HTTPException && error.status === 413) {
      return errorResponse(deps, { kind: "payload-too-large", message: "the body is too large" });
    }
    return errorResponse(deps, {
      kind: "internal",
      message: error instanceof Error ? (error.stack ?? error.message) : String(error),
    });
  });
  app.notFound((c) =>
    errorResponse(deps, { kind: "not-found", message: `no route for ${c.req.method} ${c.req.path}` }),
  );

  app.get("/health", (c) => c.json({ status: "ok" as const }));
  app.get("/api/openapi.json", (c) => c.json(document));
  registerDashboardRoutes(app, ctx);

  app.use(
    "/api/*",
    cors({ origin: "*", allowHeaders: ["authorization", "content-type", "idempotency-key"], maxAge: 600 }),
    bodyLimit({
      maxSize: deps.config.limits.maxBodyBytes,
      onError: tooLarge(deps.config.limits.maxBodyBytes),
    }),
    async (c, next) => {
      const client = await checkKey(c.req.header("authorization"));
      if (client === null) {
        return errorResponse(deps, { kind: "unauthorized", message: "send Authorization: Bearer <API key>" });
      }
      c.set("keyId", client.keyId);
      await next();
    },
  );
  app.use(
    "/internal/*",
    bodyLimit({
      maxSize: deps.config.limits.maxCallbackBytes,
      onError: tooLarge(deps.config.limits.maxCallbackBytes),
    }),
  );

  registerUploadRoutes(app, ctx);
  registerJobRoutes(app, ctx);
  registerMediaRoute(app, ctx);
  registerInternalRoutes(app, ctx);
  return app;
};
