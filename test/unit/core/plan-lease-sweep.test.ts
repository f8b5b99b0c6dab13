// Given / when / then table for the lease sweep plan, and its agreement with the decider's expire-lease.
import { describe, expect, it } from "vitest";
import { type JobRetryPolicy, jobRetryPolicy } from "../../../core/decide-job-retry.ts";
import { decideJob } from "../../../core/job-lifecycle/decide-job.ts";
import { foldJobEvents } from "../../../core/job-lifecycle/fold-job-events.ts";
import type { JobEvent } from "../../../core/job-lifecycle/job-events.ts";
import { type LeaseSweepInput, type LeaseSweepPlan, planLeaseSweep } from "../../../core/plan-lease-sweep.ts";

const NOW = 1_700_000_000_000;
const POLICY: JobRetryPolicy = jobRetryPolicy({ maxAttempts: 3, baseDelayMs: 1_000, maxDelayMs: 10_000 });
const EMPTY: LeaseSweepInput = { now: NOW, leases: [], activeJobs: [], reservations: [] };
const NOTHING: LeaseSweepPlan = { requeue: [], fail: [], releaseMachines: [], dropReservations: [] };

const job = (jobId: string, machineId: string, attempts = 1, retryBase = 0) => ({
  jobId,
  machineId,
  leaseToken: `lease-${jobId}`,
  attempts,
  retryBase,
});
const lost = (machineId: string, attempts: number) => ({
  code: "lease-expired",
  message: `worker ${machineId} lost its lease during attempt ${attempts}`,
  retryable: true,
});

const cases: { name: string; given: Partial<LeaseSweepInput>; then: LeaseSweepPlan }[] = [
  { name: "nothing to sweep", given: {}, then: NOTHING },
  {
    name: "a job on a machine with a live lease is left alone",
    given: { leases: [{ machineId: "m1", expiresAt: NOW + 1 }], activeJobs: [job("j1", "m1")] },
    then: NOTHING,
  },
  {
    name: "a job on a machine whose lease expired is requeued and the machine released",
    given: { leases: [{ machineId: "m1", expiresAt: NOW - 1 }], activeJobs: [job("j1", "m1")] },
    then: {
      ...NOTHING,
      requeue: [
        { jobId: "j1", leaseToken: "lease-j1", attempts: 1, availableAt: NOW + 1_000, error: lost("m1", 1) },
      ],
      releaseMachines: ["m1"],
    },
  },
  {
    name: "a lease expiring exactly now counts as expired",
    given: { leases: [{ machineId: "m1", expiresAt: NOW }], activeJobs: [job("j1", "m1", 2)] },
    then: {
      ...NOTHING,
      requeue: [
        { jobId: "j1", leaseToken: "lease-j1", attempts: 2, availableAt: NOW + 2_000, error: lost("m1", 2) },
      ],
      releaseMachines: ["m1"],
    },
  },
  {
    name: "a job whose machine has no lease at all is orphaned; no machine to release",
    given: { activeJobs: [job("j1", "m-gone")] },
    then: {
      ...NOTHING,
      requeue: [
        {
          jobId: "j1",
          leaseToken: "lease-j1",
          attempts: 1,
          availableAt: NOW + 1_000,
          error: lost("m-gone", 1),
        },
      ],
    },
  },
  {
    name: "an orphan on its last attempt fails with a readable reason",
    given: { activeJobs: [job("j1", "m-gone", 3)] },
    then: {
      ...NOTHING,
      fail: [
        {
          jobId: "j1",
          leaseToken: "lease-j1",
          reason: "worker m-gone lost its lease during attempt 3; all 3 attempts used",
          error: {
            code: "lease-expired-max-attempts",
            message: "worker m-gone lost its lease during attempt 3; all 3 attempts used",
            retryable: true,
          },
        },
      ],
    },
  },
  {
    name: "after a client retry only attempts since the retry count",
    given: { activeJobs: [job("j1", "m-gone", 4, 3)] },
    then: {
      ...NOTHING,
      requeue: [
        {
          jobId: "j1",
          leaseToken: "lease-j1",
          attempts: 4,
          availableAt: NOW + 1_000,
          error: lost("m-gone", 4),
        },
      ],
    },
  },
  {
    name: "an expired lease with no job is released",
    given: { leases: [{ machineId: "m1", expiresAt: NOW - 5 }] },
    then: { ...NOTHING, releaseMachines: ["m1"] },
  },
  {
    name: "expired reservations are dropped, live ones kept",
    given: {
      reservations: [
        { reservationId: "r-live", expiresAt: NOW + 1 },
        { reservationId: "r-now", expiresAt: NOW },
        { reservationId: "r-old", expiresAt: NOW - 1 },
      ],
    },
    then: { ...NOTHING, dropReservations: ["r-now", "r-old"] },
  },
  {
    name: "outputs are sorted and machines listed once",
    given: {
      leases: [
        { machineId: "m3", expiresAt: NOW - 1 },
        { machineId: "m1", expiresAt: NOW - 1 },
        { machineId: "m2", expiresAt: NOW + 60_000 },
        { machineId: "m1", expiresAt: NOW - 1 },
      ],
      activeJobs: [job("j9", "m3"), job("j2", "m2"), job("j5", "m1", 3), job("j1", "m1"), job("j4", "m3", 3)],
      reservations: [
        { reservationId: "r2", expiresAt: NOW - 1 },
        { reservationId: "r1", expiresAt: NOW - 1 },
      ],
    },
    then: {
      requeue: [
        { jobId: "j1", leaseToken: "lease-j1", attempts: 1, availableAt: NOW + 1_000, error: lost("m1", 1) },
        { jobId: "j9", leaseToken: "lease-j9", attempts: 1, availableAt: NOW + 1_000, error: lost("m3", 1) },
      ],
      fail: [
        expect.objectContaining({ jobId: "j4", leaseToken: "lease-j4" }),
        expect.objectContaining({ jobId: "j5", leaseToken: "lease-j5" }),
      ],
      releaseMachines: ["m1", "m3"],
      dropReservations: ["r1", "r2"],
    },
  },
];

