// Entry point of the Fly worker (`bun worker-image/main.ts`): the composition root. Reads the environment, builds
// every client, runs pool mode (RWOS) or single-job mode, and exits: 0 done, 1 failed, 2 bad configuration.
import { randomBytes } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CallbackReport, CallbackSender } from "../shell/callbacks/callback-body.ts";
import { checkJobClaim } from "../shell/redis/check-job-claim.ts";
import { commitMachineCost } from "../shell/redis/commit-machine-cost.ts";
import { jobStore } from "../shell/redis/job-store.ts";
import { redisKeys } from "../shell/redis/key-schema.ts";
import { heartbeatMachine, registerMachine } from "../shell/redis/machine-leases.ts";
import { releaseMachine } from "../shell/redis/release-machine.ts";
import { splitJob } from "../shell/redis/split-job.ts";
import { upstashClient, upstashScriptRunner } from "../shell/redis/upstash-script-runner.ts";
import { createS3ObjectStore } from "../shell/storage/s3-object-store.ts";
import { readFfmpegVersion } from "./read-ffmpeg-version.ts";
import { type MachineLease, runPoolWorker, type WorkerExit } from "./run-pool-worker.ts";
import { runSingleJob } from "./run-single-job.ts";
import { callbackClient } from "./send-callback.ts";
import type { CommonConfig, PoolConfig, WorkerConfig } from "./worker-env.ts";
import { parseWorkerEnv } from "./worker-env.ts";
import { jsonLog, type Log } from "./worker-log.ts";

/** Per REST call to Upstash; the script runner retries transport failures on top. */
const REDIS_TIMEOUT_MS = 10_000;

const clock = () => Date.now();

// SIGUSR1 from the control plane (through Fly's signal API) means work waits. Handled from the first moment:
// the default action would end the process.
const nudges = new EventTarget();
process.on("SIGUSR1", () => nudges.dispatchEvent(new Event("nudge")));
const onNudge = (listener: () => void) => {
  nudges.addEventListener("nudge", listener);
  return () => nudges.removeEventListener("nudge", listener);
};
const hex = (bytes: number) => randomBytes(bytes).toString("hex");

const callbacksFor = (config: CommonConfig) =>
  config.callback === null ? null : callbackClient(config.callback, { clock, nonce: () => hex(16) });

const runPool = (config: PoolConfig, version: string, stop: AbortSignal, log: Log): Promise<WorkerExit> => {
  const runner = upstashScriptRunner(
    upstashClient({ url: config.redis.url, token: config.redis.token, timeoutMs: REDIS_TIMEOUT_MS }),
  );
  const keys = redisKeys(config.redis.prefix);
  const jobs = jobStore(runner, keys);
  const { machineId, leaseMs, maxMachines, retryPolicy, stopGraceMs } = config;
  const lease: MachineLease = {
    register: () => registerMachine(runner, keys, machineId, { leaseMs, maxMachines }),
    heartbeat: () => heartbeatMachine(runner, keys, machineId, leaseMs),
    release: (costUsd) =>
      releaseMachine(runner, keys, jobs, retryPolicy, { machineId, costUsd, stopGraceMs }, clock()),
  };
  const store = (bucket: string) => createS3ObjectStore({ ...config.s3, bucket }, { now: clock });
  const callbacks = callbacksFor(config);
  const pending = new Set<Promise<unknown>>();
  const notify = (sender: CallbackSender, report: CallbackReport) => {
    if (callbacks === null) return;
    const sent: Promise<unknown> = callbacks
      .send(sender, report)
      .then((result) => {
        if (result.isErr()) log("callback-failed", { jobId: sender.jobId, reason: result.error.message });
      })
      .finally(() => pending.delete(sent));
    pending.add(sent);
  };
  return runPoolWorker({
    machineId,
    jobs,
    split: config.split,
    splitJob: (parent, plan) => splitJob(runner, keys, parent, plan),
    lease,
    checkClaim: (claim) => checkJobClaim(runner, keys, claim),
    commitCost: (commitmentUsd, reservedUsd) =>
      commitMachineCost(
        runner,
        keys,
        { machineId, commitmentUsd, reservedUsd, monthlyBudgetUsd: config.monthlyBudgetUsd },
        clock(),
      ),
    claimCheckMs: config.claimCheckMs,
    input: store(config.inputBucket),
    output: store(config.outputBucket),
    notify,
    settleCallbacks: async () => {
      await Promise.allSettled([...pending]);
    },
    tools: config,
    ffmpegVersion: version,
    workDir: config.workDir,
    retryPolicy,
    guest: config.guest,
    lifecycle: config.lifecycle,
    pollDelay: config.pollDelay,
    heartbeatMs: config.heartbeatMs,
    stop,
    random: Math.random,
    newLeaseToken: () => hex(16),
    onNudge,
    clock,
    log,
  });
};

const main = async (): Promise<WorkerExit> => {
  const log = jsonLog((line) => process.stdout.write(line), clock);
  const parsed = parseWorkerEnv(process.env, { cwd: process.cwd(), tmpDir: join(tmpdir(), "tcoder-worker") });
  if (parsed.isErr()) return { code: 2, reason: `bad environment: ${parsed.error}` };
  const config = parsed.value;
  const version = await readFfmpegVersion(config.ffmpegPath, config.ffprobePath);
  if (version.isErr()) return { code: 2, reason: version.error };

  const stop = new AbortController();
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    // Once: a second signal gets the default action, so an operator can still force an exit.
    process.once(signal, () => {
      log("stop-requested", { signal });
      stop.abort(signal);
    });
  }
  log("worker-started", { mode: config.mode, ffmpegVersion: version.value });
  const exit = await runMode(config, version.value, stop.signal, log);
  log("worker-exit", { ...exit });
  return exit;
};

const runMode = (config: WorkerConfig, version: string, stop: AbortSignal, log: Log): Promise<WorkerExit> => {
  switch (config.mode) {
    case "pool":
      return runPool(config, version, stop, log);
    case "single":
      return runSingleJob(config, {
        tools: config,
        ffmpegVersion: version,
        callbacks: callbacksFor(config),
        stop,
        clock,
        log,
      });
    default: {
      const unreachable: never = config;
      throw new Error(`unknown mode ${JSON.stringify(unreachable)}`);
    }
  }
};

main().then(
  (exit) => {
    if (exit.code !== 0) process.stderr.write(`tcoder-worker: ${exit.reason.replace(/\s*\n\s*/g, " ")}\n`);
    process.exit(exit.code);
  },
  (error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`tcoder-worker: crashed: ${message.replace(/\s*\n\s*/g, " ")}\n`);
    process.exit(1);
  },
);
