/// <reference types="@cloudflare/vitest-pool-workers/types" />
// The Worker entry inside workerd (Miniflare): fetch, queue and scheduled handlers against real redis-server
// (through the Upstash bridge), the real S3 server and the fake Fly Machines API started by global-setup.ts.
import {
  createExecutionContext,
  createMessageBatch,
  createScheduledController,
  getQueueResult,
  waitOnExecutionContext,
} from "cloudflare:test";
import { describe, expect, inject, it } from "vitest";
import worker from "../../shell/cloudflare/worker.ts";
import { buildCreateMachineBody } from "../../shell/fly/build-create-machine-body.ts";

const env = inject("workerEnv");
const auth = { authorization: `Bearer ${env.TCODER_API_KEYS}` };

type WorkerRequest = Parameters<typeof worker.fetch>[0];

const call = async (path: string, init: RequestInit = {}, withEnv: Record<string, string> = env) => {
  const ctx = createExecutionContext();
  const response = await worker.fetch(
    new Request(`http://tcoder.test${path}`, init) as WorkerRequest,
    withEnv,
    ctx,
  );
  await waitOnExecutionContext(ctx);
  return response;
};

const flyApi = (path: string, init: RequestInit = {}) =>
  fetch(`${env.FLY_API_BASE_URL}/apps/${env.FLY_APP}${path}`, {
    ...init,
    headers: { authorization: `Bearer ${env.FLY_API_TOKEN}`, "content-type": "application/json" },
  });

const liveMachines = async (): Promise<
  { id: string; state: string; config: { metadata?: Record<string, string> } }[]
> =>
  (
    (await (await flyApi("/machines")).json()) as {
      id: string;
      state: string;
      config: { metadata?: Record<string, string> };
    }[]
  ).filter((m) => m.state !== "destroyed");

const uploadedJob = async (filename: string) => {
  const response = await call("/api/upload", {
    method: "POST",
    headers: { ...auth, "content-type": "application/json" },
    body: JSON.stringify({ filename, preset: "web-optimized", size: 10 }),
  });
  expect(response.status).toBe(201);
  const body = (await response.json()) as {
    jobId: string;
    inputKey: string;
    uploadUrl: string;
    uploadHeaders: Record<string, string>;
  };
  const put = await fetch(body.uploadUrl, { method: "PUT", headers: body.uploadHeaders, body: "0123456789" });
  expect(put.status).toBe(200);
  return body;
};

const event = (key: string) => ({
  account: "test",
  action: "PutObject",
  bucket: env.INPUT_BUCKET,
  object: { key, size: 10, eTag: "781e5e245d69b566979b86e28d23f2c7" },
  eventTime: new Date().toISOString(),
});

describe("fetch", () => {
  it("serves /health and refuses the API without a key", async () => {
    expect(await (await call("/health")).json()).toEqual({ status: "ok" });
    const refused = await call("/api/stats");
    expect(refused.status).toBe(401);
    expect(await refused.json()).toMatchObject({ code: "unauthorized" });
  });

  it("issues a presigned upload the S3 server accepts, and shows the job", async () => {
    const { jobId } = await uploadedJob("from-workerd.mp4");
    const job = await call(`/api/jobs/${jobId}`, { headers: auth });
    expect(job.status).toBe(200);
    expect(await job.json()).toMatchObject({ jobId, status: "uploading", preset: "web-optimized" });
  });
});

describe("the job store unreachable inside workerd", () => {
  it("answers 503 store-unavailable with Retry-After on job, cancel and upload routes, never a 500", async () => {
    const unreachable = { ...env, UPSTASH_REDIS_REST_URL: "http://127.0.0.1:9", REDIS_TIMEOUT_MS: "500" };
    const jobId = "job_0123456789abcdef01234567";
    const json = { ...auth, "content-type": "application/json" };
    const calls: [string, RequestInit][] = [
      [`/api/jobs/${jobId}`, { headers: auth }],
      [`/api/jobs/${jobId}/cancel`, { method: "POST", headers: json, body: "{}" }],
      [
        "/api/upload",
        {
          method: "POST",
          headers: json,
          body: JSON.stringify({ filename: "a.mp4", preset: "hls", size: 10 }),
        },
      ],
      ["/api/stats", { headers: auth }],
    ];
    for (const [path, init] of calls) {
      const response = await call(path, init, unreachable);
      expect({ path, status: response.status, body: await response.json() }).toEqual({
        path,
        status: 503,
        body: { code: "store-unavailable", message: expect.stringMatching(/job store/) },
      });
      expect(Number(response.headers.get("retry-after"))).toBeGreaterThan(0);
    }
  });
});

