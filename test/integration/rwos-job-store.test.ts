// The job store on a real redis-server: every write goes through a Lua script and must equal what the core decides.
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { DEFAULT_JOB_RETRY_POLICY as POLICY } from "../../core/decide-job-retry.ts";
import { applyJobCommand } from "../../core/job-lifecycle/apply-job-command.ts";
import type { JobCommand } from "../../core/job-lifecycle/job-commands.ts";
import type { Job, JobState } from "../../core/job-lifecycle/job-state.ts";
import { isTerminalStatus } from "../../core/job-status.ts";
import { monthKey } from "../../core/month-key.ts";
import { LUA_SCRIPTS } from "../../shell/redis/generated/lua-scripts.ts";
import { jobStore, type TransitionError } from "../../shell/redis/job-store.ts";
import type { ScriptRunner } from "../../shell/redis/script-runner.ts";
import { buildJob, newJobId, rwosContext } from "../support/rwos-context.ts";

const ctx = rwosContext("job-store");
afterAll(() => ctx.close());
const { store, redis, keys } = ctx;
const META = {
  webhookUrl: "https://example.test/hook",
  filename: "clip.mp4",
  owner: null,
  requestHash: null,
  parent: null,
  task: null,
};

const rejectionCode = (error: TransitionError): string =>
  error.kind === "rejected" ? error.rejection.code : `store:${error.kind}`;

describe("create and load", () => {
  it("stores exactly the decider's state and the meta fields", async () => {
    const job = buildJob({ source: "upload" });
    expect((await store.create({ job, meta: META }))._unsafeUnwrap()).toEqual({
      kind: "created",
      jobId: job.jobId,
    });
    expect((await store.load(job.jobId))._unsafeUnwrap()).toEqual({ job, meta: META });
    expect(await redis.zscore(keys.jobsPending, job.jobId)).toBeNull();
  });

  it("enqueues a URL-ingest job at its available time", async () => {
    const job = buildJob({ source: "url", at: 1_700_000_000_123 });
    await store.create({ job, meta: META });
    expect(await redis.zscore(keys.jobsPending, job.jobId)).toBe("1700000000123");
  });

  it("answers a repeated idempotency key with the first job, creating nothing", async () => {
    const first = buildJob({});
    const second = buildJob({});
    const idempotency = { key: `idem-${newJobId()}`, ttlSeconds: 60 };
    expect((await store.create({ job: first, meta: META, idempotency }))._unsafeUnwrap().kind).toBe(
      "created",
    );
    expect((await store.create({ job: second, meta: META, idempotency }))._unsafeUnwrap()).toEqual({
      kind: "replayed",
      jobId: first.jobId,
    });
    expect((await store.load(second.jobId))._unsafeUnwrap()).toBeNull();
    expect(await redis.ttl(keys.idempotency(idempotency.key))).toBeGreaterThan(0);
  });

  it("refuses to overwrite an existing job id, but answers a repeated create (a lost reply) as created", async () => {
    const job = buildJob({});
    await store.create({ job, meta: META });
    await store.transition(job.jobId, { type: "cancel", at: job.createdAt + 1 }, POLICY);
    const repeated = await store.create({ job, meta: META });
    expect(repeated._unsafeUnwrap()).toEqual({ kind: "created", jobId: job.jobId });
    expect((await store.load(job.jobId))._unsafeUnwrap()?.job.status).toBe("cancelled");
    const other = await store.create({
      job: { ...job, preset: "hls", createdAt: job.createdAt + 5 },
      meta: META,
    });
    expect(other._unsafeUnwrapErr().kind).toBe("unexpected-reply");
    expect((await store.load(job.jobId))._unsafeUnwrap()?.job.preset).toBe("web-optimized");
  });

  it("keeps a client upload's terms, and indexes the job as waiting for its input until it moves on", async () => {
    const job = buildJob({ source: "upload" });
    const meta = { ...META, upload: { size: 2048, expiresAt: job.createdAt + 900_000, multipartId: "mp-1" } };
    await store.create({ job, meta, intakeCheckAt: job.createdAt + 60_000 });
    expect((await store.load(job.jobId))._unsafeUnwrap()).toEqual({ job, meta });
    expect(await redis.zscore(keys.jobsIntake, job.jobId)).toBe(String(job.createdAt + 60_000));
    await store.transition(job.jobId, { type: "confirm-upload", size: 2048, at: job.createdAt + 1 }, POLICY);
    expect(await redis.zscore(keys.jobsIntake, job.jobId)).not.toBeNull();
    await store.transition(job.jobId, { type: "enqueue", at: job.createdAt + 2 }, POLICY);
    expect(await redis.zscore(keys.jobsIntake, job.jobId)).toBeNull();
    await store.transition(job.jobId, { type: "cancel", at: job.createdAt + 3 }, POLICY);
    expect(await redis.zscore(keys.jobsEnded, job.jobId)).toBe(String(job.createdAt + 3));
  });

  it("refuses a job past the backlog cap, counting jobs still waiting for their input, atomically", async () => {
    const local = rwosContext("backlog-cap");
    try {
      await local.store.create({ job: buildJob({ source: "url" }), meta: META });
      await local.store.create({ job: buildJob({ source: "upload" }), meta: META });
      // 20 creates at once against a cap of 5, with 2 already waiting: exactly 3 get in.
      const outcomes = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          local.store.create({
            job: buildJob({ source: i % 2 === 0 ? "upload" : "url" }),
            meta: META,
            maxWaitingJobs: 5,
          }),
        ),
      );
      const kinds = outcomes.map((o) => o._unsafeUnwrap().kind);
      expect(kinds.filter((k) => k === "created")).toHaveLength(3);
      expect(outcomes.map((o) => o._unsafeUnwrap())).toContainEqual({ kind: "backlog-full", waiting: 5 });
      expect(
        (await local.redis.zcard(local.keys.jobsPending)) + (await local.redis.zcard(local.keys.jobsIntake)),
      ).toBe(5);
    } finally {
      await local.close();
    }
  });

  it("reports a corrupt record instead of trusting it", async () => {
    const job = buildJob({});
    await store.create({ job, meta: META });
    await redis.hset(keys.jobStatus(job.jobId), "status", "exploded");
    expect((await store.load(job.jobId))._unsafeUnwrapErr().kind).toBe("corrupt-record");
  });
});

