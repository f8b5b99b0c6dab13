// Given / when / then table for pricing machine time against Fly's published per-30-day prices.
import { describe, expect, it } from "vitest";
import { FLY_PRICES_2026, priceMachineTime, pricePerSecondUsd } from "../../../core/price-machine-time.ts";

const MONTH = 30 * 24 * 3600;

describe("priceMachineTime", () => {
  it.each([
    { guest: { cpuKind: "shared", cpus: 1, memoryMb: 256 }, perMonth: 1.94 },
    { guest: { cpuKind: "shared", cpus: 1, memoryMb: 512 }, perMonth: 3.19 },
    { guest: { cpuKind: "shared", cpus: 1, memoryMb: 1024 }, perMonth: 5.69 },
    { guest: { cpuKind: "performance", cpus: 1, memoryMb: 2048 }, perMonth: 32.19 },
    { guest: { cpuKind: "performance", cpus: 2, memoryMb: 4096 }, perMonth: 64.38 },
    { guest: { cpuKind: "performance", cpus: 2, memoryMb: 8192 }, perMonth: 84.38 },
  ] as const)(
    "$guest.cpuKind $guest.cpus cpu $guest.memoryMb MB ≈ $$perMonth / 30 days",
    ({ guest, perMonth }) => {
      expect(pricePerSecondUsd(guest, FLY_PRICES_2026) * MONTH).toBeCloseTo(perMonth, 2);
    },
  );

  it("prices seconds linearly and never negative", () => {
    const g = { cpuKind: "performance", cpus: 2, memoryMb: 4096 } as const;
    expect(priceMachineTime(g, 3600, FLY_PRICES_2026)).toBeCloseTo((64.38 / MONTH) * 3600, 5);
    expect(priceMachineTime(g, 7200, FLY_PRICES_2026)).toBeCloseTo(
      2 * priceMachineTime(g, 3600, FLY_PRICES_2026),
      5,
    );
    expect(priceMachineTime(g, -5, FLY_PRICES_2026)).toBe(0);
  });
});
