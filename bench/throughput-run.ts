// What one throughput run measured, for RWOS and BullMQ alike, and the figures derived from it.
import { addCounts, type CommandCounts, type MeterLap, totalCalls } from "./command-meter.ts";

export interface ThroughputRun {
  readonly jobs: number;
  /** Wall time to enqueue every job (before any worker runs). */
  readonly enqueueMs: number;
  /** Wall time from the workers' start to the last job's completion. */
  readonly processMs: number;
  readonly enqueue: MeterLap;
  readonly process: MeterLap;
  /** CPU time of the benchmark process (clients and workers) during processing. */
  readonly clientCpuMs: number;
}

export const jobsPerSecond = (run: ThroughputRun): number => (run.jobs / run.processMs) * 1000;
export const enqueuePerSecond = (run: ThroughputRun): number => (run.jobs / run.enqueueMs) * 1000;

/** Every command Redis ran for the run: enqueue, claim/fetch and completion, inside scripts or not. */
export const runCounts = (run: ThroughputRun): CommandCounts =>
  addCounts(run.enqueue.counts, run.process.counts);
export const commandsPerJob = (run: ThroughputRun): number => totalCalls(runCounts(run)) / run.jobs;

/** The run with the median throughput (runs are odd in number), so its other figures stay consistent. */
export const medianRun = (runs: readonly ThroughputRun[]): ThroughputRun => {
  if (runs.length === 0) throw new Error("no runs to take a median of");
  const sorted = [...runs].sort((a, b) => jobsPerSecond(a) - jobsPerSecond(b));
  return sorted[Math.floor(sorted.length / 2)] as ThroughputRun;
};

/** Wall time and the bench process's CPU time of `work`. */
export const timed = async (work: () => Promise<void>): Promise<{ wallMs: number; cpuMs: number }> => {
  const cpu = process.cpuUsage();
  const start = performance.now();
  await work();
  const wallMs = performance.now() - start;
  const used = process.cpuUsage(cpu);
  return { wallMs, cpuMs: (used.user + used.system) / 1000 };
};
