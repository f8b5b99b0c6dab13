// The settings `make simulate` compares: the seed's (what a deploy ships with), one job per machine, splitting on
// and off, caps of 5 and 50; and, for 100,000 uploads a day, a cap of 200 with machines that live longer.
import { type SettingsOverrides, SHIPPED_SPLIT } from "./simulation-settings.ts";

export interface PolicyVariant {
  readonly name: string;
  readonly overrides: SettingsOverrides;
}

const variant = (cap: number, maxJobs: number, split: boolean, ttlMin?: number): PolicyVariant => ({
  name: `cap ${cap}, ${maxJobs === 1 ? "1 job" : `${maxJobs} jobs`}${ttlMin === undefined ? "" : `, TTL ${ttlMin} min`}${split ? ", split" : ""}`,
  overrides: {
    maxMachines: cap,
    maxJobs,
    split: split ? SHIPPED_SPLIT : null,
    ...(ttlMin === undefined ? {} : { ttlMs: ttlMin * 60_000 }),
  },
});

/** The seed's settings: cap 5, TTL 5 min, 3 jobs a machine, no split. */
export const SEED_VARIANT = variant(5, 3, false);

export const POLICY_VARIANTS: readonly PolicyVariant[] = [
  SEED_VARIANT,
  variant(5, 3, true),
  variant(5, 1, false),
  variant(5, 1, true),
  variant(50, 3, false),
  variant(50, 3, true),
  variant(50, 1, false),
  variant(50, 1, true),
  // Three spawns in 10 s start at most 25,920 machines a day: at 100,000 uploads a day, machines must run more jobs.
  variant(200, 3, false),
  variant(200, 20, false, 15),
  variant(200, 20, true, 15),
];
