// Test services as local processes: redis-server children and an in-process s3rver. Needs no Docker.
import { startLocalRedis } from "../../shell/dev/local-services/local-redis.ts";
import { startLocalS3 } from "../../shell/dev/local-services/local-s3.ts";
import type { ServiceBackend } from "./service-backend.ts";

export const localProcesses: ServiceBackend = {
  name: "local-processes",
  startRedis: startLocalRedis,
  startS3: startLocalS3,
};
