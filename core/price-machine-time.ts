// What machine time costs: Fly's per-guest prices turned into USD for a number of seconds.
import type { MachineGuest } from "./machine-guest.ts";

/** Prices per 30 days (Fly bills per second). Shared and RAM figures are Fly's published cheapest-region prices. */
export interface MachinePriceTable {
  /** USD per 30 days for one CPU of each kind, including the memory it comes with. */
  readonly cpuPer30Days: { readonly shared: number; readonly performance: number };
  /** Memory each CPU includes, MB. */
  readonly includedMemoryMbPerCpu: { readonly shared: number; readonly performance: number };
  /** USD per GB of memory beyond what the CPUs include, per 30 days. */
  readonly extraMemoryPerGb30Days: number;
}

export const FLY_PRICES_2026: MachinePriceTable = {
  cpuPer30Days: { shared: 1.94, performance: 32.19 },
  includedMemoryMbPerCpu: { shared: 256, performance: 2048 },
  extraMemoryPerGb30Days: 5,
};

const SECONDS_PER_30_DAYS = 30 * 24 * 3600;

/** USD per second for a guest size. */
export const pricePerSecondUsd = (guest: MachineGuest, prices: MachinePriceTable): number => {
  const included = guest.cpus * prices.includedMemoryMbPerCpu[guest.cpuKind];
  const extraGb = Math.max(0, guest.memoryMb - included) / 1024;
  const per30Days = guest.cpus * prices.cpuPer30Days[guest.cpuKind] + extraGb * prices.extraMemoryPerGb30Days;
  return per30Days / SECONDS_PER_30_DAYS;
};

/** Cost in USD of `seconds` of machine time, rounded to a millionth of a dollar. */
export const priceMachineTime = (guest: MachineGuest, seconds: number, prices: MachinePriceTable): number =>
  Math.round(pricePerSecondUsd(guest, prices) * Math.max(0, seconds) * 1e6) / 1e6;
