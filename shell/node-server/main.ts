// The control plane as a plain server (Node or Bun), for `make dev`-style local runs and self-hosters without
// Cloudflare: the same app, the cron on a timer, storage events through POST /internal/events.
//   PORT (8787), HOST (127.0.0.1), CRON_INTERVAL_MS (60000; 0 disables), plus the control plane's variables.
import { buildControlPlaneDeps } from "../control-plane/config/build-control-plane-deps.ts";
import { parseControlPlaneConfig } from "../control-plane/config/control-plane-config.ts";
import { runCron } from "../control-plane/cron/run-cron.ts";
import { createApp } from "../control-plane/http/app.ts";
import { backgroundTasks } from "./background-tasks.ts";
import { pinnedFetch, resolveWithDns } from "./pinned-fetch.ts";
import { serveWithBun } from "./serve-with-bun.ts";
import { type RunningServer, serveWithNode } from "./serve-with-node.ts";

type Env = Readonly<Record<string, string | undefined>>;

const intEnv = (env: Env, name: string, fallback: number): number => {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  if (!/^\d+$/.test(raw)) throw new Error(`${name} must be a whole number`);
  return Number(raw);
};

export interface StartedServer {
  readonly port: number;
  stop(): Promise<void>;
}

export const startServer = async (
  env: Readonly<Record<string, string | undefined>>,
): Promise<StartedServer> => {
  const config = parseControlPlaneConfig(env);
  // Client URLs are resolved once, checked, and connected to at the address checked.
  const deps = buildControlPlaneDeps(config, { resolveHost: resolveWithDns, outbound: pinnedFetch });
  const app = createApp(deps);
  const tasks = backgroundTasks();
  const handler = (request: Request) => app.fetch(request, {}, tasks.context);
  const port = intEnv(env, "PORT", 8787);
  const host = env.HOST ?? "127.0.0.1";
  const server: RunningServer =
    typeof Bun === "undefined"
      ? await serveWithNode(handler, port, host)
      : await serveWithBun(handler, port, host);

  const cronMs = intEnv(env, "CRON_INTERVAL_MS", 60_000);
  let cronRunning: Promise<unknown> = Promise.resolve();
  const timer =
    cronMs > 0
      ? setInterval(() => {
          cronRunning = cronRunning.then(() => runCron(deps)).catch(() => undefined);
        }, cronMs)
      : null;
  deps.log.info("server.listening", {
    port: server.port,
    host,
    runtime: typeof Bun === "undefined" ? "node" : "bun",
  });
  return {
    port: server.port,
    async stop() {
      if (timer) clearInterval(timer);
      await server.close();
      await cronRunning;
      await tasks.drain();
    },
  };
};

const isMain =
  import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith("node-server/main.ts");

if (isMain) {
  startServer(process.env).then(
    (server) => {
      const shutdown = () => {
        server.stop().then(
          () => process.exit(0),
          () => process.exit(1),
        );
      };
      process.once("SIGINT", shutdown);
      process.once("SIGTERM", shutdown);
    },
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : String(error));
      process.exit(2);
    },
  );
}
