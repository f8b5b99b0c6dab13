// WebCrypto HMAC signing checked against node:crypto's independent implementation, and every way to forge it.
import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { signBody, verifyBody } from "../../../shell/signing/hmac-signature.ts";

const SECRET = "test-secret-for-hmac";
const NOW = 1_763_892_000_000;
const BODY = JSON.stringify({ jobId: "job_0123456789", status: "completed" });
const opts = { secrets: [SECRET], nowMs: NOW, toleranceSeconds: 300 };

describe("signBody / verifyBody", () => {
  it("matches HMAC-SHA256 over `t.body` as node:crypto computes it", async () => {
    const header = await signBody(SECRET, BODY, NOW);
    const t = Math.floor(NOW / 1000);
    const expected = createHmac("sha256", SECRET).update(`${t}.${BODY}`).digest("hex");
    expect(header).toBe(`t=${t},v1=${expected}`);
  });

  it("accepts its own signature, and one made with a retiring secret during rotation", async () => {
    expect((await verifyBody(await signBody(SECRET, BODY, NOW), BODY, opts)).isOk()).toBe(true);
    const old = await signBody("old-secret", BODY, NOW);
    expect((await verifyBody(old, BODY, { ...opts, secrets: [SECRET, "old-secret"] })).isOk()).toBe(true);
  });

  it.each([
    {
      name: "a tampered body",
      header: () => signBody(SECRET, BODY, NOW),
      body: BODY.replace("completed", "failed"),
      code: "bad-signature",
    },
    {
      name: "another secret",
      header: () => signBody("attacker", BODY, NOW),
      body: BODY,
      code: "bad-signature",
    },
    {
      name: "a replayed old signature",
      header: () => signBody(SECRET, BODY, NOW - 301_000),
      body: BODY,
      code: "stale-signature",
    },
    {
      name: "a signature from the future",
      header: () => signBody(SECRET, BODY, NOW + 301_000),
      body: BODY,
      code: "stale-signature",
    },
    {
      name: "a re-stamped timestamp",
      header: async () =>
        (await signBody(SECRET, BODY, NOW - 1000)).replace(/^t=\d+/, `t=${Math.floor(NOW / 1000)}`),
      body: BODY,
      code: "bad-signature",
    },
    { name: "no header", header: async () => "", body: BODY, code: "missing-signature" },
    { name: "garbage", header: async () => "sig=abc", body: BODY, code: "malformed-signature" },
  ])("refuses $name", async ({ header, body, code }) => {
    const result = await verifyBody(await header(), body, opts);
    expect(result._unsafeUnwrapErr().code).toBe(code);
  });
});
