// Fly Machine guest sizes and their prices; the preset decides the size, the cost module prices the seconds.
import { err, ok, type Result } from "neverthrow";
import * as v from "valibot";

export type CpuKind = "shared" | "performance";

export interface MachineGuest {
  readonly cpuKind: CpuKind;
  readonly cpus: number;
  readonly memoryMb: number;
}

export const MachineGuestSchema = v.object({
  cpuKind: v.picklist(["shared", "performance"]),
  cpus: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(16)),
  memoryMb: v.pipe(v.number(), v.integer(), v.minValue(256), v.maxValue(131072)),
});

/** Canonical key for a guest size, used in price tables and machine metadata ("performance-2x-4096"). */
export const guestKey = (g: MachineGuest): string => `${g.cpuKind}-${g.cpus}x-${g.memoryMb}`;

/** Fly's sizes: CPU counts per kind, memory per CPU (MB) and its step. A size outside them is refused at create. */
const FLY_SIZES: Readonly<
  Record<CpuKind, { cpus: readonly number[]; minPerCpu: number; maxPerCpu: number }>
> = {
  shared: { cpus: [1, 2, 4, 6, 8], minPerCpu: 256, maxPerCpu: 2048 },
  performance: { cpus: [1, 2, 4, 8, 16], minPerCpu: 2048, maxPerCpu: 8192 },
};
const MEMORY_STEP_MB = 256;

/** Whether Fly would create a machine of this size; the reason in words when not. */
export const checkFlyGuest = (guest: MachineGuest): Result<MachineGuest, string> => {
  const size = FLY_SIZES[guest.cpuKind];
  const name = guestKey(guest);
  if (!size.cpus.includes(guest.cpus)) {
    return err(`${name}: Fly offers ${guest.cpuKind} machines with ${size.cpus.join(", ")} CPUs`);
  }
  const min = size.minPerCpu * guest.cpus;
  const max = size.maxPerCpu * guest.cpus;
  if (guest.memoryMb < min || guest.memoryMb > max || guest.memoryMb % MEMORY_STEP_MB !== 0) {
    return err(
      `${name}: ${guest.cpus} ${guest.cpuKind} CPU(s) take ${min}–${max} MB of memory in steps of ${MEMORY_STEP_MB}`,
    );
  }
  return ok(guest);
};
