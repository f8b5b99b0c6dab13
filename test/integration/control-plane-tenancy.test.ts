// Tenancy: two API keys on one control plane. A job belongs to the key that made it (another key gets 404 on every
// job route), GET /api/jobs lists the caller's own jobs, per-key budgets and pending caps refuse one tenant while
// the other gets through, and an Idempotency-Key replayed with another body is refused.
import { createHash, randomBytes } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { monthKey } from "../../core/month-key.ts";
import { intakeUploadEvent } from "../../shell/control-plane/intake/intake-upload-event.ts";
import {
  type Harness,
  keysOf,
  nonce,
  OTHER_API_KEY,
  r2Event,
  startHarness,
} from "./control-plane-harness.ts";

let h: Harness;

beforeAll(async () => {
  h = await startHarness("cp-tenancy", { MULTIPART_PART_BYTES: String(5 * 1024 * 1024) });
});
afterAll(() => h?.close());

/** A key's id as the README says to compute it: the first 16 hex digits of its SHA-256. */
const keyIdOf = (key: string): string => createHash("sha256").update(key).digest("hex").slice(0, 16);

const upload = async (
  harness: Harness,
  body: Record<string, unknown>,
  options: { readonly key?: string; readonly headers?: Record<string, string> } = {},
) => {
  const response = await harness.api("/api/upload", {
    method: "POST",
    json: body,
    ...(options.key ? { key: options.key } : {}),
    ...(options.headers ? { headers: options.headers } : {}),
  });
  return { status: response.status, headers: response.headers, body: await response.json() };
};

/** A job of `key` that a worker claimed under a lease: its id, machine and token. */
const runningJob = async (harness: Harness, key: string) => {
  const created = await upload(harness, { filename: "run.mp4", preset: "mobile", size: 10 }, { key });
  expect(created.status).toBe(201);
  (await intakeUploadEvent(harness.deps, r2Event(harness, created.body.inputKey, 10)))._unsafeUnwrap();
  const machineId = `m_${nonce()}`;
  (await harness.deps.machines.register(machineId))._unsafeUnwrap();
  const leaseToken = `lease_${nonce()}`;
  const claimed = (await harness.deps.jobs.claim(machineId, leaseToken))._unsafeUnwrap();
  expect(claimed.kind).toBe("claimed");
  if (claimed.kind !== "claimed") throw new Error("not claimed");
  return { jobId: claimed.job.jobId, machineId, leaseToken };
};

const completeWithCost = (harness: Harness, job: { jobId: string; leaseToken: string }, costUsd: number) =>
  harness.deps.jobs.transition(
    job.jobId,
    {
      type: "complete",
      leaseToken: job.leaseToken,
      outputs: [],
      costUsd,
      machineSeconds: 10,
      at: Date.now(),
    },
    harness.deps.config.retryPolicy,
  );

