// How the dashboard writes sizes, money, durations and times.

export const formatBytes = (bytes: number): string => {
  if (bytes < 1024) return `${bytes} B`;
  const units = ["KiB", "MiB", "GiB", "TiB"];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ${units[unit]}`;
};

/** Dollars with enough decimals that a few seconds of machine time is not shown as $0.00. */
export const formatUsd = (usd: number): string =>
  `$${usd === 0 ? "0.00" : usd < 0.01 ? usd.toFixed(4) : usd.toFixed(2)}`;

export const formatDuration = (ms: number): string => {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${seconds % 60} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
};

/** Run time: from the worker's start to the end, or so far. */
export const jobDuration = (timestamps: {
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
}): string => {
  if (timestamps.startedAt === null) return "—";
  const end = timestamps.finishedAt === null ? Date.now() : Date.parse(timestamps.finishedAt);
  return formatDuration(end - Date.parse(timestamps.startedAt));
};

export const formatTime = (iso: string): string =>
  new Date(iso).toLocaleString(undefined, { dateStyle: "short", timeStyle: "short" });
