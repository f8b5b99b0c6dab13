// Fly Machine guest sizes and their prices; the preset decides the size, the cost module prices the seconds.
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