describe("jobs belong to the key that made them", () => {
  it("answers another key's job 404 job-not-found on every job route, exactly as a job that does not exist", async () => {
    const mine = await upload(h, {
      filename: "mine.mp4",
      preset: "default",
      size: 11 * 1024 * 1024,
      multipart: true,
    });
    expect(mine.status).toBe(201);
    const { jobId } = mine.body;
    const uploadId = mine.body.multipart.uploadId;
    const missing = `job_${randomBytes(12).toString("hex")}`;

    const routes = (id: string): [string, string, unknown][] => [
      ["GET", `/api/jobs/${id}`, undefined],
      ["GET", `/api/jobs/${id}/record`, undefined],
      ["POST", `/api/jobs/${id}/cancel`, {}],
      ["POST", `/api/upload/${id}/parts`, { uploadId, partNumbers: [1] }],
      ["POST", `/api/upload/${id}/complete`, { uploadId, parts: [{ partNumber: 1, eTag: "abc" }] }],
    ];
    const send = ([method, path, json]: [string, string, unknown]) =>
      h.api(path, { method, key: OTHER_API_KEY, ...(json === undefined ? {} : { json }) });
    const theirs = routes(jobId);
    const nobodys = routes(missing);
    for (let i = 0; i < theirs.length; i++) {
      const route = theirs[i] as [string, string, unknown];
      const answer = await send(route);
      const unknown = await send(nobodys[i] as [string, string, unknown]);
      const name = `${route[0]} ${route[1]}`;
      expect({ name, status: answer.status }).toEqual({ name, status: 404 });
      const body = await answer.json();
      expect(body.code).toBe("job-not-found");
      expect(unknown.status).toBe(404);
      // No existence leak: the same answer as for an id nobody has, the id aside.
      expect(body.message.replace(jobId, "<id>")).toBe(
        (await unknown.json()).message.replace(missing, "<id>"),
      );
    }
    // The owner still has it, untouched by the other key's cancel.
    const own = await h.api(`/api/jobs/${jobId}`);
    expect(own.status).toBe(200);
    expect((await own.json()).status).toBe("uploading");
  });

  it("records the creating key's id on uploads and URL ingests alike", async () => {
    const source = createServer((_req, res) =>
      res.writeHead(200, { "content-type": "video/mp4" }).end("clip"),
    );
    await new Promise<void>((resolve) => source.listen(0, "127.0.0.1", resolve));
    try {
      const inputUrl = `http://127.0.0.1:${(source.address() as AddressInfo).port}/clip.mp4`;
      const ingested = await h.api("/api/jobs", {
        method: "POST",
        key: OTHER_API_KEY,
        json: { inputUrl, preset: "default" },
      });
      expect(ingested.status).toBe(201);
      const uploaded = await upload(
        h,
        { filename: "owned.mp4", preset: "mobile", size: 10 },
        { key: OTHER_API_KEY },
      );
      for (const jobId of [(await ingested.json()).jobId, uploaded.body.jobId]) {
        expect(await h.redis.hget(keysOf(h).jobStatus(jobId), "meta:owner")).toBe(keyIdOf(OTHER_API_KEY));
        const index = `${h.prefix}jobs:by-owner:${keyIdOf(OTHER_API_KEY)}`;
        expect(await h.redis.zscore(index, jobId)).not.toBeNull();
        expect((await h.api(`/api/jobs/${jobId}`)).status).toBe(404);
        expect((await h.api(`/api/jobs/${jobId}`, { key: OTHER_API_KEY })).status).toBe(200);
      }
    } finally {
      await new Promise<void>((resolve) => source.close(() => resolve()));
    }
  });

  it("tells a caller its key id in GET /api/stats", async () => {
    const stats = await (await h.api("/api/stats", { key: OTHER_API_KEY })).json();
    expect(stats.key).toMatchObject({ id: keyIdOf(OTHER_API_KEY) });
  });
});

