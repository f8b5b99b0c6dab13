// One local pipeline per test file, started exactly as `make dev` starts it (startDevStack), on free ports and
// temporary data, with its log kept in memory: the machines' JSON lines are how tests see what workers did.
import { randomBytes } from "node:crypto";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Redis } from "ioredis";
import { afterAll, beforeAll, expect } from "vitest";
import { ensureFixtures, type FixtureName } from "../../scripts/make-fixtures.ts";
import { type DevStack, startDevStack } from "../../shell/dev/start-dev-stack.ts";
import { redisKeys } from "../../shell/redis/key-schema.ts";
import { type PipelineClient, pipelineClient } from "./pipeline-client.ts";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

export interface LogEntry {
  readonly at: number;
  readonly source: string;
  readonly line: string;
}

/** One JSON log line of a worker, with the Fly machine that wrote it. */
export interface WorkerEvent {
  readonly machine: string;
  readonly event: string;
  readonly jobId?: string;
  readonly [field: string]: unknown;
}

export interface E2eStack {
  readonly stack: DevStack;
  readonly client: PipelineClient;
  readonly logs: readonly LogEntry[];
  /** Every JSON line the machines' workers logged so far. */
  workerEvents(): WorkerEvent[];
  /** counters:active_machines (slots taken by leases and reservations). */
  activeMachines(): Promise<number>;
  /** Machine leases and reservations held in Redis. */
  heldSlots(): Promise<{ readonly leases: number; readonly reservations: number; readonly exiting: number }>;
  readonly redis: Redis;
  close(): Promise<void>;
}

export interface E2eStackOptions {
  /** Control-plane variables for this file's stack (MAX_MACHINES, WORKER_TTL_MS, LEASE_MS, ...). */
  readonly vars?: Readonly<Record<string, string>>;
  readonly cronIntervalMs?: number;
}

export const startE2eStack = async (options: E2eStackOptions = {}): Promise<E2eStack> => {
  const logs: LogEntry[] = [];
  const echo = process.env.E2E_LOGS === "1";
  const stack = await startDevStack({
    root: ROOT,
    dataDir: null,
    port: 0,
    apiKey: `tk_e2e_${randomBytes(12).toString("hex")}`,
    cronIntervalMs: options.cronIntervalMs ?? 1_000,
    vars: options.vars ?? {},
    log: (source, line) => {
      logs.push({ at: Date.now(), source, line });
      if (echo) process.stderr.write(`[${source}] ${line}\n`);
    },
  });
  const redis = new Redis(stack.redis.url, { maxRetriesPerRequest: 1 });
  const keys = redisKeys(stack.redisPrefix);
  return {
    stack,
    client: pipelineClient(stack.apiUrl, stack.apiKey),
    logs,
    workerEvents: () =>
      logs.flatMap((entry) => {
        if (!entry.source.startsWith("machine ") || !entry.line.startsWith("{")) return [];
        try {
          const fields = JSON.parse(entry.line) as Record<string, unknown>;
          return [{ ...fields, machine: entry.source.slice("machine ".length) } as WorkerEvent];
        } catch {
          return [];
        }
      }),
    activeMachines: async () => Number((await redis.get(keys.activeMachines)) ?? "0"),
    heldSlots: async () => ({
      leases: await redis.zcard(keys.workerLeases),
      reservations: await redis.zcard(keys.workerReservations),
      exiting: await redis.zcard(keys.workerExiting),
    }),
    redis,
    async close() {
      redis.disconnect();
      await stack.stop();
    },
  };
};

/** This file's stack and the sample videos, set once its beforeAll has run. */
export interface FileStack {
  current: E2eStack;
  media: Record<FixtureName, string>;
}

/** Starts one stack (and builds the sample videos) before the calling file's tests; stops it after them. */
export const stackPerFile = (options: E2eStackOptions): FileStack => {
  const file = {} as FileStack;
  beforeAll(async () => {
    [file.media, file.current] = await Promise.all([ensureFixtures(), startE2eStack(options)]);
  }, 180_000);
  afterAll(async () => {
    await file.current?.close();
  });
  return file;
};

export const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

/** Polls `check` until it holds; throws with `describe()` after `timeoutMs`. */
export const eventually = async (
  check: () => boolean | Promise<boolean>,
  timeoutMs: number,
  describe: () => string,
): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await sleep(200);
  }
  throw new Error(`not within ${timeoutMs} ms: ${describe()}`);
};

/**
 * Once the work is done and the workers' TTL has passed: no worker process alive, every Fly machine destroyed (no
 * orphan), no slot held in Redis (no leak). Zero idle cost, as the launcher's record shows it.
 */
export const expectNothingLeft = async (e2e: E2eStack, timeoutMs: number): Promise<void> => {
  const { launcher } = e2e.stack;
  let slots = { counter: -1, held: {} };
  await eventually(
    async () => {
      slots = { counter: await e2e.activeMachines(), held: await e2e.heldSlots() };
      return launcher.live() === 0 && slots.counter === 0;
    },
    timeoutMs,
    () => `machines alive: [${launcher.liveIds().join(", ")}], slots in Redis: ${JSON.stringify(slots)}`,
  );
  expect(launcher.records().every((record) => record.exitedAt !== null)).toBe(true);
  expect(launcher.fly.machines().filter((machine) => machine.state !== "destroyed")).toEqual([]);
  expect(await e2e.heldSlots()).toEqual({ leases: 0, reservations: 0, exiting: 0 });
  expect(await e2e.activeMachines()).toBe(0);
};

/** How many times each job's completion was recorded by a worker (job-completed is logged only after the commit). */
export const completionsPerJob = (e2e: E2eStack): Map<string, number> => {
  const counts = new Map<string, number>();
  for (const event of e2e.workerEvents()) {
    if (event.event === "job-completed" && typeof event.jobId === "string") {
      counts.set(event.jobId, (counts.get(event.jobId) ?? 0) + 1);
    }
  }
  return counts;
};
