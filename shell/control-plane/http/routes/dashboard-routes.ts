// GET / (the dashboard page) and GET /app/<file> (its script, stylesheet and the vendored hls.js), served from the
// generated module (scripts/build-dashboard.mjs) with ETags; the page under its Content-Security-Policy.
import type { Context } from "hono";
import { dashboardContentPolicy } from "../dashboard-content-policy.ts";
import { DASHBOARD_ASSETS } from "../generated/dashboard-assets.ts";
import { type App, errorResponse, type RouteContext } from "../route-kit.ts";

type Asset = (typeof DASHBOARD_ASSETS)[keyof typeof DASHBOARD_ASSETS];

const serve = (c: Context, asset: Asset, headers: Record<string, string> = {}): Response => {
  const common = {
    etag: asset.etag,
    // Revalidated on every load (a 304 when unchanged), so a deploy is seen at once.
    "cache-control": "no-cache",
    "x-content-type-options": "nosniff",
    ...headers,
  };
  if (c.req.header("if-none-match") === asset.etag)
    return new Response(null, { status: 304, headers: common });
  return new Response(asset.body, { headers: { "content-type": asset.contentType, ...common } });
};

export const registerDashboardRoutes = (app: App, ctx: RouteContext): void => {
  const { config } = ctx.deps;
  const pageHeaders = {
    "content-security-policy": dashboardContentPolicy({
      storageEndpoint: config.storage.endpoint,
      publicUrl: config.publicUrl,
      mediaBaseUrl: config.media.publicBaseUrl,
    }),
    // Presigned and media URLs carry signatures and tokens; the page's address need not travel with them.
    "referrer-policy": "no-referrer",
    "cross-origin-opener-policy": "same-origin",
  };
  const files = new Map<string, Asset>(
    Object.entries(DASHBOARD_ASSETS).filter(([name]) => name !== "index.html"),
  );

  app.get("/", (c) => serve(c, DASHBOARD_ASSETS["index.html"], pageHeaders));
  app.get("/app/:file", (c) => {
    const asset = files.get(c.req.param("file"));
    return asset
      ? serve(c, asset)
      : errorResponse(ctx.deps, { kind: "not-found", message: `no dashboard file ${c.req.path}` });
  });
};
