// Single-job mode's callbacks against real Redis: the report that finishes a job releases its machine and charges
// it once; a duplicate releases nothing (not even another live machine it names) and requeues nothing; and the cost
// a worker reports is bounded by what its machine can have cost since its slot was taken (Redis TIME).
import { randomBytes } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { guestFor } from "../../core/ffmpeg/presets.ts";
import { calendarMonth } from "../../core/month-key.ts";
import { FLY_PRICES_2026, pricePerSecondUsd } from "../../core/price-machine-time.ts";
import { SIGNATURE_HEADER } from "../../core/signature-header.ts";
import { intakeUploadEvent } from "../../shell/control-plane/intake/intake-upload-event.ts";
import { admitAndSpawn } from "../../shell/control-plane/machines/admit-and-spawn.ts";
import { signBody } from "../../shell/signing/hmac-signature.ts";
import {
  callbackKeyFor,
  type Harness,
  keysOf,
  nonce,
  r2Event,
  startHarness,
} from "./control-plane-harness.ts";

const SINGLE_JOB = { SPAWN_MODE: "single-job", MAX_MACHINES: "2", MACHINE_STOP_GRACE_MS: "300" };

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const start = async (): Promise<Harness> => {
  h = await startHarness("cp-single-cb", SINGLE_JOB);
  return h;
};

interface Spawned {
  readonly jobId: string;
  readonly machineId: string;
  readonly leaseToken: string;
}

/** Two uploaded jobs, each claimed by its own single-job machine (as the spawner hands them out). */
const twoRunningJobs = async (harness: Harness): Promise<[Spawned, Spawned]> => {
  for (let i = 0; i < 2; i++) {
    const body = await (
      await harness.api("/api/upload", {
        method: "POST",
        json: { filename: "in.mp4", preset: "mobile", size: 256 },
      })
    ).json();
    const bytes = randomBytes(256);
    await fetch(body.uploadUrl, { method: "PUT", headers: body.uploadHeaders, body: bytes });
    (await intakeUploadEvent(harness.deps, r2Event(harness, body.inputKey, 256)))._unsafeUnwrap();
  }
  expect(await admitAndSpawn(harness.deps)).toMatchObject({ kind: "admitted" });
  const spawned = harness.fly
    .machines()
    .map((m) => m.config.env as Record<string, string>)
    .map((env) => ({
      jobId: env.JOB_ID as string,
      machineId: env.TCODER_MACHINE_ID as string,
      leaseToken: env.LEASE_TOKEN as string,
    }));
  expect(spawned).toHaveLength(2);
  return spawned as [Spawned, Spawned];
};

const completion = (job: Spawned, costUsd: number, machineId = job.machineId) =>
  JSON.stringify({
    jobId: job.jobId,
    leaseToken: job.leaseToken,
    machineId,
    sentAt: Date.now(),
    nonce: nonce(),
    kind: "completed",
    outputs: [{ type: "video", key: "video.mp4", contentType: "video/mp4", size: 10 }],
    costUsd,
    machineSeconds: 4,
  });

const spent = async (harness: Harness): Promise<number> =>
  Number((await harness.redis.get(keysOf(harness).spend(calendarMonth(Date.now()).key))) ?? 0);

const leases = (harness: Harness) => harness.redis.zrange(keysOf(harness).workerLeases, 0, -1);
const jobStatus = async (harness: Harness, jobId: string) =>
  (await harness.api(`/api/jobs/${jobId}`).then((r) => r.json())).status;

describe("single-job callbacks", () => {
  it("a duplicate completed releases once and charges once; naming another live machine releases nothing", async () => {
    const harness = await start();
    const [a, b] = await twoRunningJobs(harness);
    const first = await harness.signed("/internal/callbacks", completion(a, 0.000001));
    expect(await first.json()).toMatchObject({ status: "completed", applied: true });
    expect(await leases(harness)).toEqual([b.machineId]);
    const charged = await spent(harness);
    expect(charged).toBeCloseTo(0.000001, 9);

    // The same report again (a worker's retry: a new message), and one naming the other, live machine.
    const again = await harness.signed("/internal/callbacks", completion(a, 0.000001));
    expect(await again.json()).toMatchObject({ status: "completed", applied: false });
    const naming = await harness.signed("/internal/callbacks", completion(a, 5, b.machineId));
    expect(naming.status).toBeLessThan(500);
    await harness.drain();

    expect(await leases(harness)).toEqual([b.machineId]);
    expect(await jobStatus(harness, b.jobId)).toBe("running");
    expect(await spent(harness)).toBeCloseTo(charged, 9);
  });

  it("replaying the very same signed request is refused, and changes nothing", async () => {
    const harness = await start();
    const [a, b] = await twoRunningJobs(harness);
    const body = completion(a, 0.000002);
    const header = await signBody(callbackKeyFor(a.machineId), body, Date.now());
    const post = () =>
      harness.request("/internal/callbacks", {
        method: "POST",
        headers: { "content-type": "application/json", [SIGNATURE_HEADER]: header },
        body,
      });
    expect((await post()).status).toBe(200);
    expect((await post()).status).toBe(409);
    await harness.drain();
    expect(await leases(harness)).toEqual([b.machineId]);
    expect(await spent(harness)).toBeCloseTo(0.000002, 9);
  });

  it("a reported cost above what the machine can have cost since its slot was taken is clamped to it", async () => {
    const harness = await start();
    const before = Date.now();
    const [a] = await twoRunningJobs(harness);
    const response = await harness.signed("/internal/callbacks", completion(a, 1000));
    expect(response.status).toBe(200);
    const after = Date.now();
    const perSecond = pricePerSecondUsd(guestFor("mobile", 0), FLY_PRICES_2026);
    // The slot was taken after `before`; the charge can be at most its price for the time since (plus a second
    // of slack between this process's clock and Redis's).
    const bound = (perSecond * (after - before + 1000)) / 1000;
    const charged = await spent(harness);
    expect(charged).toBeGreaterThan(0);
    expect(charged).toBeLessThanOrEqual(bound);
    // The job records what was charged, not what was claimed.
    expect((await harness.api(`/api/jobs/${a.jobId}`).then((r) => r.json())).cost.usd).toBeLessThanOrEqual(
      bound,
    );
  });
});
