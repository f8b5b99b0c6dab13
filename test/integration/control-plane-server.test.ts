// The Node server composition root (shell/node-server) over real HTTP: the same app, on node:http.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type StartedServer, startServer } from "../../shell/node-server/main.ts";
import { API_KEY, type Harness, startHarness } from "./control-plane-harness.ts";

let h: Harness;
let server: StartedServer;

beforeAll(async () => {
  h = await startHarness("cp-server");
  server = await startServer({ ...h.env, PORT: "0", CRON_INTERVAL_MS: "0" });
});
afterAll(async () => {
  await server?.stop();
  await h?.close();
});

describe("the Node server", () => {
  it("serves health, refuses a missing key, and creates and reads a job over HTTP", async () => {
    const base = `http://127.0.0.1:${server.port}`;
    expect(await (await fetch(`${base}/health`)).json()).toEqual({ status: "ok" });
    expect((await fetch(`${base}/api/stats`)).status).toBe(401);
    const auth = { authorization: `Bearer ${API_KEY}` };
    const created = await fetch(`${base}/api/upload`, {
      method: "POST",
      headers: { ...auth, "content-type": "application/json" },
      body: JSON.stringify({ filename: "over-http.mp4", preset: "mobile", size: 10 }),
    });
    expect(created.status).toBe(201);
    const { jobId } = (await created.json()) as { jobId: string };
    const job = await fetch(`${base}/api/jobs/${jobId}`, { headers: auth });
    expect(job.status).toBe(200);
    expect(await job.json()).toMatchObject({ jobId, status: "uploading", preset: "mobile" });
  });

  it("serves the dashboard: the page under its CSP, its files with ETags, JSON 404 for an unknown one", async () => {
    const base = `http://127.0.0.1:${server.port}`;
    const page = await fetch(`${base}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(page.headers.get("content-security-policy")).toContain(
      `connect-src 'self' ${new URL(h.env.S3_ENDPOINT ?? "").origin}`,
    );
    expect(page.headers.get("referrer-policy")).toBe("no-referrer");
    expect(await page.text()).toContain('<script type="module" src="/app/dashboard.js"></script>');

    const script = await fetch(`${base}/app/dashboard.js`);
    expect(script.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    const etag = script.headers.get("etag") ?? "";
    expect((await script.text()).length).toBeGreaterThan(10_000);
    const again = await fetch(`${base}/app/dashboard.js`, { headers: { "if-none-match": etag } });
    expect(again.status).toBe(304);
    expect((await fetch(`${base}/app/hls.mjs`)).status).toBe(200);

    const unknown = await fetch(`${base}/app/index.html`);
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ code: "not-found" });
  });

  it("refuses to start on bad configuration, naming the problem", async () => {
    await expect(startServer({ ...h.env, PORT: "0", FLY_APP: "Not A Fly App" })).rejects.toThrow("FLY_APP");
  });
});