describe("GET /api/jobs", () => {
  it("pages through the caller's jobs newest first, without duplicates or misses, and filters by status", async () => {
    const tenant = `tk_list_${randomBytes(12).toString("hex")}`;
    const other = `tk_list_other_${randomBytes(8).toString("hex")}`;
    const listing = h.variant({ TCODER_API_KEYS: `${tenant},${other}` });
    const created: string[] = [];
    for (let i = 0; i < 25; i++) {
      const made = await upload(
        listing,
        { filename: `l${i}.mp4`, preset: "mobile", size: 10 },
        { key: tenant },
      );
      expect(made.status).toBe(201);
      created.push(made.body.jobId);
    }
    await upload(listing, { filename: "theirs.mp4", preset: "mobile", size: 10 }, { key: other });
    const cancelled = [created[3], created[11], created[20]] as string[];
    for (const id of cancelled) {
      expect((await listing.api(`/api/jobs/${id}/cancel`, { method: "POST", key: tenant })).status).toBe(200);
    }

    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = cursor === null ? "?limit=10" : `?limit=10&cursor=${encodeURIComponent(cursor)}`;
      const response = await listing.api(`/api/jobs${query}`, { key: tenant });
      expect(response.status).toBe(200);
      const page = await response.json();
      expect(page.jobs.length).toBeLessThanOrEqual(10);
      // The same job view as GET /api/jobs/:id.
      const [first] = page.jobs;
      if (first) {
        const single = await (await listing.api(`/api/jobs/${first.jobId}`, { key: tenant })).json();
        expect(first).toEqual(single);
      }
      seen.push(...page.jobs.map((job: { jobId: string }) => job.jobId));
      cursor = page.nextCursor;
      pages += 1;
    } while (cursor !== null && pages < 10);
    expect(seen).toEqual([...created].reverse());
    expect(pages).toBe(3);

    const defaults = await (await listing.api("/api/jobs", { key: tenant })).json();
    expect(defaults.jobs).toHaveLength(20);
    expect(defaults.nextCursor).not.toBeNull();

    const onlyCancelled = await (await listing.api("/api/jobs?status=cancelled", { key: tenant })).json();
    expect(onlyCancelled.jobs.map((job: { jobId: string }) => job.jobId)).toEqual([...cancelled].reverse());
    expect(onlyCancelled.jobs.every((job: { status: string }) => job.status === "cancelled")).toBe(true);

    // A rare status with a small page: each request scans a bounded stretch and still hands back a cursor, so
    // paging on finds every match (short pages are allowed, an endless stream of them is not).
    const found: string[] = [];
    cursor = null;
    let requests = 0;
    do {
      const query: string = `?status=cancelled&limit=1${cursor === null ? "" : `&cursor=${encodeURIComponent(cursor)}`}`;
      const page = await (await listing.api(`/api/jobs${query}`, { key: tenant })).json();
      expect(page.jobs.length).toBeLessThanOrEqual(1);
      found.push(...page.jobs.map((job: { jobId: string }) => job.jobId));
      cursor = page.nextCursor;
      requests += 1;
    } while (cursor !== null && requests < 30);
    expect(found).toEqual([...cancelled].reverse());
    expect(cursor).toBeNull();
    // No failed job among the newest ten: an empty page, and a cursor all the same.
    const none = await (await listing.api("/api/jobs?status=failed&limit=1", { key: tenant })).json();
    expect(none.jobs).toEqual([]);
    expect(none.nextCursor).not.toBeNull();

    const theirs = await (await listing.api("/api/jobs", { key: other })).json();
    expect(theirs.jobs).toHaveLength(1);
    expect(theirs.nextCursor).toBeNull();
  });

  it("refuses a bad limit, status or cursor with 400", async () => {
    for (const query of [
      "?limit=0",
      "?limit=101",
      "?limit=x",
      "?status=done",
      "?cursor=%%%",
      "?cursor=bm9wZQ",
    ]) {
      const response = await h.api(`/api/jobs${query}`);
      expect({ query, status: response.status }).toEqual({ query, status: 400 });
      expect((await response.json()).code).toBe("invalid-request");
    }
  });
});

