// A month of uploads to simulate: when they arrive (steady, diurnal with bursts) and what each is (preset, size,
// duration, keyframe spacing), drawn from a seeded generator so a seed replays the same month.
import type { PresetName } from "../preset-names.ts";
import { exponential, type Prng, standardNormal } from "./prng.ts";

export const WORKLOAD_NAMES = ["steady", "bursty", "long-files"] as const;
export type WorkloadName = (typeof WORKLOAD_NAMES)[number];

export interface Workload {
  readonly name: WorkloadName;
  readonly jobsPerDay: number;
  readonly days: number;
}

export interface JobSpec {
  readonly preset: PresetName;
  /** Source width × height. */
  readonly pixels: number;
  readonly durationS: number;
  /** Seconds between source keyframes. */
  readonly gopS: number;
}

const DAY_MS = 86_400_000;

/** Shares of presets and source sizes, and the duration of an ordinary upload (log-normal, clamped). */
export const JOB_MIX = {
  presets: [
    ["web-optimized", 0.45],
    ["hls", 0.3],
    ["mobile", 0.1],
    ["default", 0.15],
  ] as const satisfies readonly (readonly [PresetName, number])[],
  sizes: [
    [854 * 480, 0.15],
    [1280 * 720, 0.35],
    [1920 * 1080, 0.45],
    [3840 * 2160, 0.05],
  ] as const,
  medianDurationS: 45,
  durationSigma: 1,
  minDurationS: 2,
  maxDurationS: 1200,
  gopS: 2,
  /** In the long-files workload: this share of uploads lasts 30 to 120 minutes. */
  longShare: 0.005,
  longMinS: 1800,
  longMaxS: 7200,
} as const;

/** Bursty: a day/night cycle carries most uploads; a few short bursts a day carry the rest. */
export const BURSTS = {
  /** Peak over mean of the daily cycle (trough: 2 - peak). */
  diurnalPeak: 1.8,
  perDay: 3,
  lengthMs: 10 * 60_000,
  /** Share of each day's uploads that come in its bursts. */
  share: 0.15,
} as const;

const pick = <T>(random: Prng, shares: readonly (readonly [T, number])[]): T => {
  let u = random();
  for (const [value, share] of shares) {
    if (u < share) return value;
    u -= share;
  }
  return (shares.at(-1) as readonly [T, number])[0];
};

export const drawJob = (workload: WorkloadName, random: Prng): JobSpec => {
  const preset = pick(random, JOB_MIX.presets);
  const pixels = pick(random, JOB_MIX.sizes);
  const long = workload === "long-files" && random() < JOB_MIX.longShare;
  const durationS = long
    ? JOB_MIX.longMinS + random() * (JOB_MIX.longMaxS - JOB_MIX.longMinS)
    : Math.min(
        JOB_MIX.maxDurationS,
        Math.max(
          JOB_MIX.minDurationS,
          JOB_MIX.medianDurationS * Math.exp(JOB_MIX.durationSigma * standardNormal(random)),
        ),
      );
  return { preset, pixels, durationS, gopS: JOB_MIX.gopS };
};

/** Upload times (ms from the month's start), one at a time in order; Infinity once the month is over. */
export interface Arrivals {
  next(): number;
}

/**
 * A Poisson process of rate `rate(t)` (per ms), by thinning under a piecewise-constant envelope: `envelope` lists
 * [until, ceiling] pieces in order, each ceiling at least the rate up to its `until`.
 */
const thinned = (
  random: Prng,
  horizonMs: number,
  rate: (t: number) => number,
  envelope: readonly (readonly [number, number])[],
): Arrivals => {
  let t = 0;
  let piece = 0;
  return {
    next: () => {
      for (;;) {
        const [until, ceiling] = envelope[piece] ?? [horizonMs, 0];
        if (t >= horizonMs) return Number.POSITIVE_INFINITY;
        const candidate = ceiling > 0 ? t + exponential(random, 1 / ceiling) : Number.POSITIVE_INFINITY;
        if (candidate >= until) {
          // No arrival in this piece: go on from its end (memoryless, so nothing is lost).
          t = until;
          piece++;
          continue;
        }
        t = candidate;
        if (random() * ceiling < rate(t)) return t;
      }
    },
  };
};

export const createArrivals = (workload: Workload, random: Prng): Arrivals => {
  const horizonMs = workload.days * DAY_MS;
  const meanRate = workload.jobsPerDay / DAY_MS;
  if (workload.name !== "bursty") {
    return thinned(random, horizonMs, () => meanRate, [[horizonMs, meanRate]]);
  }
  const cycleRate = (1 - BURSTS.share) * meanRate;
  const burstRate = (BURSTS.share * workload.jobsPerDay) / BURSTS.perDay / BURSTS.lengthMs;
  const bursts: number[] = [];
  for (let day = 0; day < workload.days; day++) {
    for (let i = 0; i < BURSTS.perDay; i++) bursts.push(day * DAY_MS + random() * (DAY_MS - BURSTS.lengthMs));
  }
  bursts.sort((a, b) => a - b);
  // Quiet at 04:00, busiest at 16:00.
  const cycle = (t: number) =>
    cycleRate *
    (1 + (BURSTS.diurnalPeak - 1) * Math.sin((2 * Math.PI * (t - DAY_MS / 6)) / DAY_MS - Math.PI / 2));
  const burstsAt = (t: number): number => {
    let n = 0;
    for (
      let i = lowerBound(bursts, t - BURSTS.lengthMs);
      i < bursts.length && (bursts[i] as number) <= t;
      i++
    )
      n++;
    return n;
  };
  const edges = [...new Set([...bursts, ...bursts.map((b) => b + BURSTS.lengthMs), horizonMs])]
    .filter((e) => e <= horizonMs)
    .sort((a, b) => a - b);
  const cycleCeiling = cycleRate * BURSTS.diurnalPeak;
  let from = 0;
  const envelope = edges.map((until): [number, number] => {
    const ceiling = cycleCeiling + burstsAt((from + until) / 2) * burstRate;
    from = until;
    return [until, ceiling];
  });
  return thinned(random, horizonMs, (t) => cycle(t) + burstsAt(t) * burstRate, envelope);
};

/** The first index whose value is above `value`. */
const lowerBound = (sorted: readonly number[], value: number): number => {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((sorted[mid] as number) <= value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
};
