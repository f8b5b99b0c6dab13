// A month's uploads: as many as asked for on average, bursty when asked, and the job mix as stated.
import { describe, expect, it } from "vitest";
import { mulberry32 } from "../../../../core/simulate/prng.ts";
import { createArrivals, drawJob, JOB_MIX, type Workload } from "../../../../core/simulate/workloads.ts";

const DAY_MS = 86_400_000;

const arrivalTimes = (workload: Workload, seed = 1): number[] => {
  const arrivals = createArrivals(workload, mulberry32(seed));
  const times: number[] = [];
  for (let t = arrivals.next(); t !== Number.POSITIVE_INFINITY; t = arrivals.next()) times.push(t);
  return times;
};

/** The most uploads in any 10-minute window (aligned). */
const busiestTenMinutes = (times: readonly number[]): number => {
  const counts = new Map<number, number>();
  for (const t of times) counts.set(Math.floor(t / 600_000), (counts.get(Math.floor(t / 600_000)) ?? 0) + 1);
  return Math.max(...counts.values());
};

describe("createArrivals", () => {
  it.each(["steady", "bursty", "long-files"] as const)(
    "%s: about jobsPerDay a day, in order, within the month",
    (name) => {
      const times = arrivalTimes({ name, jobsPerDay: 2000, days: 10 });
      // A Poisson count of mean 20,000 is within 4 standard deviations (about 566) all but never.
      expect(Math.abs(times.length - 20_000)).toBeLessThan(600);
      expect(times.every((t, i) => t >= (times[i - 1] ?? 0) && t < 10 * DAY_MS)).toBe(true);
    },
  );

  it("bursty: a quiet night, a busy afternoon, and bursts well above the steady rate", () => {
    const steady = arrivalTimes({ name: "steady", jobsPerDay: 5000, days: 10 });
    const bursty = arrivalTimes({ name: "bursty", jobsPerDay: 5000, days: 10 });
    const atHour = (times: readonly number[], hour: number) =>
      times.filter((t) => Math.floor((t % DAY_MS) / 3_600_000) === hour).length;
    expect(atHour(bursty, 16)).toBeGreaterThan(3 * atHour(bursty, 4));
    expect(busiestTenMinutes(bursty)).toBeGreaterThan(4 * busiestTenMinutes(steady));
  });

  it("is the same for the same seed", () => {
    const workload: Workload = { name: "bursty", jobsPerDay: 300, days: 3 };
    expect(arrivalTimes(workload, 5)).toEqual(arrivalTimes(workload, 5));
    expect(arrivalTimes(workload, 5)).not.toEqual(arrivalTimes(workload, 6));
  });
});

describe("drawJob", () => {
  it("draws the stated mix, and long files only in the long-files workload", () => {
    const random = mulberry32(9);
    const jobs = Array.from({ length: 20_000 }, () => drawJob("long-files", random));
    const share = (preset: string) => jobs.filter((j) => j.preset === preset).length / jobs.length;
    expect(share("web-optimized")).toBeCloseTo(0.45, 1);
    expect(share("default")).toBeCloseTo(0.15, 1);
    const long = jobs.filter((j) => j.durationS >= JOB_MIX.longMinS);
    expect(long.length / jobs.length).toBeCloseTo(JOB_MIX.longShare, 2);
    const durations = jobs.filter((j) => j.durationS < JOB_MIX.longMinS).map((j) => j.durationS);
    durations.sort((a, b) => a - b);
    expect(durations[Math.floor(durations.length / 2)]).toBeCloseTo(JOB_MIX.medianDurationS, -1);
    const steady = Array.from({ length: 20_000 }, () => drawJob("steady", random));
    expect(Math.max(...steady.map((j) => j.durationS))).toBeLessThanOrEqual(JOB_MIX.maxDurationS);
  });
});
