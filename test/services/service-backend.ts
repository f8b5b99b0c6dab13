// The one interface every way of running test services (local processes, containers) implements. The running
// services' types live with the local implementations (shared with make dev) and are re-exported here.
import type {
  RedisOptions,
  RunningRedis,
  RunningS3,
  S3Credentials,
} from "../../shell/dev/local-services/running-services.ts";

export {
  type ObjectCreatedEvent,
  type ObjectCreatedEventName,
  type ObjectCreatedListener,
  type RedisOptions,
  type RedisRestartOptions,
  type RunningRedis,
  type RunningS3,
  type S3Connection,
  type S3Credentials,
  toS3Connection,
} from "../../shell/dev/local-services/running-services.ts";

export type ServiceBackendName = "local-processes" | "testcontainers";

export interface ServiceBackend {
  readonly name: ServiceBackendName;
  startRedis(opts?: RedisOptions): Promise<RunningRedis>;
  startS3(credentials: S3Credentials): Promise<RunningS3>;
}