describe("upload confirmation is idempotent", () => {
  it("moves to pending once, however often the event is delivered", async () => {
    const job = buildJob({ source: "upload" });
    await store.create({ job, meta: META });
    const confirm: JobCommand = { type: "confirm-upload", size: 1234, at: job.createdAt + 10 };
    const queued = (await store.transition(job.jobId, confirm, POLICY))._unsafeUnwrap();
    expect(queued.status).toBe("queued");
    const pending = (
      await store.transition(job.jobId, { type: "enqueue", at: job.createdAt + 11 }, POLICY)
    )._unsafeUnwrap();
    expect(pending.status).toBe("pending");
    for (let i = 0; i < 4; i++) {
      const again = await store.transition(job.jobId, confirm, POLICY);
      expect(rejectionCode(again._unsafeUnwrapErr())).toBe("already-confirmed");
    }
    expect(await redis.zcard(keys.jobsPending)).toBeGreaterThanOrEqual(1);
    expect(await redis.zscore(keys.jobsPending, job.jobId)).toBe(String(job.createdAt + 11));
    expect((await store.load(job.jobId))._unsafeUnwrap()?.job.version).toBe(3);
  });

  it("rejects a transition on an unknown job as not-found", async () => {
    const missing = await store.transition(newJobId(), { type: "enqueue", at: 1 }, POLICY);
    expect(rejectionCode(missing._unsafeUnwrapErr())).toBe("not-found");
  });
});

