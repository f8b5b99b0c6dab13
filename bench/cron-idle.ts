// `make bench` (cron_commands_per_run_idle, api_commands_per_job): what the control plane costs in Upstash commands
// when nothing happens (one every-minute cron run with no jobs and no machines) and per job it takes through the
// API (create, upload event, a status poll), counted at the Upstash REST bridge as Upstash bills them (one EVALSHA
// is one command). Real redis-server, the bridge, s3rver and the Fly fake; the control plane's own code.
import { randomBytes } from "node:crypto";
import { buildControlPlaneDeps } from "../shell/control-plane/config/build-control-plane-deps.ts";
import { parseControlPlaneConfig } from "../shell/control-plane/config/control-plane-config.ts";
import { runCron } from "../shell/control-plane/cron/run-cron.ts";
import { createApp } from "../shell/control-plane/http/app.ts";
import { processEventBatch } from "../shell/control-plane/intake/process-event-batch.ts";
import { startLocalS3 } from "../shell/dev/local-services/local-s3.ts";
import { loadFlyMachinesSpec } from "../shell/fly-fake/load-fly-machines-spec.ts";
import { startFakeFlyApi } from "../shell/fly-fake/start-fake-fly-api.ts";
import { startUpstashBridge } from "../shell/upstash-bridge/start-upstash-bridge.ts";
import { startBenchRedis } from "./redis-server.ts";
import { mergeResults } from "./results-file.ts";

const CRON_RUNS = 20;
const JOBS = 20;
const RESULTS_PATH = new URL("./results.json", import.meta.url).pathname;
const say = (line: string) => process.stdout.write(`${line}\n`);
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

const redis = await startBenchRedis();
let commands = 0;
const token = randomBytes(8).toString("hex");
const bridge = await startUpstashBridge({
  redisUrl: redis.url,
  token,
  port: 0,
  onRequest: (event) => {
    commands += event.commands.length;
  },
});
const s3 = await startLocalS3({ accessKeyId: "bench", secretAccessKey: randomBytes(16).toString("hex") });
await s3.createBucket("bench-in");
await s3.createBucket("bench-out");
const flyToken = randomBytes(8).toString("hex");
const fly = await startFakeFlyApi({
  appName: "bench-app",
  token: flyToken,
  spec: await loadFlyMachinesSpec(),
});
const apiKey = `tk_${randomBytes(12).toString("hex")}`;
try {
  const deps = buildControlPlaneDeps(
    parseControlPlaneConfig({
      TCODER_API_KEY: apiKey,
      UPSTASH_REDIS_REST_URL: bridge.url,
      UPSTASH_REDIS_REST_TOKEN: token,
      S3_ENDPOINT: s3.endpoint,
      S3_ACCESS_KEY_ID: s3.accessKeyId,
      S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
      INPUT_BUCKET: "bench-in",
      OUTPUT_BUCKET: "bench-out",
      FLY_API_TOKEN: flyToken,
      FLY_APP: "bench-app",
      FLY_API_BASE_URL: fly.url,
      WORKER_IMAGE: "registry.fly.io/bench-app:bench",
      CALLBACK_SECRET: randomBytes(16).toString("hex"),
      MEDIA_SECRET: randomBytes(16).toString("hex"),
      PUBLIC_URL: "http://cp.bench",
    }),
    { log: quiet },
  );
  await runCron(deps); // loads the scripts once (EVALSHA misses), as a long-lived Worker would have
  commands = 0;
  for (let i = 0; i < CRON_RUNS; i++) await runCron(deps);
  const perCron = commands / CRON_RUNS;

  const app = createApp(deps);
  commands = 0;
  for (let i = 0; i < JOBS; i++) {
    const created = await app.request("http://cp.bench/api/upload", {
      method: "POST",
      headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" },
      body: JSON.stringify({ filename: "a.mp4", preset: "web-optimized", size: 1000 }),
    });
    const { jobId, inputKey } = (await created.json()) as { jobId: string; inputKey: string };
    const event = {
      account: "bench",
      action: "PutObject",
      bucket: "bench-in",
      object: { key: inputKey, size: 1000, eTag: "e" },
      eventTime: new Date().toISOString(),
    };
    await processEventBatch(deps, [{ id: jobId, body: event, attempts: 1, ack: () => {}, retry: () => {} }]);
    await app.request(`http://cp.bench/api/jobs/${jobId}`, {
      headers: { authorization: `Bearer ${apiKey}` },
    });
  }
  const perJob = commands / JOBS;
  say("| control plane, Upstash commands | value |");
  say("| --- | --- |");
  say(`| one idle cron run (cron_commands_per_run_idle) | ${perCron.toFixed(1)} |`);
  say(`| idle month, cron every minute | ${Math.round(perCron * 60 * 24 * 30).toLocaleString("en")} |`);
  say(`| per job: create, upload event, admission, one poll (api_commands_per_job) | ${perJob.toFixed(1)} |`);
  await mergeResults(RESULTS_PATH, {
    cron_commands_per_run_idle: Number(perCron.toFixed(1)),
    api_commands_per_job: Number(perJob.toFixed(1)),
  });
} finally {
  await fly.close();
  await bridge.close();
  await s3.stop();
  await redis.stop();
}
