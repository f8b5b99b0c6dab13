// The Cloudflare Worker entry: the control plane's app (fetch), R2 event intake and background tasks (queue), the
// cron (scheduled), with ports built once per isolate from `env` (vars and secrets).

import { processQueueBatch } from "../control-plane/background/process-queue-batch.ts";
import { buildControlPlaneDeps } from "../control-plane/config/build-control-plane-deps.ts";
import { parseControlPlaneConfig } from "../control-plane/config/control-plane-config.ts";
import type { ControlPlaneDeps, EventQueue } from "../control-plane/config/control-plane-deps.ts";
import { runCron } from "../control-plane/cron/run-cron.ts";
import { type App, createApp } from "../control-plane/http/app.ts";

type Env = Readonly<Record<string, unknown>>;

interface Root {
  readonly deps: ControlPlaneDeps;
  readonly app: App;
}

// workerd hands every invocation of an isolate the same env object; bad config throws on first use.
const roots = new WeakMap<Env, Root>();

/** The producer binding of the upload queue (wrangler.toml), when this deployment has one. */
const eventQueueOf = (env: Env): EventQueue | null => {
  const binding = env.UPLOAD_EVENTS as Queue | undefined;
  if (binding === undefined || typeof binding.send !== "function") return null;
  // JSON, like the R2 notifications the consumer otherwise receives.
  return {
    send: async (body) => {
      await binding.send(body, { contentType: "json" });
    },
  };
};

const rootFor = (env: Env): Root => {
  const existing = roots.get(env);
  if (existing) return existing;
  const deps = buildControlPlaneDeps(parseControlPlaneConfig(env), { eventQueue: eventQueueOf(env) });
  const root = { deps, app: createApp(deps) };
  roots.set(env, root);
  return root;
};

export default {
  fetch(request, env, ctx) {
    return rootFor(env).app.fetch(request, env, ctx);
  },

  // The upload queue and its dead-letter queue run the same idempotent intake (wrangler.toml: the latter retries
  // less often, for longer), so an event that outlived a Redis outage still enqueues its job.
  async queue(batch, env, _ctx) {
    await processQueueBatch(rootFor(env).deps, batch.messages);
  },

  async scheduled(_controller, env, _ctx) {
    await runCron(rootFor(env).deps);
  },
} satisfies ExportedHandler<Env, unknown>;
