// An upload during a Redis outage, through make dev's whole stack: Redis is frozen (SIGSTOP) for 100 s while a client
// uploads; the storage event reaches the control plane, fails against the frozen store and is given up. No event
// will ever come again, yet once Redis is back the cron finds the input in storage, takes it as the event would
// have, and a real worker completes the job.
import { readFile } from "node:fs/promises";
import * as v from "valibot";
import { describe, expect, it } from "vitest";
import { UploadResponseSchema } from "../../shell/control-plane/http/api-schemas.ts";
import { eventually, sleep, stackPerFile } from "./e2e-stack.ts";

const OUTAGE_MS = 100_000;

const file = stackPerFile({
  cronIntervalMs: 1_000,
  vars: {
    // Each Redis call gives up after about a second (with its transport retries, a few), so the event's relay
    // exhausts its own retries well within the outage instead of landing the event once Redis is back.
    REDIS_TIMEOUT_MS: "1000",
  },
});

describe("an upload whose storage event is lost in a Redis outage", () => {
  it(`completes once Redis is back from ${OUTAGE_MS / 1000} s frozen: the cron takes the input from storage`, async () => {
    const e2e = file.current;
    const { apiUrl, apiKey } = e2e.stack;
    const bytes = await readFile(file.media["no-audio-3s.mp4"]);
    const created = await fetch(`${apiUrl}/api/upload`, {
      method: "POST",
      headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" },
      body: JSON.stringify({ filename: "outage.mp4", preset: "mobile", size: bytes.byteLength }),
    });
    expect(created.status).toBe(201);
    const upload = v.parse(UploadResponseSchema, await created.json());
    const { jobId, inputKey } = upload;

    await e2e.stack.redis.pause();
    const frozenAt = Date.now();
    try {
      // Storage does not need Redis: the upload succeeds.
      const put = await fetch(upload.uploadUrl ?? "", {
        method: "PUT",
        headers: upload.uploadHeaders,
        body: bytes,
      });
      expect(put.status).toBe(200);
      // Its event is relayed to the control plane, which cannot record it: after its retries it is given up.
      await eventually(
        () =>
          e2e.logs.some(
            (l) => l.source === "events" && l.line.includes(inputKey) && l.line.includes("not delivered"),
          ),
        OUTAGE_MS - 5_000,
        () =>
          `no failed delivery of ${inputKey}: ${e2e.logs
            .filter((l) => l.source === "events")
            .map((l) => l.line)
            .join(" | ")}`,
      );
      await sleep(Math.max(0, frozenAt + OUTAGE_MS - Date.now()));
    } finally {
      await e2e.stack.redis.resume();
    }
    expect(
      e2e.logs.some((l) => l.source === "events" && l.line.includes(inputKey) && / → 20\d/.test(l.line)),
    ).toBe(false);

    const job = await e2e.client.waitFor(jobId, { timeoutMs: 150_000 });
    expect(job).toMatchObject({ status: "completed", progress: 100 });
    expect(job.outputs.map((o) => o.type)).toContain("video");
    // It was the cron's look in storage that took the upload.
    expect(
      e2e.logs.some(
        (l) => l.source === "api" && l.line.includes('"intake.repaired"') && l.line.includes(jobId),
      ),
    ).toBe(true);
  }, 330_000);
});
