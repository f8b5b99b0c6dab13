// The environment a spawned worker machine gets (contracts: worker environment), pool or single-job mode: only
// per-machine values and settings. Shared credentials (Redis URL and token, the workers' R2 key) are Fly app
// secrets, which Fly gives every machine of the app (make deploy sets them). The one credential here is the
// machine's own callback key: machine env is readable by anyone who can read the app, and this key only signs this
// machine's reports (its lease token fences which job), never the root CALLBACK_SECRET.
import { guestKey } from "../../../core/machine-guest.ts";
import { machineCallbackKey } from "../../signing/machine-callback-key.ts";
import type { ControlPlaneConfig } from "../config/control-plane-config.ts";

/** Where the machine sends its signed callbacks, and the key of its own it signs them with. */
export const callbackEnv = async (
  config: ControlPlaneConfig,
  machineId: string,
): Promise<Record<string, string>> => {
  const [root] = config.callbackSecrets;
  if (config.publicUrl === null || root === undefined) return {};
  return {
    CALLBACK_URL: `${config.publicUrl}/internal/callbacks`,
    CALLBACK_KEY: await machineCallbackKey(root, machineId),
  };
};

/** A pool worker claims jobs from Redis itself; `machineId` is its reservation id and Fly metadata tag. */
export const poolMachineEnv = async (
  config: ControlPlaneConfig,
  machineId: string,
): Promise<Record<string, string>> => ({
  TCODER_MACHINE_ID: machineId,
  REDIS_PREFIX: config.redis.prefix,
  S3_ENDPOINT: config.worker.s3Endpoint,
  INPUT_BUCKET: config.storage.inputBucket,
  OUTPUT_BUCKET: config.storage.outputBucket,
  ...(await callbackEnv(config, machineId)),
  WORKER_TTL_MS: String(config.worker.ttlMs),
  WORKER_MAX_JOBS: String(config.worker.maxJobs),
  WORKER_DRAIN_MS: String(config.worker.drainMs),
  WORKER_IDLE_EXIT_MS: String(config.worker.idleExitMs),
  LEASE_MS: String(config.leaseMs),
  MACHINE_STOP_GRACE_MS: String(config.stopGraceMs),
  HEARTBEAT_MS: String(config.worker.heartbeatMs),
  MAX_MACHINES: String(config.admission.maxMachines),
  MACHINE_GUEST: guestKey(config.worker.guest),
  MAX_ATTEMPTS: String(config.retryPolicy.maxAttempts),
  MONTHLY_BUDGET_USD: String(config.admission.monthlyBudgetUsd),
  SPLIT_AFTER_SECONDS: String(config.worker.split.afterSeconds),
  SPLIT_CHUNK_SECONDS: String(config.worker.split.chunkSeconds),
});
