// The environment a spawned worker machine gets (contracts: worker environment), pool or single-job mode.
import { guestKey } from "../../../core/machine-guest.ts";
import type { ControlPlaneConfig } from "../config/control-plane-config.ts";

/** Where workers send their signed callbacks, when the control plane knows its own public URL. */
export const callbackEnv = (config: ControlPlaneConfig): Record<string, string> =>
  config.publicUrl === null
    ? {}
    : {
        CALLBACK_URL: `${config.publicUrl}/internal/callbacks`,
        CALLBACK_SECRET: config.callbackSecrets[0] as string,
      };

/** A pool worker claims jobs from Redis itself; `machineId` is its reservation id and Fly metadata tag. */
export const poolMachineEnv = (config: ControlPlaneConfig, machineId: string): Record<string, string> => ({
  TCODER_MACHINE_ID: machineId,
  UPSTASH_REDIS_REST_URL: config.worker.redisUrl,
  UPSTASH_REDIS_REST_TOKEN: config.worker.redisToken,
  REDIS_PREFIX: config.redis.prefix,
  S3_ENDPOINT: config.worker.s3Endpoint,
  S3_ACCESS_KEY_ID: config.storage.accessKeyId,
  S3_SECRET_ACCESS_KEY: config.storage.secretAccessKey,
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
});
