// The environment a spawned worker machine gets (contracts: worker environment), pool or single-job mode: only
// per-machine values and settings. Credentials (Redis URL and token, the workers' R2 key, the callback secret) are
// Fly app secrets, which Fly gives every machine of the app (make deploy sets them); machine env is readable by
// anyone who can read the app, so no secret goes in it.
import { guestKey } from "../../../core/machine-guest.ts";
import type { ControlPlaneConfig } from "../config/control-plane-config.ts";

/** Where workers send their signed callbacks (signed with the CALLBACK_SECRET app secret). */
export const callbackEnv = (config: ControlPlaneConfig): Record<string, string> =>
  config.publicUrl === null ? {} : { CALLBACK_URL: `${config.publicUrl}/internal/callbacks` };

/** A pool worker claims jobs from Redis itself; `machineId` is its reservation id and Fly metadata tag. */
export const poolMachineEnv = (config: ControlPlaneConfig, machineId: string): Record<string, string> => ({
  TCODER_MACHINE_ID: machineId,
  REDIS_PREFIX: config.redis.prefix,
  S3_ENDPOINT: config.worker.s3Endpoint,
  INPUT_BUCKET: config.storage.inputBucket,
  OUTPUT_BUCKET: config.storage.outputBucket,
  ...callbackEnv(config),
  WORKER_TTL_MS: String(config.worker.ttlMs),
  WORKER_MAX_JOBS: String(config.worker.maxJobs),
  WORKER_DRAIN_MS: String(config.worker.drainMs),
  LEASE_MS: String(config.leaseMs),
  MACHINE_STOP_GRACE_MS: String(config.stopGraceMs),
  HEARTBEAT_MS: String(config.worker.heartbeatMs),
  MAX_MACHINES: String(config.admission.maxMachines),
  MACHINE_GUEST: guestKey(config.worker.guest),
  MAX_ATTEMPTS: String(config.retryPolicy.maxAttempts),
  SPLIT_AFTER_SECONDS: String(config.worker.split.afterSeconds),
  SPLIT_CHUNK_SECONDS: String(config.worker.split.chunkSeconds),
});
