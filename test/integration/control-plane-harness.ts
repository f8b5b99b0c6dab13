// Shared set-up of the control-plane tests: the app over real Redis (through the Upstash bridge), the real S3
// server with fresh buckets, and the fake Fly Machines API; requests go through app.request().
import { createHmac, randomBytes } from "node:crypto";
import { Redis as IoRedis } from "ioredis";
import { expect, inject } from "vitest";
import { SIGNATURE_HEADER } from "../../core/signature-header.ts";
import { buildControlPlaneDeps } from "../../shell/control-plane/config/build-control-plane-deps.ts";
import { parseControlPlaneConfig } from "../../shell/control-plane/config/control-plane-config.ts";
import type { ControlPlaneDeps, Logger } from "../../shell/control-plane/config/control-plane-deps.ts";
import { createApp } from "../../shell/control-plane/http/app.ts";
import { intakeUploadEvent } from "../../shell/control-plane/intake/intake-upload-event.ts";
import { loadFlyMachinesSpec } from "../../shell/fly-fake/load-fly-machines-spec.ts";
import { type FakeFlyApi, startFakeFlyApi } from "../../shell/fly-fake/start-fake-fly-api.ts";
import { backgroundTasks } from "../../shell/node-server/background-tasks.ts";
import { redisKeys } from "../../shell/redis/key-schema.ts";
import { signBody } from "../../shell/signing/hmac-signature.ts";
import { startUpstashBridge, type UpstashBridge } from "../../shell/upstash-bridge/start-upstash-bridge.ts";
import { createTestBucket, uniquePrefix } from "../services/test-namespace.ts";

export const API_KEY = `tk_${randomBytes(16).toString("hex")}`;
/** A second client of the same control plane (another tenant). */
export const OTHER_API_KEY = `tk_other_${randomBytes(12).toString("hex")}`;
export const CALLBACK_SECRET = randomBytes(24).toString("hex");
export const WEBHOOK_SECRET = randomBytes(24).toString("hex");
export const MEDIA_SECRET = randomBytes(24).toString("hex");
export const EVENT_SECRET = randomBytes(24).toString("hex");

/** A machine's own callback key, derived here independently of the code under test: HMAC(root, purpose:id). */
export const callbackKeyFor = (machineId: string, root = CALLBACK_SECRET): string =>
  createHmac("sha256", root).update(`tcoder-callback-v1:${machineId}`).digest("hex");

/** What an internal route's requests are signed with: storage events with EVENT_SECRET, callbacks with the key of
 * the machine the body names. */
const signingKeyFor = (path: string, body: string): string => {
  if (path.startsWith("/internal/events")) return EVENT_SECRET;
  try {
    const { machineId } = JSON.parse(body) as { machineId?: unknown };
    return typeof machineId === "string" ? callbackKeyFor(machineId) : CALLBACK_SECRET;
  } catch {
    return CALLBACK_SECRET;
  }
};
export const PUBLIC_URL = "http://cp.test";
const FLY_APP = "tcoder-cp-test";
const FLY_TOKEN = randomBytes(16).toString("hex");

let flySpec: unknown;

export interface LogLine {
  readonly level: string;
  readonly event: string;
  readonly fields: Readonly<Record<string, unknown>>;
}

/** A Response whose json() is typed loosely: tests assert on the shape themselves. */
// biome-ignore lint/suspicious/noExplicitAny: response bodies are checked by the assertions that read them.
export type TestResponse = Omit<Response, "json"> & { json(): Promise<any> };

export interface Harness {
  readonly deps: ControlPlaneDeps;
  readonly env: Record<string, string>;
  readonly fly: FakeFlyApi;
  /** The Upstash bridge in front of Redis (its scripted faults stand for Upstash's). */
  readonly bridge: UpstashBridge;
  readonly redis: IoRedis;
  readonly prefix: string;
  readonly logs: LogLine[];
  /** app.request with the harness's execution context (background tasks are tracked). */
  request(path: string, init?: RequestInit): Promise<TestResponse>;
  /** As `request`, with the client API key (`key` picks another one). */
  api(
    path: string,
    init?: RequestInit & { readonly json?: unknown; readonly key?: string },
  ): Promise<TestResponse>;
  /** A signed POST to an internal route (signed as the route expects, unless `secret` says otherwise). */
  signed(
    path: string,
    body: string,
    options?: { readonly secret?: string; readonly atMs?: number },
  ): Promise<TestResponse>;
  /** Waits for every background task (admission, webhooks) started so far. */
  drain(): Promise<void>;
  /** Another app over the same services and config, with other env overrides or another clock. */
  variant(overrides: Record<string, string>, clock?: () => number): Harness;
  close(): Promise<void>;
}

const capturingLogger = (logs: LogLine[]): Logger => {
  const write =
    (level: string) =>
    (event: string, fields: Record<string, unknown> = {}) =>
      void logs.push({ level, event, fields });
  return { info: write("info"), warn: write("warn"), error: write("error") };
};

