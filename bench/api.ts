// `make bench` (api_rps): GET /api/jobs/:id against the control plane's Node/Bun server (shell/node-server under
// Bun), with its Redis behind the Upstash bridge, all on loopback; the load generator is this process: keep-alive
// fetch loops at a fixed concurrency. Prints requests/s and merges `api_rps` into bench/results.json.
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import { startBenchRedis } from "./redis-server.ts";
import { mergeResults } from "./results-file.ts";

const CONCURRENCY = 64;
const WARMUP_MS = 2_000;
const MEASURE_MS = 10_000;
const GOAL_RPS = 2_000;
const RESULTS_PATH = fileURLToPath(new URL("./results.json", import.meta.url));
const ROOT = fileURLToPath(new URL("..", import.meta.url));
const BUN = fileURLToPath(new URL("../node_modules/.bin/bun", import.meta.url));

const say = (line: string) => process.stdout.write(`${line}\n`);

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      probe.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });

const children = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of children) child.kill("SIGKILL");
});

/** Starts `bun <script>` and resolves once `url` answers. */
const startChild = async (
  script: string,
  env: Record<string, string>,
  url: string,
): Promise<ChildProcess> => {
  const child = spawn(BUN, [script], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ["ignore", "ignore", "inherit"],
  });
  children.add(child);
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) throw new Error(`${script} exited with ${child.exitCode}`);
    try {
      await fetch(url);
      return child;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  throw new Error(`${script} did not answer at ${url}`);
};

const stopChild = async (child: ChildProcess) => {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5_000))]);
  child.kill("SIGKILL");
  children.delete(child);
};

/** Keep-alive GET loops for `ms`; counts 200s (and fails the run on anything else). */
const load = async (url: string, headers: Record<string, string>, ms: number): Promise<number> => {
  let ok = 0;
  const until = performance.now() + ms;
  const loop = async () => {
    while (performance.now() < until) {
      const response = await fetch(url, { headers });
      await response.arrayBuffer();
      if (response.status !== 200) throw new Error(`GET answered ${response.status}`);
      ok += 1;
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, loop));
  return ok;
};

const main = async () => {
  const redis = await startBenchRedis();
  const token = randomBytes(16).toString("hex");
  const apiKey = `tk_${randomBytes(16).toString("hex")}`;
  const [bridgePort, apiPort] = [await freePort(), await freePort()];
  const bridge = await startChild(
    "shell/upstash-bridge/main.ts",
    { REDIS_URL: redis.url, UPSTASH_TOKEN: token, BRIDGE_PORT: String(bridgePort) },
    `http://127.0.0.1:${bridgePort}/`,
  );
  const base = `http://127.0.0.1:${apiPort}`;
  // Storage and Fly are never reached by this route (the job has no outputs yet): placeholders satisfy the config.
  const server = await startChild(
    "shell/node-server/main.ts",
    {
      PORT: String(apiPort),
      CRON_INTERVAL_MS: "0",
      TCODER_API_KEY: apiKey,
      UPSTASH_REDIS_REST_URL: `http://127.0.0.1:${bridgePort}`,
      UPSTASH_REDIS_REST_TOKEN: token,
      S3_ENDPOINT: "http://127.0.0.1:9",
      S3_ACCESS_KEY_ID: "bench",
      S3_SECRET_ACCESS_KEY: "bench-secret",
      INPUT_BUCKET: "bench-inputs",
      OUTPUT_BUCKET: "bench-outputs",
      FLY_API_TOKEN: "bench",
      FLY_APP: "tcoder-bench",
      FLY_API_BASE_URL: "http://127.0.0.1:9/v1",
      WORKER_IMAGE: "registry.fly.io/tcoder-worker:bench",
      CALLBACK_SECRET: randomBytes(24).toString("hex"),
      MEDIA_SECRET: randomBytes(24).toString("hex"),
    },
    `${base}/health`,
  );
  const headers = { authorization: `Bearer ${apiKey}` };
  try {
    const created = await fetch(`${base}/api/upload`, {
      method: "POST",
      headers: { ...headers, "content-type": "application/json" },
      body: JSON.stringify({ filename: "bench.mp4", preset: "web-optimized", size: 1000 }),
    });
    if (created.status !== 201)
      throw new Error(`creating the job answered ${created.status}: ${await created.text()}`);
    const { jobId } = (await created.json()) as { jobId: string };
    const url = `${base}/api/jobs/${jobId}`;
    await load(url, headers, WARMUP_MS);
    const started = performance.now();
    const count = await load(url, headers, MEASURE_MS);
    const rps = Math.round(count / ((performance.now() - started) / 1000));
    say(
      `api_rps: ${rps} req/s  (GET /api/jobs/:id, ${CONCURRENCY} keep-alive loops, ${MEASURE_MS / 1000} s, goal >= ${GOAL_RPS}: ${rps >= GOAL_RPS ? "met" : "NOT met"})`,
    );
    await mergeResults(RESULTS_PATH, { api_rps: rps });
  } finally {
    await stopChild(server);
    await stopChild(bridge);
    await redis.stop();
  }
};

await main();
