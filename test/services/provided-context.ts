// Types of the values global-setup.ts `provide`s to every integration test (read them with `inject`).
import type { FfmpegTools } from "./ffmpeg-tools.ts";
import type { S3Connection, ServiceBackendName } from "./service-backend.ts";

declare module "vitest" {
  export interface ProvidedContext {
    /** Which backend runs the shared services of this run. */
    servicesBackend: ServiceBackendName;
    /** `redis://127.0.0.1:port` of a real redis-server shared by the run; isolate keys with `uniquePrefix`. */
    redisUrl: string;
    /** A real S3 server with per-run random credentials; isolate with `createTestBucket`. */
    s3: S3Connection;
    ffmpeg: FfmpegTools;
  }
}