/** `redisUrl`: a redis-server of the test's own (one it stops or pauses), instead of the shared one. */
export const startHarness = async (
  label: string,
  overrides: Record<string, string> = {},
  { redisUrl = inject("redisUrl") }: { readonly redisUrl?: string } = {},
): Promise<Harness> => {
  flySpec ??= await loadFlyMachinesSpec();
  const bridgeToken = randomBytes(16).toString("hex");
  const bridge: UpstashBridge = await startUpstashBridge({
    redisUrl,
    token: bridgeToken,
    port: 0,
  });
  const fly = await startFakeFlyApi({ appName: FLY_APP, token: FLY_TOKEN, spec: flySpec });
  const s3 = inject("s3");
  const [inputBucket, outputBucket] = await Promise.all([
    createTestBucket(s3, `${label}-in`),
    createTestBucket(s3, `${label}-out`),
  ]);
  const prefix = uniquePrefix(label);
  const env: Record<string, string> = {
    TCODER_API_KEYS: `${OTHER_API_KEY},${API_KEY}`,
    UPSTASH_REDIS_REST_URL: bridge.url,
    UPSTASH_REDIS_REST_TOKEN: bridgeToken,
    REDIS_PREFIX: prefix,
    S3_ENDPOINT: s3.endpoint,
    S3_ACCESS_KEY_ID: s3.accessKeyId,
    S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
    S3_TIMEOUT_MS: "10000",
    INPUT_BUCKET: inputBucket,
    OUTPUT_BUCKET: outputBucket,
    FLY_API_TOKEN: FLY_TOKEN,
    FLY_APP,
    FLY_API_BASE_URL: fly.url,
    FLY_REQUEST_TIMEOUT_MS: "2000",
    FLY_RETRIES: "2",
    FLY_MIN_BACKOFF_MS: "5",
    WORKER_IMAGE: "registry.fly.io/tcoder-worker:test",
    CALLBACK_SECRET,
    WEBHOOK_SECRET,
    MEDIA_SECRET,
    EVENT_SECRET,
    WEBHOOK_MIN_BACKOFF_MS: "10",
    WEBHOOK_TIMEOUT_MS: "2000",
    PUBLIC_URL,
    ALLOW_PRIVATE_URLS: "true",
    ...overrides,
  };
  const redis = new IoRedis(redisUrl, { maxRetriesPerRequest: 1 });

  const build = (envFor: Record<string, string>, clock?: () => number): Harness => {
    const logs: LogLine[] = [];
    const deps = buildControlPlaneDeps(parseControlPlaneConfig(envFor), {
      log: capturingLogger(logs),
      ...(clock ? { clock } : {}),
    });
    const app = createApp(deps);
    const tasks = backgroundTasks();
    const request = async (path: string, init?: RequestInit): Promise<TestResponse> =>
      app.request(path.startsWith("http") ? path : `${PUBLIC_URL}${path}`, init, {}, tasks.context);
    return {
      deps,
      env: envFor,
      fly,
      bridge,
      redis,
      prefix,
      logs,
      request,
      api: (path, init = {}) => {
        const { json, key, ...rest } = init;
        const headers = new Headers(rest.headers as Record<string, string> | undefined);
        headers.set("authorization", `Bearer ${key ?? API_KEY}`);
        if (json !== undefined) headers.set("content-type", "application/json");
        return request(path, {
          ...rest,
          headers,
          ...(json === undefined ? {} : { body: JSON.stringify(json) }),
        });
      },
      signed: async (path, body, options = {}) =>
        request(path, {
          method: "POST",
          headers: {
            "content-type": "application/json",
            [SIGNATURE_HEADER]: await signBody(
              options.secret ?? signingKeyFor(path, body),
              body,
              options.atMs ?? Date.now(),
            ),
          },
          body,
        }),
      drain: () => tasks.drain(),
      variant: (more, variantClock) => build({ ...envFor, ...more }, variantClock),
      close: async () => {
        await tasks.drain();
        await Promise.allSettled([fly.close(), bridge.close(), redis.quit()]);
      },
    };
  };
  return build(env);
};

/** The Redis keys of a harness (for reading state directly in assertions). */
export const keysOf = (harness: Harness) => redisKeys(harness.prefix);

/** An R2 event notification for an object written to the input bucket. */
export const r2Event = (
  harness: Harness,
  key: string,
  size: number,
  action = "PutObject",
): Record<string, unknown> => ({
  account: "test",
  action,
  bucket: harness.env.INPUT_BUCKET,
  object: { key, size, eTag: "0123456789abcdef0123456789abcdef" },
  eventTime: new Date().toISOString(),
});

export const nonce = (): string => randomBytes(8).toString("hex");

export interface RunningJob {
  readonly jobId: string;
  readonly machineId: string;
  readonly leaseToken: string;
}

/** A job uploaded and claimed by a machine of its own (a worker's register + claim), for fenced-callback cases. */
export const startRunningJob = async (harness: Harness): Promise<RunningJob> => {
  const upload = await (
    await harness.api("/api/upload", {
      method: "POST",
      json: { filename: "in.mp4", preset: "mobile", size: 10 },
    })
  ).json();
  (await intakeUploadEvent(harness.deps, r2Event(harness, upload.inputKey, 10)))._unsafeUnwrap();
  const machineId = `m_${nonce()}`;
  (await harness.deps.machines.register(machineId))._unsafeUnwrap();
  const leaseToken = `lease_${nonce()}`;
  expect((await harness.deps.jobs.claim(machineId, leaseToken))._unsafeUnwrap().kind).toBe("claimed");
  return { jobId: upload.jobId, machineId, leaseToken };
};
