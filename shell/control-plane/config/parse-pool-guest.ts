// POOL_GUEST ("performance-2x-4096") → a machine size Fly offers, or the reason it is not one.
import * as v from "valibot";
import { checkFlyGuest, type MachineGuest, MachineGuestSchema } from "../../../core/machine-guest.ts";

const GUEST = /^(shared|performance)-(\d+)x-(\d+)$/;

export const parseGuest = (text: string): MachineGuest | string => {
  const match = GUEST.exec(text);
  if (!match) return `POOL_GUEST: must look like performance-2x-4096, got ${JSON.stringify(text)}`;
  const parsed = v.safeParse(MachineGuestSchema, {
    cpuKind: match[1],
    cpus: Number(match[2]),
    memoryMb: Number(match[3]),
  });
  if (!parsed.success) return `POOL_GUEST: ${v.summarize(parsed.issues)}`;
  return checkFlyGuest(parsed.output).match(
    (guest) => guest,
    (reason) => `POOL_GUEST: ${reason}`,
  );
};
