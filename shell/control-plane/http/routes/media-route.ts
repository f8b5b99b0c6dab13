// GET /media/<token>/<jobId>/<path>: a finished job's HLS outputs under a signed, expiring token in the path, so
// the relative URIs inside playlists resolve to more media URLs. Playlists are streamed through; segments (and
// any other output) redirect to a short-lived presigned GET.
import { outputPrefix } from "../../../../core/output-keys.ts";
import { unavailable } from "../api-error.ts";
import { type App, errorResponse, type RouteContext } from "../route-kit.ts";
import { fromStoreError } from "../store-failures.ts";

const PLAYLIST_TYPES = new Set(["hls-master", "hls-playlist"]);
const MAX_REDIRECT_SECONDS = 3600;
const CORS = { "access-control-allow-origin": "*" };

const gone = () =>
  new Response(JSON.stringify({ code: "not-found", message: "no such media, or the link expired" }), {
    status: 404,
    headers: { "content-type": "application/json; charset=utf-8", ...CORS },
  });

export const registerMediaRoute = (app: App, ctx: RouteContext): void => {
  const { deps, tokens } = ctx;
  app.get("/media/:token/:jobId/*", async (c) => {
    const { token, jobId } = c.req.param();
    const segments = new URL(c.req.url).pathname.split("/").slice(4);
    let relative: string;
    try {
      relative = segments.map(decodeURIComponent).join("/");
    } catch {
      return gone();
    }
    const now = deps.clock();
    const expiry = await tokens.verify(token, jobId, now);
    if (expiry === null || relative === "") return gone();

    const record = await deps.jobs.load(jobId);
    if (record.isErr()) return errorResponse(deps, fromStoreError(record.error));
    const job = record.value?.job;
    if (job?.status !== "completed") return gone();
    // Only what the job recorded as its outputs is served: the key must be listed, not just under the prefix.
    const key = `${outputPrefix(job.jobId, job.preset)}${relative}`;
    const output = job.outputs.find((o) => o.key === key);
    if (!output) return gone();

    if (PLAYLIST_TYPES.has(output.type)) {
      const stream = await deps.outputs.getStream(key);
      if (stream.isErr()) {
        return stream.error.kind === "not-found"
          ? gone()
          : errorResponse(deps, unavailable("object storage is unreachable; try again shortly"));
      }
      return new Response(stream.value.body, {
        headers: {
          "content-type": output.contentType,
          "content-length": String(stream.value.size),
          "cache-control": "private, max-age=60",
          ...CORS,
        },
      });
    }
    const seconds = Math.max(1, Math.min(MAX_REDIRECT_SECONDS, expiry - Math.floor(now / 1000)));
    const signed = await deps.outputs.presignGet(key, { expiresInSeconds: seconds });
    const location = signed.match(
      (request) => request.url,
      (never) => never,
    );
    return new Response(null, {
      status: 302,
      headers: { location, "cache-control": "private, max-age=60", ...CORS },
    });
  });
};
