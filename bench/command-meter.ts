// Reads what redis-server did between two moments: commands by name from `INFO commandstats` (calls made inside
// Lua scripts included) and the server's CPU time from `INFO cpu`.
import type { Redis } from "ioredis";

/** Command name as Redis reports it (lower case; subcommands as "client|setname") → calls. */
export type CommandCounts = ReadonlyMap<string, number>;

export interface MeterLap {
  readonly counts: CommandCounts;
  /** redis-server CPU time (user + system) spent in the lap, in ms. */
  readonly redisCpuMs: number;
}

export interface CommandMeter {
  /** What happened since the previous lap (or since the meter started). */
  lap(): Promise<MeterLap>;
}

interface Reading {
  readonly counts: Map<string, number>;
  readonly cpuMs: number;
}

const read = async (redis: Redis): Promise<Reading> => {
  const info = await redis.info("commandstats", "cpu");
  const counts = new Map<string, number>();
  let cpuSeconds = 0;
  for (const raw of info.split("\n")) {
    const line = raw.trim();
    const command = /^cmdstat_([^:]+):calls=(\d+)/.exec(line);
    if (command?.[1] && command[2]) counts.set(command[1], Number(command[2]));
    const cpu = /^used_cpu_(?:user|sys):([\d.]+)$/.exec(line);
    if (cpu?.[1]) cpuSeconds += Number(cpu[1]);
  }
  return { counts, cpuMs: cpuSeconds * 1000 };
};

/**
 * `statsClient` must be a connection that sends nothing but the meter's INFO calls. Redis counts an INFO after
 * answering it, so each reading shows the previous reading's INFO: one `info` call per lap is the meter's own
 * and is taken out.
 */
export const commandMeter = async (statsClient: Redis): Promise<CommandMeter> => {
  let previous = await read(statsClient);
  return {
    async lap() {
      const current = await read(statsClient);
      const counts = new Map<string, number>();
      for (const [name, calls] of current.counts) {
        const own = name === "info" ? 1 : 0;
        const n = calls - (previous.counts.get(name) ?? 0) - own;
        if (n > 0) counts.set(name, n);
      }
      const redisCpuMs = current.cpuMs - previous.cpuMs;
      previous = current;
      return { counts, redisCpuMs };
    },
  };
};

export const totalCalls = (counts: CommandCounts): number => {
  let total = 0;
  for (const calls of counts.values()) total += calls;
  return total;
};

/** Sums laps (e.g. an enqueue phase and a processing phase). */
export const addCounts = (...parts: readonly CommandCounts[]): CommandCounts => {
  const sum = new Map<string, number>();
  for (const part of parts) for (const [name, calls] of part) sum.set(name, (sum.get(name) ?? 0) + calls);
  return sum;
};

/** "hset 4.00, evalsha 3.00, ..." per job, busiest first; commands under 0.005 a job are left out. */
export const perJobBreakdown = (counts: CommandCounts, jobs: number): string =>
  [...counts]
    .filter(([, calls]) => calls / jobs >= 0.005)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([name, calls]) => `${name} ${(calls / jobs).toFixed(2)}`)
    .join(", ");