describe("claim, fencing and completion", () => {
  // Each test its own queue: a claim takes whatever job is first, so tests must not share one.
  let local: ReturnType<typeof rwosContext>;
  beforeEach(() => {
    local = rwosContext("claim");
  });
  afterEach(() => local.close());

  it("refuses a machine without a live lease", async () => {
    await local.store.create({ job: buildJob({}), meta: META });
    expect((await local.store.claim("m-nolease", "t1"))._unsafeUnwrap()).toEqual({ kind: "no-lease" });
    await local.redis.zadd(local.keys.workerLeases, (await local.redisNow()) - 1, "m-expired");
    expect((await local.store.claim("m-expired", "t2"))._unsafeUnwrap()).toEqual({ kind: "no-lease" });
  });

  it("claims exactly as the decider's claim, fences later commands, and completes", async () => {
    const job = buildJob({ at: 1_600_000_000_000 });
    await local.store.create({ job, meta: META });
    await local.redis.zadd(local.keys.workerLeases, (await local.redisNow()) + 60_000, "m1");

    const claimed = (await local.store.claim("m1", "lease-A"))._unsafeUnwrap();
    if (claimed.kind !== "claimed") throw new Error(`expected a claim, got ${claimed.kind}`);
    const expected = applyJobCommand(
      { type: "claim", machineId: "m1", leaseToken: "lease-A", at: claimed.now },
      job,
      POLICY,
    )._unsafeUnwrap().state;
    expect(claimed.job).toEqual(expected);
    expect(claimed.meta).toEqual(META);
    expect(await local.redis.hget(local.keys.jobsActive, job.jobId)).toBe("m1|lease-A");
    expect(await local.redis.zscore(local.keys.jobsPending, job.jobId)).toBeNull();

    const progress = await local.store.transitionFrom(
      claimed.job,
      { type: "report-progress", leaseToken: "lease-A", percent: 40, at: claimed.now + 1 },
      POLICY,
    );
    expect(progress._unsafeUnwrap().progress).toBe(40);

    const complete = (leaseToken: string): JobCommand => ({
      type: "complete",
      leaseToken,
      outputs: [
        {
          type: "video",
          key: `outputs/${job.jobId}/web-optimized/video.mp4`,
          contentType: "video/mp4",
          size: 10,
        },
      ],
      costUsd: 0.001,
      machineSeconds: 4.5,
      at: claimed.now + 2,
    });
    const forged = await local.store.transition(job.jobId, complete("lease-B"), POLICY);
    expect(rejectionCode(forged._unsafeUnwrapErr())).toBe("stale-lease");

    // Starting from the claim-time state forces a version conflict, a reload and a fresh decision.
    const done = (await local.store.transitionFrom(claimed.job, complete("lease-A"), POLICY))._unsafeUnwrap();
    expect(done.status).toBe("completed");
    expect(done.progress).toBe(100);
    expect(await local.redis.hget(local.keys.jobsActive, job.jobId)).toBeNull();

    const replay = await local.store.transition(job.jobId, complete("lease-A"), POLICY);
    expect(rejectionCode(replay._unsafeUnwrapErr())).toBe("already-terminal");
    expect((await local.store.claim("m1", "lease-C"))._unsafeUnwrap()).toEqual({
      kind: "empty",
      waitMs: null,
    });
  });

  it("backs a retryable failure off: the job is pending but not claimable until its time", async () => {
    const job = buildJob({});
    await local.store.create({ job, meta: META });
    await local.redis.zadd(local.keys.workerLeases, (await local.redisNow()) + 60_000, "m2");
    const claimed = (await local.store.claim("m2", "lease-F"))._unsafeUnwrap();
    if (claimed.kind !== "claimed") throw new Error("expected a claim");
    const failed = (
      await local.store.transitionFrom(
        claimed.job,
        {
          type: "fail",
          leaseToken: "lease-F",
          error: { code: "ffmpeg-exit", message: "boom", retryable: true },
          at: claimed.now,
        },
        POLICY,
      )
    )._unsafeUnwrap();
    expect(failed.status).toBe("pending");
    expect(failed.availableAt).toBe(claimed.now + POLICY.baseDelayMs);
    const again = (await local.store.claim("m2", "lease-G"))._unsafeUnwrap();
    expect(again.kind).toBe("empty");
    if (again.kind === "empty") expect(again.waitMs).toBeGreaterThan(POLICY.baseDelayMs - 1000);
    expect(await local.redis.zscore(local.keys.jobsPending, job.jobId)).toBe(String(failed.availableAt));
  });

  it("cancelling a pending job takes it out of the queue", async () => {
    const job = buildJob({});
    await local.store.create({ job, meta: META });
    const cancelled = (
      await local.store.transition(job.jobId, { type: "cancel", at: job.createdAt + 5 }, POLICY)
    )._unsafeUnwrap();
    expect(cancelled.status).toBe("cancelled");
    expect(await local.redis.zscore(local.keys.jobsPending, job.jobId)).toBeNull();
  });
});

