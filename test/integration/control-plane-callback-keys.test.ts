// One secret per purpose: a machine signs its callbacks with a key of its own (derived from CALLBACK_SECRET by the
// control plane, which no worker ever receives), so one machine's credential cannot act for another's job; storage
// events are signed with EVENT_SECRET, and the root callback secret opens neither route.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { intakeUploadEvent } from "../../shell/control-plane/intake/intake-upload-event.ts";
import { admitAndSpawn } from "../../shell/control-plane/machines/admit-and-spawn.ts";
import {
  CALLBACK_SECRET,
  callbackKeyFor,
  EVENT_SECRET,
  type Harness,
  MEDIA_SECRET,
  nonce,
  type RunningJob,
  r2Event,
  startHarness,
  startRunningJob,
  WEBHOOK_SECRET,
} from "./control-plane-harness.ts";

let h: Harness;

type Running = RunningJob;
const runningJob = () => startRunningJob(h);

const progress = (job: Running, percent: number, machineId = job.machineId) =>
  JSON.stringify({ ...job, machineId, sentAt: Date.now(), nonce: nonce(), kind: "progress", percent });

const jobOf = async (jobId: string) => (await h.api(`/api/jobs/${jobId}`)).json();

beforeAll(async () => {
  h = await startHarness("cp-keys");
});
afterAll(() => h?.close());

describe("a machine's callback key", () => {
  it("is the machine's own: its callbacks get through, the root secret's and another machine's key do not", async () => {
    const a = await runningJob();
    const b = await runningJob();
    expect((await h.signed("/internal/callbacks", progress(a, 10))).status).toBe(200);

    const withRoot = await h.signed("/internal/callbacks", progress(a, 20), { secret: CALLBACK_SECRET });
    expect(withRoot.status).toBe(401);
    expect((await withRoot.json()).code).toBe("bad-signature");

    // Machine A's key, on a report that names machine B (for B's job and lease).
    const asB = await h.signed("/internal/callbacks", progress(b, 30), {
      secret: callbackKeyFor(a.machineId),
    });
    expect(asB.status).toBe(401);

    // Machine A's key and name, on B's job and lease: the lease is B's, not A's to use.
    const onB = await h.signed("/internal/callbacks", progress(b, 40, a.machineId));
    expect(onB.status).toBe(403);
    expect((await onB.json()).code).toBe("forbidden");

    expect(await jobOf(a.jobId)).toMatchObject({ status: "running", progress: 10 });
    expect(await jobOf(b.jobId)).toMatchObject({ status: "running", progress: 0 });
  });

  it("during a rotation, keys derived from the retiring root still work", async () => {
    const retiring = randomBytes(24).toString("hex");
    const rotated = h.variant({
      CALLBACK_SECRET: randomBytes(24).toString("hex"),
      CALLBACK_SECRET_PREVIOUS: retiring,
    });
    const a = await runningJob();
    const old = await rotated.signed("/internal/callbacks", progress(a, 15), {
      secret: callbackKeyFor(a.machineId, retiring),
    });
    expect(old.status).toBe(200);
    const current = await rotated.signed("/internal/callbacks", progress(a, 16), {
      secret: callbackKeyFor(a.machineId, rotated.env.CALLBACK_SECRET),
    });
    expect(current.status).toBe(200);
  });

  it("is what a spawned machine gets; no root or other secret reaches a machine's environment", async () => {
    for (const mode of ["pool", "single-job"]) {
      const harness = h.variant({ SPAWN_MODE: mode, MAX_MACHINES: "50" });
      const upload = await (
        await harness.api("/api/upload", {
          method: "POST",
          json: { filename: "x.mp4", preset: "mobile", size: 10 },
        })
      ).json();
      (await intakeUploadEvent(harness.deps, r2Event(harness, upload.inputKey, 10)))._unsafeUnwrap();
      const before = new Set(harness.fly.machines().map((m) => m.id));
      expect((await admitAndSpawn(harness.deps)).kind).toBe("admitted");
      const spawned = harness.fly.machines().filter((m) => !before.has(m.id));
      expect(spawned.length, mode).toBeGreaterThan(0);
      for (const machine of spawned) {
        const env = machine.config.env as Record<string, string>;
        expect(env.CALLBACK_KEY, mode).toBe(callbackKeyFor(env.TCODER_MACHINE_ID as string));
        const values = Object.values(env).join("\n");
        for (const secret of [CALLBACK_SECRET, MEDIA_SECRET, EVENT_SECRET, WEBHOOK_SECRET]) {
          expect(values.includes(secret), mode).toBe(false);
        }
        expect(Object.keys(env)).not.toContain("CALLBACK_SECRET");
      }
    }
  });
});

describe("storage events relayed to POST /internal/events", () => {
  const event = async (harness: Harness) => {
    const upload = await (
      await harness.api("/api/upload", {
        method: "POST",
        json: { filename: "e.mp4", preset: "mobile", size: 10 },
      })
    ).json();
    return JSON.stringify(r2Event(harness, upload.inputKey, 10));
  };

  it("are signed with EVENT_SECRET: the callback secret and a machine's key are refused", async () => {
    const body = await event(h);
    expect((await h.signed("/internal/events", body, { secret: CALLBACK_SECRET })).status).toBe(401);
    expect((await h.signed("/internal/events", body, { secret: callbackKeyFor("m_x") })).status).toBe(401);
    const accepted = await h.signed("/internal/events", body);
    expect(accepted.status).toBe(200);
    expect((await accepted.json()).kind).toBe("enqueued");
  });

  it("are not taken at all without EVENT_SECRET (R2 events arrive through the queue)", async () => {
    const closed = h.variant({ EVENT_SECRET: "" });
    const response = await closed.signed("/internal/events", await event(closed));
    expect(response.status).toBe(404);
  });
});
