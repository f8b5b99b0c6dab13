// Test services in Docker via testcontainers: redis:7 and MinIO. pick-backend imports this only when Docker answers.
import { GenericContainer, Wait } from "testcontainers";
import { findFreePort } from "../../shell/dev/local-services/free-port.ts";
import { answersPing } from "../../shell/dev/local-services/redis-ping.ts";
import { createBucket } from "../../shell/dev/local-services/s3-requests.ts";
import type {
  RedisOptions,
  RunningRedis,
  RunningS3,
  S3Credentials,
  ServiceBackend,
} from "./service-backend.ts";

const REDIS_IMAGE = "redis:7";
const MINIO_IMAGE = "minio/minio:RELEASE.2025-09-07T16-13-09Z";
const READY_TIMEOUT_MS = 15_000;

async function startRedis(opts: RedisOptions = {}): Promise<RunningRedis> {
  const persistence = opts.appendonly
    ? ["--appendonly", "yes", "--appendfsync", "everysec"]
    : ["--appendonly", "no"];
  // A fixed host port, so a restart keeps the address (Docker may remap ephemeral ports on restart).
  const hostPort = await findFreePort();
  const container = await new GenericContainer(REDIS_IMAGE)
    .withCommand(["redis-server", "--save", "", "--dir", "/data", ...persistence])
    .withExposedPorts({ container: 6379, host: hostPort })
    .withWaitStrategy(Wait.forLogMessage("Ready to accept connections"))
    .start();
  const host = container.getHost();
  const port = container.getMappedPort(6379);
  return {
    host,
    port,
    url: `redis://${host}:${port}`,
    async restart({ signal = "SIGKILL" } = {}) {
      // Docker sends SIGTERM, then SIGKILL after `timeout` seconds; 0 makes it a crash.
      await container.restart({ timeout: signal === "SIGKILL" ? 0 : 10 });
      await waitForPong(host, port);
    },
    async stop() {
      await container.stop();
    },
  };
}

async function startS3(credentials: S3Credentials): Promise<RunningS3> {
  const container = await new GenericContainer(MINIO_IMAGE)
    .withEnvironment({
      MINIO_ROOT_USER: credentials.accessKeyId,
      MINIO_ROOT_PASSWORD: credentials.secretAccessKey,
      // R2 clients sign with region "auto"; MinIO checks the region in the credential scope.
      MINIO_SITE_REGION: "auto",
    })
    .withCommand(["server", "/data"])
    .withExposedPorts(9000)
    .withWaitStrategy(Wait.forHttp("/minio/health/ready", 9000))
    .start();
  const connection = {
    endpoint: `http://${container.getHost()}:${container.getMappedPort(9000)}`,
    accessKeyId: credentials.accessKeyId,
    secretAccessKey: credentials.secretAccessKey,
    region: "auto",
  } as const;
  return {
    ...connection,
    createBucket: (name) => createBucket(connection, name),
    async stop() {
      await container.stop();
    },
  };
}

async function waitForPong(host: string, port: number): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (await answersPing(host, port)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`redis at ${host}:${port} did not answer PING within ${READY_TIMEOUT_MS} ms`);
}

export const testcontainers: ServiceBackend = {
  name: "testcontainers",
  startRedis,
  startS3,
};
