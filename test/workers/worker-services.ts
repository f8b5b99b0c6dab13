// Starts the services the workers project tests against, in its own process (run with Bun by global-setup.ts,
// because the workers project resolves modules for workerd, where ioredis and node:http servers cannot load):
// redis-server behind the Upstash bridge, an S3 server with both buckets, and the fake Fly Machines API.
// Prints one line `READY <env JSON>`, then runs until SIGTERM or stdin closes.
import { randomBytes } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { loadFlyMachinesSpec } from "../../shell/fly-fake/load-fly-machines-spec.ts";
import { startFakeFlyApi } from "../../shell/fly-fake/start-fake-fly-api.ts";
import { startUpstashBridge } from "../../shell/upstash-bridge/start-upstash-bridge.ts";
import { localProcesses } from "../services/local-processes.ts";
import { randomS3Credentials } from "../services/test-namespace.ts";

const redis = await localProcesses.startRedis();
const s3 = await localProcesses.startS3(randomS3Credentials());
const bridgeToken = randomBytes(16).toString("hex");
const bridge = await startUpstashBridge({ redisUrl: redis.url, token: bridgeToken, port: 0 });
const flyToken = randomBytes(16).toString("hex");
const fly = await startFakeFlyApi({
  appName: "tcoder-workers-test",
  token: flyToken,
  spec: await loadFlyMachinesSpec(),
});
// A source for URL ingest: a fixed-size file served with its Content-Length, so the Worker stores it in one PUT.
const SOURCE_BYTES = randomBytes(300 * 1024);
const source = createServer((_request, response) => {
  response.writeHead(200, { "content-type": "video/mp4", "content-length": String(SOURCE_BYTES.length) });
  response.end(SOURCE_BYTES);
});
await new Promise<void>((resolve) => source.listen(0, "127.0.0.1", resolve));
await s3.createBucket("tcoder-inputs");
await s3.createBucket("tcoder-outputs");

const env: Record<string, string> = {
  TCODER_API_KEYS: `tk_${randomBytes(16).toString("hex")}`,
  UPSTASH_REDIS_REST_URL: bridge.url,
  UPSTASH_REDIS_REST_TOKEN: bridgeToken,
  REDIS_PREFIX: `test:workers:${randomBytes(4).toString("hex")}`,
  S3_ENDPOINT: s3.endpoint,
  S3_ACCESS_KEY_ID: s3.accessKeyId,
  S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
  INPUT_BUCKET: "tcoder-inputs",
  OUTPUT_BUCKET: "tcoder-outputs",
  FLY_API_TOKEN: flyToken,
  FLY_APP: "tcoder-workers-test",
  FLY_API_BASE_URL: fly.url,
  FLY_RETRIES: "1",
  FLY_MIN_BACKOFF_MS: "10",
  WORKER_IMAGE: "registry.fly.io/tcoder-worker:test",
  CALLBACK_SECRET: randomBytes(24).toString("hex"),
  MEDIA_SECRET: randomBytes(24).toString("hex"),
  EVENT_SECRET: randomBytes(24).toString("hex"),
  PUBLIC_URL: "http://tcoder.test",
  // URL ingest from the loopback source below (test only: production refuses private addresses).
  ALLOW_PRIVATE_URLS: "true",
  TEST_SOURCE_URL: `http://127.0.0.1:${(source.address() as AddressInfo).port}/clip.mp4`,
  TEST_SOURCE_BYTES: String(SOURCE_BYTES.length),
};
console.log(`READY ${JSON.stringify(env)}`);

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await Promise.allSettled([fly.close(), bridge.close(), new Promise((resolve) => source.close(resolve))]);
  await Promise.allSettled([redis.stop(), s3.stop()]);
  process.exit(0);
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
process.stdin.on("end", stop);
process.stdin.resume();