describe("store and decider agree on random command sequences", () => {
  const model = rwosContext("model");
  afterAll(() => model.close());

  // A small seeded generator, so a failure reproduces.
  const rng = (seed: number) => () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };

  const STEPS = 400;
  it("400 random commands over 6 jobs leave identical states and rejections", async () => {
    const random = rng(20261123);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T;
    const policy = { maxAttempts: 3, baseDelayMs: 0, maxDelayMs: 0 };
    const states = new Map<string, JobState>();
    await model.redis.zadd(model.keys.workerLeases, (await model.redisNow()) + 600_000, "m");
    let tokens = 0;
    let compared = 0;
    const accepted = new Set<string>();
    const rejected = new Set<string>();
    // Every job has one owner: its unfinished jobs and its month's spend must follow the states too.
    const owner = "0123456789abcdef";
    let charged = 0;

    for (let i = 0; i < 6; i++) {
      const job = buildJob({ source: i % 2 === 0 ? "upload" : "url", at: 1_000 + i }, policy);
      await model.store.create({ job, meta: { ...META, owner } });
      states.set(job.jobId, job);
    }
    const ids = [...states.keys()];

    for (let step = 0; step < STEPS; step++) {
      const now = await model.redisNow();
      // Weighted so jobs live long enough to see every transition; cancel is terminal for good, so it is rare.
      const kind =
        random() < 0.01
          ? "cancel"
          : pick([
              ...[
                "confirm",
                "confirm",
                "enqueue",
                "enqueue",
                "claim",
                "claim",
                "claim",
                "progress",
                "progress",
              ],
              ...["complete", "fail", "fail", "expire", "expire", "retry", "retry", "retry"],
            ] as const);
      if (kind === "claim") {
        const token = `t${++tokens}`;
        const claimed = (await model.store.claim("m", token))._unsafeUnwrap();
        const claimable = ids
          .filter((id) => states.get(id)?.status === "pending")
          .sort((a, b) => {
            const [x, y] = [states.get(a) as Job, states.get(b) as Job];
            return (x.availableAt ?? 0) - (y.availableAt ?? 0) || (a < b ? -1 : 1);
          });
        if (claimable.length === 0) {
          expect(claimed.kind).toBe("empty");
        } else {
          if (claimed.kind !== "claimed")
            throw new Error(`step ${step}: expected a claim of ${claimable[0]}`);
          expect(claimed.job.jobId).toBe(claimable[0]);
          const before = states.get(claimed.job.jobId) as JobState;
          const claim = { type: "claim", machineId: "m", leaseToken: token, at: claimed.now } as const;
          states.set(claimed.job.jobId, applyJobCommand(claim, before, policy)._unsafeUnwrap().state);
          accepted.add("claim");
        }
      } else {
        const id = pick(ids);
        const current = states.get(id) as Job;
        const token = random() < 0.85 ? (current.leaseToken ?? "none") : "forged";
        const error = { code: "x", message: "x", retryable: random() < 0.7 };
        const command: JobCommand = {
          confirm: { type: "confirm-upload", size: 10, at: now } as const,
          enqueue: { type: "enqueue", at: now } as const,
          progress: {
            type: "report-progress",
            leaseToken: token,
            percent: Math.floor(random() * 101),
            at: now,
          } as const,
          complete: {
            type: "complete",
            leaseToken: token,
            outputs: [],
            costUsd: 0.01,
            machineSeconds: 1,
            at: now,
          } as const,
          fail: { type: "fail", leaseToken: token, error, at: now } as const,
          retry: { type: "retry", at: now } as const,
          cancel: { type: "cancel", reason: "test", at: now } as const,
          expire: { type: "expire-lease", leaseToken: token, at: now } as const,
        }[kind];
        const expected = applyJobCommand(command, current, policy);
        console.log(
          "STEP",
          step,
          kind,
          id.slice(-4),
          current.status,
          expected.isOk() ? "ok" : expected.error.code,
        );
        const actual = await model.store.transition(id, command, policy);
        if (expected.isErr()) {
          expect(rejectionCode(actual._unsafeUnwrapErr())).toBe(expected.error.code);
          rejected.add(expected.error.code);
          console.log(kind, current.status, expected.error.code, token, current.leaseToken);
        } else {
          accepted.add(kind);
          if (kind === "complete") charged += 0.01;
          expect(actual._unsafeUnwrap()).toEqual(expected.value.state);
          states.set(id, expected.value.state);
        }
      }
      for (const id of ids) {
        const stored = (await model.store.load(id))._unsafeUnwrap()?.job;
        expect(stored, `step ${step} job ${id}`).toEqual(states.get(id));
        compared++;
      }
      // The indexes always match the states.
      const pending = new Set(await model.redis.zrange(model.keys.jobsPending, 0, -1));
      const active = new Set(await model.redis.hkeys(model.keys.jobsActive));
      const intake = new Set(await model.redis.zrange(model.keys.jobsIntake, 0, -1));
      const ended = new Set(await model.redis.zrange(model.keys.jobsEnded, 0, -1));
      const open = new Set(await model.redis.smembers(model.keys.openJobsByOwner(owner)));
      for (const id of ids) {
        const status = states.get(id)?.status ?? "none";
        expect(pending.has(id), `pending index for ${id}`).toBe(status === "pending");
        expect(active.has(id), `active index for ${id}`).toBe(status === "running");
        expect(intake.has(id), `intake index for ${id}`).toBe(status === "uploading" || status === "queued");
        expect(ended.has(id), `ended index for ${id}`).toBe(status !== "none" && isTerminalStatus(status));
        expect(open.has(id), `owner's unfinished jobs for ${id}`).toBe(
          status !== "none" && !isTerminalStatus(status),
        );
      }
    }
    expect(compared).toBe(STEPS * 6);
    const spend = await model.redis.get(model.keys.ownerSpend(monthKey(await model.redisNow()), owner));
    expect(Number(spend ?? 0)).toBeCloseTo(charged, 9);
    // The run exercised the lifecycle, not just rejections.
    expect([...accepted].sort()).toEqual(
      ["cancel", "claim", "complete", "confirm", "enqueue", "expire", "fail", "progress", "retry"].sort(),
    );
    expect(rejected.size).toBeGreaterThanOrEqual(5);
  });
});

