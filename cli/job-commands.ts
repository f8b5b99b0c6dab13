// tcoder status|cancel|record|list|stats: one API call each (list follows pages), printed for people or as JSON.
import type { JobStatus, JobView } from "../sdk/index.ts";
import type { CliContext } from "./cli-context.ts";
import { failureLine, jobDetails, jobLine } from "./print-job.ts";
import { waitAndReport } from "./wait-and-report.ts";

const exitFor = (ctx: CliContext, job: JobView): number => {
  if (job.status === "failed") {
    ctx.err(failureLine(job));
    return 1;
  }
  return 0;
};

export const statusCommand = async (ctx: CliContext, jobId: string, wait: boolean): Promise<number> => {
  if (wait) return waitAndReport(ctx, jobId);
  const job = await ctx.client.get(jobId, { signal: ctx.signal });
  if (ctx.json) ctx.out(JSON.stringify(job));
  else for (const line of jobDetails(job)) ctx.out(line);
  return exitFor(ctx, job);
};

export const cancelCommand = async (
  ctx: CliContext,
  jobId: string,
  reason: string | undefined,
): Promise<number> => {
  const job = await ctx.client.cancel(jobId, { signal: ctx.signal, ...(reason ? { reason } : {}) });
  ctx.out(ctx.json ? JSON.stringify(job) : jobLine(job));
  return 0;
};

export const recordCommand = async (ctx: CliContext, jobId: string): Promise<number> => {
  const record = await ctx.client.record(jobId, { signal: ctx.signal });
  ctx.out(JSON.stringify(record, null, ctx.json ? undefined : 2));
  return 0;
};

export const listCommand = async (
  ctx: CliContext,
  status: JobStatus | undefined,
  limit: number,
): Promise<number> => {
  const jobs: JobView[] = [];
  for await (const page of ctx.client.listPages({
    signal: ctx.signal,
    limit: Math.min(limit, 100),
    ...(status ? { status } : {}),
  })) {
    jobs.push(...page.jobs);
    if (jobs.length >= limit) break;
  }
  const shown = jobs.slice(0, limit);
  if (ctx.json) ctx.out(JSON.stringify(shown));
  else if (shown.length === 0) ctx.err("no jobs");
  else for (const job of shown) ctx.out(jobLine(job));
  return 0;
};

export const statsCommand = async (ctx: CliContext): Promise<number> => {
  const stats = await ctx.client.stats({ signal: ctx.signal });
  if (ctx.json) {
    ctx.out(JSON.stringify(stats));
    return 0;
  }
  const { machines, jobs, spend } = stats;
  ctx.out(`machines  ${machines.active} running, ${machines.reserved} starting, at most ${machines.max}`);
  ctx.out(`jobs      ${jobs.pending} waiting, ${jobs.active} running`);
  ctx.out(`spend     $${spend.monthUsd.toFixed(2)} of $${spend.budgetUsd.toFixed(2)} this month`);
  return 0;
};
