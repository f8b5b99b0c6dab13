// A worker process for the claim race: claims and completes no-op jobs until the queue is empty, then prints
// the ids it completed as one JSON line. Run with Bun: bun test/support/claim-race-worker.ts <redisUrl> <prefix> <machineId>
import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { DEFAULT_JOB_RETRY_POLICY } from "../../core/decide-job-retry.ts";
import { ioredisScriptRunner } from "../../shell/redis/ioredis-script-runner.ts";
import { jobStore } from "../../shell/redis/job-store.ts";
import { redisKeys } from "../../shell/redis/key-schema.ts";

const [redisUrl, prefix, machineId] = process.argv.slice(2);
if (!redisUrl || !prefix || !machineId)
  throw new Error("usage: claim-race-worker <redisUrl> <prefix> <machineId>");

const redis = new Redis(redisUrl);
const store = jobStore(ioredisScriptRunner(redis), redisKeys(prefix));
const completed: string[] = [];
const refused: string[] = [];

for (;;) {
  const token = randomBytes(8).toString("hex");
  const claim = (await store.claim(machineId, token))._unsafeUnwrap();
  if (claim.kind !== "claimed") break;
  const done = await store.transitionFrom(
    claim.job,
    { type: "complete", leaseToken: token, outputs: [], costUsd: 0, machineSeconds: 0, at: claim.now },
    DEFAULT_JOB_RETRY_POLICY,
  );
  (done.isOk() ? completed : refused).push(claim.job.jobId);
}
process.stdout.write(`${JSON.stringify({ machineId, completed, refused })}\n`);
await redis.quit();
