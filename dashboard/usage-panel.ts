// "This month": the key's spend against its budget, the service's spend against its budget, machines and queue,
// from GET /api/stats.
import type { Stats } from "../sdk/index.ts";
import { byId } from "./dom.ts";
import { formatUsd } from "./format.ts";

export const showUsage = (stats: Stats): void => {
  const { key } = stats;
  const budget = key.spend.budgetUsd;
  byId("key-spend").textContent =
    budget === null
      ? `${formatUsd(key.spend.monthUsd)} (no budget set)`
      : `${formatUsd(key.spend.monthUsd)} of ${formatUsd(budget)}`;
  const meter = byId<HTMLMeterElement>("key-spend-meter");
  meter.hidden = budget === null || budget <= 0;
  if (budget !== null && budget > 0) {
    meter.max = budget;
    meter.high = budget * 0.8;
    meter.optimum = 0;
    meter.value = Math.min(key.spend.monthUsd, budget);
    meter.title = `${formatUsd(key.spend.monthUsd)} of your ${formatUsd(budget)} budget`;
  }
  byId("service-spend").textContent =
    `${formatUsd(stats.spend.monthUsd)} of ${formatUsd(stats.spend.budgetUsd)}`;
  byId("machines").textContent =
    `${stats.machines.active} running, ${stats.machines.reserved} starting (max ${stats.machines.max})`;
  const open = key.jobs.max === null ? `${key.jobs.open}` : `${key.jobs.open} of ${key.jobs.max}`;
  byId("queue").textContent =
    `${stats.jobs.pending} waiting, ${stats.jobs.active} running; yours open: ${open}`;
};