describe("finish and claim the next job in one round trip", () => {
  let local: ReturnType<typeof rwosContext>;
  beforeEach(() => {
    local = rwosContext("finish-claim");
  });
  afterEach(() => local.close());

  const completeWith = (leaseToken: string, at: number): JobCommand => ({
    type: "complete",
    leaseToken,
    outputs: [],
    costUsd: 0.002,
    machineSeconds: 3,
    at,
  });

  it("completes the held job exactly as the decider does and claims the next", async () => {
    const [a, b] = [buildJob({ at: 1_000 }), buildJob({ at: 2_000 })];
    for (const job of [a, b]) await local.store.create({ job, meta: META });
    await local.redis.zadd(local.keys.workerLeases, (await local.redisNow()) + 60_000, "m1");
    const first = (await local.store.claim("m1", "tok-a"))._unsafeUnwrap();
    if (first.kind !== "claimed") throw new Error("expected a claim");
    expect(first.job.jobId).toBe(a.jobId);

    const command = completeWith("tok-a", first.now + 5);
    const result = (
      await local.store.finishAndClaim(first.job, command, POLICY, { machineId: "m1", leaseToken: "tok-b" })
    )._unsafeUnwrap();

    expect(result.job).toEqual(applyJobCommand(command, first.job, POLICY)._unsafeUnwrap().state);
    expect((await local.store.load(a.jobId))._unsafeUnwrap()?.job).toEqual(result.job);
    if (result.next.kind !== "claimed") throw new Error(`expected the next claim, got ${result.next.kind}`);
    expect(result.next.job).toEqual(
      applyJobCommand(
        { type: "claim", machineId: "m1", leaseToken: "tok-b", at: result.next.now },
        b,
        POLICY,
      )._unsafeUnwrap().state,
    );
    expect(await local.redis.hgetall(local.keys.jobsActive)).toEqual({ [b.jobId]: "m1|tok-b" });

    const last = (
      await local.store.finishAndClaim(result.next.job, completeWith("tok-b", result.next.now), POLICY, {
        machineId: "m1",
        leaseToken: "tok-c",
      })
    )._unsafeUnwrap();
    expect(last.job.status).toBe("completed");
    expect(last.next).toEqual({ kind: "empty", waitMs: null });
  });

  it("falls back to a fresh decision when the held state is out of date", async () => {
    const [a, b] = [buildJob({ at: 1_000 }), buildJob({ at: 2_000 })];
    for (const job of [a, b]) await local.store.create({ job, meta: META });
    await local.redis.zadd(local.keys.workerLeases, (await local.redisNow()) + 60_000, "m1");
    const first = (await local.store.claim("m1", "tok-a"))._unsafeUnwrap();
    if (first.kind !== "claimed") throw new Error("expected a claim");
    // Progress written through another path bumps the version the worker holds.
    await local.store.transition(
      a.jobId,
      { type: "report-progress", leaseToken: "tok-a", percent: 50, at: first.now + 1 },
      POLICY,
    );

    const result = (
      await local.store.finishAndClaim(first.job, completeWith("tok-a", first.now + 2), POLICY, {
        machineId: "m1",
        leaseToken: "tok-b",
      })
    )._unsafeUnwrap();
    expect(result.job.status).toBe("completed");
    expect(result.job.version).toBe(first.job.version + 2);
    expect(result.next.kind === "claimed" && result.next.job.jobId).toBe(b.jobId);
  });

  it("claims nothing when the finish is refused (a cancelled job)", async () => {
    const [a, b] = [buildJob({ at: 1_000 }), buildJob({ at: 2_000 })];
    for (const job of [a, b]) await local.store.create({ job, meta: META });
    await local.redis.zadd(local.keys.workerLeases, (await local.redisNow()) + 60_000, "m1");
    const first = (await local.store.claim("m1", "tok-a"))._unsafeUnwrap();
    if (first.kind !== "claimed") throw new Error("expected a claim");
    await local.store.transition(a.jobId, { type: "cancel", at: first.now + 1 }, POLICY);

    const result = await local.store.finishAndClaim(first.job, completeWith("tok-a", first.now + 2), POLICY, {
      machineId: "m1",
      leaseToken: "tok-b",
    });
    expect(rejectionCode(result._unsafeUnwrapErr())).toBe("already-terminal");
    expect(await local.redis.zscore(local.keys.jobsPending, b.jobId)).not.toBeNull();
    expect((await local.store.load(b.jobId))._unsafeUnwrap()?.job.status).toBe("pending");
  });
});

