// Vitest globalSetup for the integration project: starts Redis and S3 once per run, provides their addresses.
import type { TestProject } from "vitest/node";
import { locateFfmpegTools } from "./ffmpeg-tools.ts";
import { pickBackend } from "./pick-backend.ts";
import "./provided-context.ts";
import { type RunningRedis, type RunningS3, toS3Connection } from "./service-backend.ts";
import { randomS3Credentials } from "./test-namespace.ts";

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const ffmpeg = await locateFfmpegTools();
  const backend = await pickBackend();
  const running: Array<RunningRedis | RunningS3> = [];
  const teardown = async () => {
    const results = await Promise.allSettled(running.map((service) => service.stop()));
    const failures = results.filter((result) => result.status === "rejected");
    if (failures.length > 0) throw new AggregateError(failures.map((failure) => failure.reason));
  };
  // Each service joins `running` as soon as it is up, so a failure in the other still tears it down.
  const track = <T extends RunningRedis | RunningS3>(service: T): T => {
    running.push(service);
    return service;
  };
  const [redis, s3] = await Promise.allSettled([
    backend.startRedis().then(track),
    backend.startS3(randomS3Credentials()).then(track),
  ]);
  if (redis.status === "rejected" || s3.status === "rejected") {
    await teardown().catch(() => undefined);
    throw [redis, s3].flatMap((result) => (result.status === "rejected" ? [result.reason] : []))[0];
  }
  project.provide("servicesBackend", backend.name);
  project.provide("redisUrl", redis.value.url);
  project.provide("s3", toS3Connection(s3.value));
  project.provide("ffmpeg", ffmpeg);
  return teardown;
}
