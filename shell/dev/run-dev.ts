// `make dev`: the whole pipeline in the foreground with prefixed logs, until Ctrl-C stops everything cleanly.
//   PORT (8787), TCODER_API_KEY (a printed dev default) and/or TCODER_API_KEYS (comma-separated: several tenants),
//   KEY_MONTHLY_BUDGET_USD, KEY_MAX_PENDING_JOBS, KEY_LIMITS (per-key limits), DEV_CRON_INTERVAL_MS (10000),
//   DEV_DATA_DIR (.tmp/dev); the upload settings in PASSED_THROUGH reach the control plane when set.
// Run with Bun from the repository root: `bun shell/dev/run-dev.ts`.
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { ensureFixtures } from "../../scripts/make-fixtures.ts";
import { prefixedLog } from "./prefixed-log.ts";
import { type DevStack, startDevStack } from "./start-dev-stack.ts";
import { tryNextText } from "./try-next-text.ts";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
/** Local only: the dev stack listens on 127.0.0.1 and its data is yours. Set TCODER_API_KEY to use another. */
export const DEV_API_KEY = "tk_dev_local_only_change_me";

/**
 * Settings passed to the control plane as they are, when set: tenants and their limits, and what is worth trying
 * locally about uploads (an upload that expires, input retention).
 */
const PASSED_THROUGH = [
  "TCODER_API_KEYS",
  "KEY_MONTHLY_BUDGET_USD",
  "KEY_MAX_PENDING_JOBS",
  "KEY_LIMITS",
  "UPLOAD_URL_TTL_SECONDS",
  "UPLOAD_GRACE_SECONDS",
  "UPLOAD_CHECK_SECONDS",
  "INPUT_RETENTION_DAYS",
  "SPLIT_AFTER_SECONDS",
  "SPLIT_CHUNK_SECONDS",
] as const;

const intFrom = (name: string, fallback: number): number => {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  if (!/^\d+$/.test(raw)) throw new Error(`${name} must be a whole number, got ${JSON.stringify(raw)}`);
  return Number(raw);
};

const main = async (): Promise<void> => {
  const log = prefixedLog((text) => process.stdout.write(text), { color: process.stdout.isTTY === true });
  const moreKeys = (process.env.TCODER_API_KEYS ?? "")
    .split(",")
    .map((key) => key.trim())
    .filter((key) => key !== "");
  // The printed flow uses TCODER_API_KEY, else the first of TCODER_API_KEYS; every key is accepted.
  const apiKey = process.env.TCODER_API_KEY ?? moreKeys[0] ?? DEV_API_KEY;
  if ([apiKey, ...moreKeys].some((key) => key.length < 16))
    throw new Error("TCODER_API_KEY and each of TCODER_API_KEYS need 16+ characters");
  const vars = Object.fromEntries(
    PASSED_THROUGH.flatMap((name) => {
      const value = process.env[name];
      return value === undefined || value === "" ? [] : [[name, value]];
    }),
  );
  const port = intFrom("PORT", 8787);
  let stack: DevStack | null = null;
  let signals = 0;
  const stop = async (signal: string) => {
    log("dev", `${signal}: stopping (machines first, then the Worker and the services)…`);
    try {
      await stack?.stop();
      log("dev", "stopped; nothing left running");
      process.exit(0);
    } catch (error) {
      log("dev", error instanceof Error ? error.message : String(error));
      process.exit(1);
    }
  };
  // Signals during start-up wait for it to finish, then stop what came up. A second Ctrl-C while stopping forces
  // the exit: the exit handlers of the launcher, redis-server and wrangler then SIGKILL what is left.
  let pendingSignal: string | null = null;
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.on(signal, () => {
      signals += 1;
      if (signals > 1) {
        log("dev", `${signal} again: forcing the exit`);
        process.exit(130);
      }
      if (stack === null) pendingSignal = signal;
      else void stop(signal);
    });
  }

  log("dev", `starting the local pipeline (API on port ${port}) …`);
  // The sample video the printed curl flow uploads (built once, then cached in fixtures/media/).
  const fixtures = ensureFixtures().catch((error: unknown) => {
    log(
      "dev",
      `could not build the sample videos: ${error instanceof Error ? error.message : String(error)}`,
    );
    return null;
  });
  stack = await startDevStack({
    root: ROOT,
    dataDir: join(ROOT, process.env.DEV_DATA_DIR ?? ".tmp/dev"),
    port,
    apiKey,
    cronIntervalMs: intFrom("DEV_CRON_INTERVAL_MS", 10_000),
    vars,
    log,
  });
  const media = await fixtures;
  if (pendingSignal !== null) {
    await stop(pendingSignal);
    return;
  }
  const publicUrl = `http://localhost:${port}`;
  process.stdout.write(
    tryNextText({
      apiUrl: publicUrl,
      apiKey,
      keyIsDefault: apiKey === DEV_API_KEY,
      fixture: media?.["h264-720p-10s.mp4"] ?? "<your video.mp4>",
    }),
  );
};

main().catch((error: unknown) => {
  process.stderr.write(`make dev: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