describe("URL ingest inside workerd", () => {
  it("streams a sized source into storage in one PUT with its Content-Length (the S3 server refuses chunked)", async () => {
    const response = await call("/api/jobs", {
      method: "POST",
      headers: { ...auth, "content-type": "application/json" },
      body: JSON.stringify({ inputUrl: env.TEST_SOURCE_URL, preset: "default" }),
    });
    const body = (await response.json()) as { jobId: string; status: string };
    expect(response.status, JSON.stringify(body)).toBe(201);
    // The job exists only once its input is stored, and is then waiting for a machine.
    expect(body.status).toBe("pending");
  });
});

describe("queue", () => {
  it("acks each message on its own: a valid event enqueues and spawns, a malformed one is acked and dropped", async () => {
    const { jobId, inputKey } = await uploadedJob("queued.mp4");
    const batch = createMessageBatch("tcoder-uploads", [
      { id: "good", timestamp: new Date(), attempts: 1, body: event(inputKey) },
      { id: "bad", timestamp: new Date(), attempts: 1, body: { hello: "world" } },
    ]);
    const ctx = createExecutionContext();
    await worker.queue(batch, env, ctx);
    const result = await getQueueResult(batch, ctx);
    expect(result.explicitAcks.sort()).toEqual(["bad", "good"]);
    expect(result.retryMessages).toEqual([]);

    const job = (await (await call(`/api/jobs/${jobId}`, { headers: auth })).json()) as { status: string };
    expect(job.status).toBe("pending");
    const machines = await liveMachines();
    expect(machines.length).toBeGreaterThanOrEqual(1);
    expect(machines.every((m) => /^m_[0-9a-f]{24}$/.test(m.config.metadata?.tcoder_tag ?? ""))).toBe(true);
  });

  it("retries (does not ack) when Redis is unreachable", async () => {
    const unreachable = { ...env, UPSTASH_REDIS_REST_URL: "http://127.0.0.1:9", REDIS_TIMEOUT_MS: "500" };
    const batch = createMessageBatch("tcoder-uploads", [
      {
        id: "later",
        timestamp: new Date(),
        attempts: 1,
        body: event("uploads/job_aaaaaaaaaaaaaaaaaaaaaaaa/x.mp4"),
      },
    ]);
    const ctx = createExecutionContext();
    await worker.queue(batch, unreachable, ctx);
    const result = await getQueueResult(batch, ctx);
    expect(result.explicitAcks).toEqual([]);
    expect(result.retryMessages).toEqual([{ msgId: "later" }]);
  });
});

describe("scheduled", () => {
  it("runs the cron: destroys a tagged machine no lease or reservation accounts for", async () => {
    const body = buildCreateMachineBody({
      image: "registry.fly.io/tcoder-worker:test",
      region: "ord",
      guest: { cpuKind: "shared", cpus: 1, memoryMb: 512 },
      env: {},
      tag: "m_orphan_from_workerd",
    });
    const created = await flyApi("/machines", { method: "POST", body: JSON.stringify(body) });
    expect(created.status).toBe(200);
    const orphan = (await created.json()) as { id: string };
    expect((await liveMachines()).map((m) => m.id)).toContain(orphan.id);

    const ctx = createExecutionContext();
    await worker.scheduled(
      createScheduledController({ cron: "* * * * *", scheduledTime: Date.now() }),
      env,
      ctx,
    );
    await waitOnExecutionContext(ctx);
    expect((await liveMachines()).map((m) => m.id)).not.toContain(orphan.id);
  });
});
