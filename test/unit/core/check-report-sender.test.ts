// Given / when / then table: a lease token is honoured only from the machine it was issued to.
import { describe, expect, it } from "vitest";
import { usesAnotherMachinesLease } from "../../../core/check-report-sender.ts";

const running = { status: "running", leaseToken: "lease_b", machineId: "m_b" } as const;

describe("usesAnotherMachinesLease", () => {
  it.each([
    ["the job's own machine and lease", running, { machineId: "m_b", leaseToken: "lease_b" }, false],
    ["another machine with the job's lease", running, { machineId: "m_a", leaseToken: "lease_b" }, true],
    [
      "another machine with a stale lease (fenced elsewhere)",
      running,
      { machineId: "m_a", leaseToken: "lease_old" },
      false,
    ],
    [
      "a job no longer running (a duplicate, fenced elsewhere)",
      { status: "completed", leaseToken: null, machineId: null },
      { machineId: "m_a", leaseToken: "lease_b" },
      false,
    ],
  ] as const)("%s → %s", (_name, job, sender, refused) => {
    expect(usesAnotherMachinesLease(job, sender)).toBe(refused);
  });
});