describe("per-key limits", () => {
  it("caps one key's unfinished jobs atomically (concurrent creates) while another key still gets through", async () => {
    const tenant = `tk_cap_${randomBytes(12).toString("hex")}`;
    const capped = h.variant({
      TCODER_API_KEYS: `${tenant},${OTHER_API_KEY}`,
      KEY_LIMITS: `${keyIdOf(tenant)}:pending=3`,
    });
    const attempts = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        upload(capped, { filename: `cap${i}.mp4`, preset: "mobile", size: 10 }, { key: tenant }),
      ),
    );
    expect(attempts.filter((a) => a.status === 201)).toHaveLength(3);
    expect(await h.redis.scard(`${h.prefix}jobs:open-by-owner:${keyIdOf(tenant)}`)).toBe(3);
    const refused = attempts.filter((a) => a.status === 429);
    expect(refused).toHaveLength(5);
    for (const r of refused) {
      expect(r.body.code).toBe("key-pending-cap");
      expect(r.body.message).toMatch(/3 unfinished jobs \(its limit is 3\)/);
      expect(r.headers.get("retry-after")).toBe("30");
    }
    const other = await upload(
      capped,
      { filename: "other.mp4", preset: "mobile", size: 10 },
      { key: OTHER_API_KEY },
    );
    expect(other.status).toBe(201);

    // Finishing (here: cancelling) one frees its place.
    const accepted = attempts.find((a) => a.status === 201);
    const cancel = await capped.api(`/api/jobs/${accepted?.body.jobId}/cancel`, {
      method: "POST",
      key: tenant,
    });
    expect(cancel.status).toBe(200);
    expect(
      (await upload(capped, { filename: "again.mp4", preset: "mobile", size: 10 }, { key: tenant })).status,
    ).toBe(201);
    expect(
      (await upload(capped, { filename: "over.mp4", preset: "mobile", size: 10 }, { key: tenant })).status,
    ).toBe(429);
  });

  it("charges each completed job's cost to its key's month and refuses the key past its budget", async () => {
    const tenant = `tk_budget_${randomBytes(12).toString("hex")}`;
    // Its own Redis prefix: the job claimed below is the only one pending.
    const budgeted = await startHarness("cp-tenancy-budget", {
      TCODER_API_KEYS: `${tenant},${OTHER_API_KEY}`,
      KEY_MONTHLY_BUDGET_USD: "0.5",
    });
    onTestFinished(() => budgeted.close());
    const job = await runningJob(budgeted, tenant);
    expect((await completeWithCost(budgeted, job, 0.75)).isOk()).toBe(true);
    const counter = `${budgeted.prefix}counters:spend:${monthKey(Date.now())}:key:${keyIdOf(tenant)}`;
    expect(Number(await budgeted.redis.get(counter))).toBeCloseTo(0.75, 6);

    const refused = await upload(
      budgeted,
      { filename: "more.mp4", preset: "mobile", size: 10 },
      { key: tenant },
    );
    expect(refused.status).toBe(429);
    expect(refused.body.code).toBe("key-budget-exhausted");
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    const other = await upload(
      budgeted,
      { filename: "fine.mp4", preset: "mobile", size: 10 },
      { key: OTHER_API_KEY },
    );
    expect(other.status).toBe(201);

    // KEY_LIMITS overrides the default for one key.
    const raised = budgeted.variant({ KEY_LIMITS: `${keyIdOf(tenant)}:budget=20` });
    expect(
      (await upload(raised, { filename: "ok.mp4", preset: "mobile", size: 10 }, { key: tenant })).status,
    ).toBe(201);
  });
});

describe("Idempotency-Key", () => {
  it("replays the same body as the same job and refuses another body with 422 idempotency-key-reused", async () => {
    const key = `idem-${nonce()}`;
    const headers = { "idempotency-key": key };
    const first = await upload(h, { filename: "a.mp4", preset: "hls", size: 10 }, { headers });
    const same = await upload(h, { filename: "a.mp4", preset: "hls", size: 10 }, { headers });
    expect(first.status).toBe(201);
    expect(same.status).toBe(200);
    expect(same.body.jobId).toBe(first.body.jobId);

    const changed = await upload(h, { filename: "a.mp4", preset: "mobile", size: 10 }, { headers });
    expect(changed.status).toBe(422);
    expect(changed.body.code).toBe("idempotency-key-reused");
    expect(changed.body.message).toMatch(/different/);

    // The same key on the other create route is another request, too.
    const ingest = await h.api("/api/jobs", {
      method: "POST",
      headers,
      json: { inputUrl: "http://127.0.0.1:9/a.mp4", preset: "hls" },
    });
    expect(ingest.status).toBe(422);
    expect((await ingest.json()).code).toBe("idempotency-key-reused");

    // Scoped per API key: the other key's request under the same Idempotency-Key is a job of its own.
    const theirs = await upload(
      h,
      { filename: "a.mp4", preset: "mobile", size: 10 },
      { key: OTHER_API_KEY, headers },
    );
    expect(theirs.status).toBe(201);
    expect(theirs.body.jobId).not.toBe(first.body.jobId);
  });

  it("never re-signs an upload URL for a job past uploading", async () => {
    const headers = { "idempotency-key": `idem-${nonce()}` };
    const body = { filename: "done.mp4", preset: "mobile", size: 10 };
    const first = await upload(h, body, { headers });
    expect(first.status).toBe(201);
    (await intakeUploadEvent(h.deps, r2Event(h, first.body.inputKey, 10)))._unsafeUnwrap();
    const replay = await upload(h, body, { headers });
    expect(replay.body.uploadUrl).toBeUndefined();
    expect(replay.body.multipart).toBeUndefined();
    expect(replay.status).toBe(409);
    expect(replay.body.message).toMatch(/pending|queued/);
  });
});