describe("a commit delivered twice (a transport retry after a lost reply)", () => {
  it("is recognised as already applied, not reported as a conflict or a rejection", async () => {
    const local = rwosContext("replayed-commit");
    try {
      let replayed = false;
      const replaying: ScriptRunner = {
        run: (script, keys, args) => {
          if (script.name !== "commit-job" || replayed) return local.runner.run(script, keys, args);
          replayed = true;
          return local.runner.run(script, keys, args).andThen(() => local.runner.run(script, keys, args));
        },
      };
      const store = jobStore(replaying, local.keys);
      const job = buildJob({ source: "upload" });
      await store.create({ job, meta: META });
      const confirm = { type: "confirm-upload", size: 5, at: job.createdAt + 1 } as const;
      const queued = (await store.transition(job.jobId, confirm, POLICY))._unsafeUnwrap();
      expect(replayed).toBe(true);
      expect(queued.status).toBe("queued");
      expect((await store.load(job.jobId))._unsafeUnwrap()?.job).toEqual(queued);
    } finally {
      await local.close();
    }
  });
});

describe("owners: the API key that made a job", () => {
  let local: ReturnType<typeof rwosContext>;
  beforeEach(() => {
    local = rwosContext("owners");
  });
  afterEach(() => local.close());
  const owner = "00000000000000aa";

  it("indexes a new job under its owner and refuses one past the owner's cap, atomically with the write", async () => {
    const jobs = Array.from({ length: 6 }, (_, i) => buildJob({ source: "upload", at: 5_000 + i }));
    const outcomes = await Promise.all(
      jobs.map((job) => local.store.create({ job, meta: { ...META, owner }, maxOpenJobs: 4 })),
    );
    const kinds = outcomes.map((o) => o._unsafeUnwrap().kind);
    expect(kinds.filter((k) => k === "created")).toHaveLength(4);
    expect(outcomes.map((o) => o._unsafeUnwrap())).toContainEqual({ kind: "owner-at-cap", openJobs: 4 });
    expect(await local.redis.scard(local.keys.openJobsByOwner(owner))).toBe(4);
    const created = jobs.filter((_, i) => kinds[i] === "created");
    expect(await local.redis.zrange(local.keys.jobsByOwner(owner), 0, -1, "WITHSCORES")).toEqual(
      created.flatMap((job) => [job.jobId, String(job.createdAt)]),
    );
    // Refused jobs left nothing behind.
    for (const [i, job] of jobs.entries())
      if (kinds[i] !== "created") expect((await local.store.load(job.jobId))._unsafeUnwrap()).toBeNull();
    // A repeated create (a lost reply) is still "created", even at the cap.
    const first = created[0] as Job;
    expect(
      (await local.store.create({ job: first, meta: { ...META, owner }, maxOpenJobs: 4 }))._unsafeUnwrap(),
    ).toEqual({ kind: "created", jobId: first.jobId });
    // Finishing one frees a place.
    await local.store.transition(first.jobId, { type: "cancel", at: first.createdAt + 1 }, POLICY);
    expect(await local.redis.sismember(local.keys.openJobsByOwner(owner), first.jobId)).toBe(0);
    const later = buildJob({ source: "upload", at: 6_000 });
    expect(
      (await local.store.create({ job: later, meta: { ...META, owner }, maxOpenJobs: 4 }))._unsafeUnwrap()
        .kind,
    ).toBe("created");
  });

  it("applies the backlog cap and the owner's cap in one create, and its commits keep every index in step", async () => {
    const meta = { ...META, owner };
    const [a, b, c] = [0, 1, 2].map((i) => buildJob({ source: "upload", at: 7_000 + i })) as [Job, Job, Job];
    const create = async (job: Job, maxWaitingJobs: number, maxOpenJobs: number) =>
      (await local.store.create({ job, meta, maxWaitingJobs, maxOpenJobs }))._unsafeUnwrap();
    expect((await create(a, 2, 3)).kind).toBe("created");
    expect((await create(b, 2, 3)).kind).toBe("created");
    // Two uploads awaited: the backlog (2) is full before the owner's cap (3) is reached; nothing is indexed.
    expect(await create(c, 2, 3)).toEqual({ kind: "backlog-full", waiting: 2 });
    // With room in the backlog, the owner's own cap (2) refuses it.
    expect(await create(c, 10, 2)).toEqual({ kind: "owner-at-cap", openJobs: 2 });
    expect((await local.store.load(c.jobId))._unsafeUnwrap()).toBeNull();
    expect(await local.redis.zrange(local.keys.jobsByOwner(owner), 0, -1)).toEqual([a.jobId, b.jobId]);
    expect(await local.redis.zrange(local.keys.jobsIntake, 0, -1)).toEqual([a.jobId, b.jobId]);
    // An upload that never came expires: out of the intake index and the owner's unfinished jobs, into the ended.
    const at = a.createdAt + 1;
    await local.store.transition(a.jobId, { type: "expire-upload", reason: "never came", at }, POLICY);
    expect(await local.redis.zscore(local.keys.jobsIntake, a.jobId)).toBeNull();
    expect(await local.redis.sismember(local.keys.openJobsByOwner(owner), a.jobId)).toBe(0);
    expect(await local.redis.zscore(local.keys.jobsEnded, a.jobId)).toBe(String(at));
    expect(await local.redis.zrange(local.keys.jobsByOwner(owner), 0, -1)).toEqual([a.jobId, b.jobId]);
    // Both caps have room again.
    expect((await create(c, 2, 2)).kind).toBe("created");
  });

  it("names the same month in Lua as the core does, across leap years, month ends and centuries", async () => {
    const lua = `${LUA_SCRIPTS.commitJob.source.match(/local function month_key[\s\S]*?\nend\n/)?.[0]}return month_key(tonumber(ARGV[1]))`;
    const DAY = 86_400_000;
    const instants = [
      0,
      Date.UTC(2024, 1, 29, 23, 59, 59, 999),
      Date.UTC(2024, 2, 1),
      Date.UTC(2026, 11, 31, 23, 59, 59, 999),
      Date.UTC(2027, 0, 1),
      Date.UTC(2100, 1, 28, 12),
      Date.UTC(2000, 1, 29),
      ...Array.from({ length: 400 }, (_, i) => Date.UTC(1970, 0, 1) + i * 37 * DAY + (i % 7) * 3_600_000 - 1),
    ];
    for (const ms of instants) {
      expect([ms, await local.redis.eval(lua, 0, String(ms))]).toEqual([ms, monthKey(ms)]);
    }
  });
});
