// Fly's machine sizes: which CPU/memory pairs it creates, and every size our presets ask for is one of them.
import { describe, expect, it } from "vitest";
import { PRESETS } from "../../../core/ffmpeg/presets.ts";
import { checkFlyGuest, type MachineGuest } from "../../../core/machine-guest.ts";

describe("checkFlyGuest", () => {
  it.each<[MachineGuest, boolean]>([
    [{ cpuKind: "shared", cpus: 1, memoryMb: 256 }, true],
    [{ cpuKind: "shared", cpus: 1, memoryMb: 2048 }, true],
    [{ cpuKind: "shared", cpus: 1, memoryMb: 4096 }, false],
    [{ cpuKind: "shared", cpus: 3, memoryMb: 1024 }, false],
    [{ cpuKind: "shared", cpus: 6, memoryMb: 1536 }, true],
    [{ cpuKind: "performance", cpus: 2, memoryMb: 4096 }, true],
    [{ cpuKind: "performance", cpus: 2, memoryMb: 2048 }, false],
    [{ cpuKind: "performance", cpus: 16, memoryMb: 131072 }, true],
    [{ cpuKind: "performance", cpus: 6, memoryMb: 12288 }, false],
    [{ cpuKind: "performance", cpus: 1, memoryMb: 2300 }, false],
  ])("%o → %s", (guest, accepted) => {
    expect(checkFlyGuest(guest).isOk()).toBe(accepted);
  });

  it("says what Fly offers", () => {
    expect(checkFlyGuest({ cpuKind: "performance", cpus: 2, memoryMb: 1024 })._unsafeUnwrapErr()).toBe(
      "performance-2x-1024: 2 performance CPU(s) take 4096–16384 MB of memory in steps of 256",
    );
  });

  it.each(Object.entries(PRESETS))("the %s preset's guests are sizes Fly creates", (_name, spec) => {
    expect(checkFlyGuest(spec.guest).isOk()).toBe(true);
    expect(checkFlyGuest(spec.largeSourceGuest).isOk()).toBe(true);
  });
});
