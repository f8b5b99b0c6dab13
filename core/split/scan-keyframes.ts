// The source's keyframe times from a packet scan (demux only, no decode): where planChunks may cut.

/** ffprobe argv (without the binary): one "pts_time,flags" line per video packet. */
export const keyframeScanArgs = (inputPath: string, inputOptions: readonly string[] = []): string[] => [
  ...["-v", "error", ...inputOptions],
  ...["-select_streams", "v:0", "-show_entries", "packet=pts_time,flags", "-of", "csv=p=0", inputPath],
];

/** Keyframe times on the output's clock (the source's start time taken off), ascending, without repeats. */
export const parseKeyframeTimes = (csv: string, clockStartS = 0): number[] => {
  const times = new Set<number>();
  for (const line of csv.split("\n")) {
    const [pts, flags] = line.trim().split(",");
    if (pts === undefined || flags === undefined || !flags.includes("K")) continue;
    const t = Number(pts);
    if (pts !== "" && Number.isFinite(t)) times.add(Math.round((t - clockStartS) * 1e6) / 1e6);
  }
  return [...times].sort((a, b) => a - b);
};