describe("planLeaseSweep", () => {
  it.each(cases)("given $name", ({ given, then }) => {
    expect(planLeaseSweep({ ...EMPTY, ...given }, POLICY)).toStrictEqual(then);
  });

  it("gives the same plan whatever the input order", () => {
    const input: LeaseSweepInput = {
      now: NOW,
      leases: [
        { machineId: "b", expiresAt: NOW - 1 },
        { machineId: "a", expiresAt: NOW - 1 },
      ],
      activeJobs: [job("y", "a"), job("x", "b", 3), job("z", "b")],
      reservations: [
        { reservationId: "q", expiresAt: NOW },
        { reservationId: "p", expiresAt: NOW },
      ],
    };
    const reversed: LeaseSweepInput = {
      ...input,
      leases: [...input.leases].reverse(),
      activeJobs: [...input.activeJobs].reverse(),
      reservations: [...input.reservations].reverse(),
    };
    expect(planLeaseSweep(reversed, POLICY)).toStrictEqual(planLeaseSweep(input, POLICY));
  });
});

// The sweep plans what the decider's expire-lease would decide for the same job, so the script applying the
// plan and the lifecycle never disagree.
const runningJob = (attempts: number, retryBase: number): readonly JobEvent[] => {
  const start: JobEvent[] = [
    { type: "created", jobId: "j1", preset: "hls", inputKey: "in/j1.mp4", source: "url", at: NOW - 9_000 },
    { type: "enqueued", at: NOW - 8_000 },
  ];
  const retried: JobEvent[] =
    retryBase === 0
      ? []
      : [
          { type: "claimed", machineId: "m0", leaseToken: "old", attempts: retryBase, at: NOW - 7_000 },
          { type: "failed", error: { code: "x", message: "x", retryable: true }, at: NOW - 6_000 },
          { type: "retry-requested", retryBase, at: NOW - 5_000 },
        ];
  const claim: JobEvent = {
    type: "claimed",
    machineId: "m-gone",
    leaseToken: "lease-j1",
    attempts,
    at: NOW - 4_000,
  };
  return [...start, ...retried, claim];
};

describe("planLeaseSweep agrees with decideJob expire-lease", () => {
  it.each([
    { attempts: 1, retryBase: 0 },
    { attempts: 2, retryBase: 0 },
    { attempts: 3, retryBase: 0 },
    { attempts: 4, retryBase: 3 },
    { attempts: 6, retryBase: 3 },
  ])("attempts $attempts, retry base $retryBase", ({ attempts, retryBase }) => {
    const plan = planLeaseSweep({ ...EMPTY, activeJobs: [job("j1", "m-gone", attempts, retryBase)] }, POLICY);
    const state = foldJobEvents(runningJob(attempts, retryBase));
    const [event] = decideJob(
      { type: "expire-lease", leaseToken: "lease-j1", at: NOW },
      state,
      POLICY,
    )._unsafeUnwrap();
    if (event?.type === "lease-expired") {
      expect(plan.fail).toEqual([]);
      expect(plan.requeue).toEqual([
        expect.objectContaining({ availableAt: event.availableAt, error: event.error }),
      ]);
    } else if (event?.type === "failed") {
      expect(plan.requeue).toEqual([]);
      expect(plan.fail).toEqual([expect.objectContaining({ error: event.error })]);
    } else {
      throw new Error(`unexpected event ${JSON.stringify(event)}`);
    }
  });
});
