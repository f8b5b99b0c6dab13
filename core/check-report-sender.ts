// Whose lease a worker's report may use. The report's signature proves which machine sent it (its own callback
// key); its lease token says which claim it acts under. A token is honoured only from the machine it was issued
// to, so a machine that learned another's token still cannot report, finish or fail that machine's job.
import type { Job } from "./job-lifecycle/job-state.ts";

export interface ReportSender {
  readonly machineId: string;
  readonly leaseToken: string;
}

/** True when `job` runs under the sender's lease token but on another machine: the report must be refused. */
export const usesAnotherMachinesLease = (
  job: Pick<Job, "status" | "leaseToken" | "machineId">,
  sender: ReportSender,
): boolean =>
  job.status === "running" && job.leaseToken === sender.leaseToken && job.machineId !== sender.machineId;
