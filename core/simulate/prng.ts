// A small seeded pseudo-random generator (mulberry32): the simulation's only source of chance, so a seed replays a run.

/** Numbers in [0, 1), the same sequence for the same seed on every runtime. */
export type Prng = () => number;

export const mulberry32 = (seed: number): Prng => {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
};

/** An exponentially distributed wait with the given mean (inverse transform; 1 - u is never 0). */
export const exponential = (random: Prng, mean: number): number => -mean * Math.log(1 - random());

/** A standard normal draw (Box–Muller, one of the pair). */
export const standardNormal = (random: Prng): number =>
  Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());

/**
 * Separate streams for the uploads (when, and what) and for the machines (boots, polls' jitter, crashes), so
 * variants of a seed see the very same uploads whatever their machines do (common random numbers).
 */
export interface SimulationRandom {
  readonly arrivals: Prng;
  readonly jobs: Prng;
  readonly machines: Prng;
}

export const seededRandom = (seed: number): SimulationRandom => {
  const seeds = mulberry32(seed);
  const next = () => Math.floor(seeds() * 4_294_967_296);
  return { arrivals: mulberry32(next()), jobs: mulberry32(next()), machines: mulberry32(next()) };
};
