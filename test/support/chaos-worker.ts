// A worker process for crash tests: registers a lease, heartbeats, claims jobs, "works" on each for a random
// 100–400 ms, completes fenced, and prints one JSON line per event (claimed / completed / refused / lease-lost).
// Run with Bun: bun test/support/chaos-worker.ts <redisUrl> <prefix> <machineId>
import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { ioredisScriptRunner } from "../../shell/redis/ioredis-script-runner.ts";
import { jobStore } from "../../shell/redis/job-store.ts";
import { redisKeys } from "../../shell/redis/key-schema.ts";
import { CHAOS_LEASE_MS, CHAOS_POLICY, chaosMachines } from "./chaos-machines.ts";

const [redisUrl, prefix, machineId] = process.argv.slice(2);
if (!redisUrl || !prefix || !machineId)
  throw new Error("usage: chaos-worker <redisUrl> <prefix> <machineId>");

const say = (event: Record<string, unknown>) =>
  process.stdout.write(`${JSON.stringify({ machineId, ...event })}\n`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const redis = new Redis(redisUrl, { maxRetriesPerRequest: 2 });
const runner = ioredisScriptRunner(redis);
const keys = redisKeys(prefix);
const jobs = jobStore(runner, keys);
const machines = chaosMachines(runner, keys, jobs);

(await machines.register(machineId))._unsafeUnwrap();
let leaseLost = false;
const heartbeat = setInterval(async () => {
  const beat = await machines.heartbeat(machineId);
  if (beat.isErr()) {
    leaseLost = true;
    say({ event: "lease-lost" });
  }
}, CHAOS_LEASE_MS / 4);

let idleSince = Date.now();
while (!leaseLost && Date.now() - idleSince < 1500) {
  const token = randomBytes(8).toString("hex");
  const claim = (await jobs.claim(machineId, token))._unsafeUnwrap();
  if (claim.kind === "no-lease") break;
  if (claim.kind === "empty") {
    await sleep(50);
    continue;
  }
  say({ event: "claimed", jobId: claim.job.jobId, token });
  await sleep(100 + Math.floor(Math.random() * 300));
  const done = await jobs.transitionFrom(
    claim.job,
    { type: "complete", leaseToken: token, outputs: [], costUsd: 0, machineSeconds: 0.2, at: Date.now() },
    CHAOS_POLICY,
  );
  if (done.isOk()) say({ event: "completed", jobId: claim.job.jobId, token });
  else say({ event: "refused", jobId: claim.job.jobId, token, error: done.error });
  idleSince = Date.now();
}
clearInterval(heartbeat);
if (!leaseLost) await machines.release(machineId, 0, "stopping");
await redis.quit();
process.exit(leaseLost ? 3 : 0);
