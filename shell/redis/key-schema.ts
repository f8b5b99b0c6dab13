// The Redis key schema of the orchestration system (RWOS), in one place. Every key lives under a configurable prefix.
//
// key                          type    contents
// ---------------------------  ------  --------------------------------------------------------------------------
// jobs:status:{id}             HASH    one job: the lifecycle decider's state (core/job-lifecycle/job-state.ts),
//                                      one field per property, JSON for error/outputs; `version` counts events
//                                      and fences every compare-and-set commit; plus `meta:*` fields the decider
//                                      does not read (webhook URL, original filename, owner: the id of the
//                                      API key that made it, requestHash: its create request's fingerprint,
//                                      upload*: the terms a client upload was given: size, expiry, multipart id)
// jobs:pending                 ZSET    job ids waiting for a worker; score = earliest claim time in ms (enqueue
//                                      time, or the end of a retry backoff)
// jobs:active                  HASH    job id → "<machineId>|<leaseToken>" for every running job; the sweep's index
// jobs:intake                  ZSET    job id → when the cron next looks for its input (ms, control-plane clock), for
//                                      every job still `uploading` or `queued`; added by create-job, removed by the
//                                      commit that moves the job on; these count toward the backlog cap
// jobs:ended                   ZSET    job id → when it ended (its finishedAt, ms), for every job in a terminal
//                                      status: input retention; removed by a client retry or once its input is gone
// jobs:idempotency:{key}       STRING  client Idempotency-Key → job id (expires with the key's TTL)
// jobs:by-owner:{keyId}        ZSET    job id → createdAt ms: every job one API key made (GET /api/jobs);
//                                      written by create-job.lua
// jobs:open-by-owner:{keyId}   SET     that key's unfinished jobs (uploading … running): its pending cap;
//                                      added by create-job.lua, removed by the commit that finishes the job
// workers:leases               ZSET    machine id → lease expiry in ms by Redis TIME; a machine without an entry,
//                                      or with an expired one, holds no slot and may not claim
// workers:reservations         ZSET    machine id → boot deadline in ms (Redis TIME): admitted, not yet registered
// counters:active_machines     STRING  slots taken = leases + reservations; never negative
// counters:rate_limit          ZSET    machine id → spawn time in ms (Redis TIME); the sliding spawn-rate window
// counters:spend:{yyyy-mm}     STRING  USD spent in that month (INCRBYFLOAT), for the budget
// counters:spend:{yyyy-mm}:key:{keyId}
//                              STRING  USD of one API key's jobs completed that month (the commit that completes
//                                      a job adds its cost, month by Redis TIME), for the key's own budget
// workers:commitments          HASH    machine id → USD the machine may cost over its whole life, for a machine
//                                      whose job may keep it past its TTL (more than the TTL × price admission
//                                      reserves for every slot); dropped when its slot is given back
// webhooks:outbox              ZSET    job id → when it finished, in ms (Redis TIME), for every finished job whose
//                                      client webhook is not yet settled (delivered, refused for good, given up)
//                                      and that the cron has not taken yet
// webhooks:retry               ZSET    job id → its next attempt time in ms (Redis TIME), for owed webhooks the cron
//                                      has taken (webhook-outbox.lua): each entry has its own schedule
// webhooks:owed                HASH    "<job id>:first" → when it was first owed (ms), "<job id>:failed" → failed
//                                      attempts, for the entries in webhooks:retry (backoff and give-up)
// webhooks:{id}:{status}:{at}  STRING  a webhook already being sent (once-memory), so duplicate callbacks send once
//
// Scripts receive every key they touch in KEYS, except jobs:status:{id} for ids they discover themselves (claim,
// sweep, list), and a job's owner keys in the commit (the owner is read from the job), which they build from the
// prefix passed as an argument: Upstash and a single redis-server allow that; a Redis Cluster would need a hash
// tag on the prefix.

export interface RedisKeys {
  readonly prefix: string;
  readonly jobStatusPrefix: string;
  jobStatus(jobId: string): string;
  readonly jobsPending: string;
  readonly jobsActive: string;
  readonly jobsIntake: string;
  readonly jobsEnded: string;
  idempotency(key: string): string;
  /** One API key's jobs by creation time (keyId: apiKeyCheck's id). */
  jobsByOwner(keyId: string): string;
  /** One API key's unfinished jobs. */
  openJobsByOwner(keyId: string): string;
  readonly workerLeases: string;
  readonly workerReservations: string;
  /** Released machines whose slot is held until their stop grace is over (score: Redis ms). */
  readonly workerExiting: string;
  /** Machines whose job may keep them past their TTL → their whole-life worst case in USD. */
  readonly workerCommitments: string;
  /** Prefix of `workers:fly:<machineId>` → the Fly machine id (to signal an idle worker); expires on its own. */
  readonly flyMachinePrefix: string;
  readonly activeMachines: string;
  readonly rateLimit: string;
  spend(month: string): string;
  /** One API key's spend in a month (commit_job builds the same name). */
  ownerSpend(month: string, keyId: string): string;
  readonly webhookOutbox: string;
  /** Owed webhooks the cron has taken, by next attempt time. */
  readonly webhookRetry: string;
  /** First-owed times and failed attempts of the entries in webhookRetry. */
  readonly webhookOwed: string;
}

export const redisKeys = (prefix: string): RedisKeys => {
  if (!/^[A-Za-z0-9:_{}-]{1,64}$/.test(prefix))
    throw new Error(`invalid Redis key prefix ${JSON.stringify(prefix)}`);
  const p = prefix.endsWith(":") ? prefix : `${prefix}:`;
  return {
    prefix: p,
    jobStatusPrefix: `${p}jobs:status:`,
    jobStatus: (jobId) => `${p}jobs:status:${jobId}`,
    jobsPending: `${p}jobs:pending`,
    jobsActive: `${p}jobs:active`,
    jobsIntake: `${p}jobs:intake`,
    jobsEnded: `${p}jobs:ended`,
    idempotency: (key) => `${p}jobs:idempotency:${key}`,
    jobsByOwner: (keyId) => `${p}jobs:by-owner:${keyId}`,
    openJobsByOwner: (keyId) => `${p}jobs:open-by-owner:${keyId}`,
    workerLeases: `${p}workers:leases`,
    workerReservations: `${p}workers:reservations`,
    workerExiting: `${p}workers:exiting`,
    workerCommitments: `${p}workers:commitments`,
    flyMachinePrefix: `${p}workers:fly:`,
    activeMachines: `${p}counters:active_machines`,
    rateLimit: `${p}counters:rate_limit`,
    spend: (month) => `${p}counters:spend:${month}`,
    ownerSpend: (month, keyId) => `${p}counters:spend:${month}:key:${keyId}`,
    webhookOutbox: `${p}webhooks:outbox`,
    webhookRetry: `${p}webhooks:retry`,
    webhookOwed: `${p}webhooks:owed`,
  };
};

/** KEYS[1..7] of release-machine.lua and sweep-release.lua, the two scripts that give machine slots back. */
export const slotReleaseKeys = (keys: RedisKeys, spendKey: string): string[] => [
  keys.workerLeases,
  keys.workerReservations,
  keys.activeMachines,
  keys.jobsActive,
  spendKey,
  keys.workerExiting,
  keys.workerCommitments,
];
