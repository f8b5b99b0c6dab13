// The Machines API misbehaving: the launcher's fake Fly answers creates and lists with 429s and 5xx (some of the
// creates took effect anyway). Every job still completes, no slot leaks, no machine is left behind.
import { describe, expect, it } from "vitest";
import type { FakeFlyFaults } from "../../shell/fly-fake/start-fake-fly-api.ts";
import { completionsPerJob, expectNothingLeft, stackPerFile } from "./e2e-stack.ts";

const JOBS = 8;
const WORKER_TTL_MS = 10_000;

const FAULTS: FakeFlyFaults = {
  create: [
    { kind: "rate-limited", retryAfterSeconds: 1 },
    { kind: "server-error", status: 503, effect: "applied" },
    { kind: "server-error", status: 500, effect: "dropped" },
    { kind: "rate-limited", retryAfterSeconds: null },
    { kind: "server-error", status: 502, effect: "applied-after-next-list" },
    { kind: "server-error", status: 504, effect: "dropped" },
  ],
  list: [
    { kind: "server-error", status: 503, effect: "dropped" },
    { kind: "rate-limited", retryAfterSeconds: null },
  ],
};

const file = stackPerFile({
  vars: {
    MAX_MACHINES: "3",
    SPAWN_RATE_MAX: "100",
    // One job per machine: every job needs a create, so every scripted fault is met.
    WORKER_MAX_JOBS: "1",
    WORKER_TTL_MS: String(WORKER_TTL_MS),
    WORKER_DRAIN_MS: "3000",
    FLY_RETRIES: "3",
    RESPAWN_AFTER_MS: "2000",
  },
});

describe("Fly API faults", () => {
  it("completes every job through 429s and ambiguous 5xx, with no leaked slot and no orphan", async () => {
    const e2e = file.current;
    const input = file.media["no-audio-3s.mp4"];
    const { fly } = e2e.stack.launcher;
    fly.setFaults(FAULTS);
    const uploads = await Promise.all(
      Array.from({ length: JOBS }, (_, i) => e2e.client.upload(input, "default", `faulty-${i}.mp4`)),
    );
    const jobs = await Promise.all(uploads.map((u) => e2e.client.waitFor(u.jobId, { timeoutMs: 150_000 })));

    expect(jobs.map((job) => job.status)).toEqual(Array(JOBS).fill("completed"));
    const completions = completionsPerJob(e2e);
    expect(uploads.map((u) => completions.get(u.jobId))).toEqual(Array(JOBS).fill(1));
    // Every scripted fault was met by a real request.
    expect(fly.pendingFaults()).toMatchObject({ create: 0, list: 0 });
    // The control plane's requests matched the Machines API spec throughout.
    expect(fly.violations()).toEqual([]);

    await expectNothingLeft(e2e, WORKER_TTL_MS + 20_000);
  });
});
