// Redis's own clock for tests: leases expire by Redis TIME, so tests wait on it too (real expiry, no fake clocks).
import type { Redis } from "ioredis";

export const redisClock = (redis: Redis) => {
  const now = async (): Promise<number> => {
    const [s, us] = await redis.time();
    return Number(s) * 1000 + Math.floor(Number(us) / 1000);
  };
  /** Resolves once Redis's clock is past `ms`. */
  const waitPast = async (ms: number): Promise<void> => {
    while ((await now()) <= ms) await new Promise((resolve) => setTimeout(resolve, 25));
  };
  return { now, waitPast };
};
