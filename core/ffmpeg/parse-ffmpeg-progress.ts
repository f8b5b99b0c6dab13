// Reads ffmpeg's `-progress pipe:1` output (key=value blocks ending in progress=…) into times, percent and when to
// report it; the shell feeds it stdout as it arrives and keeps the unfinished tail for the next chunk.

export interface FfmpegProgress {
  /** Media time written so far, in ms; null while ffmpeg reports N/A (before the first frame). */
  readonly outTimeMs: number | null;
  /** Encoding speed as a multiple of real time (1.5 for "1.5x"); null when unknown. */
  readonly speed: number | null;
  /** The last block: ffmpeg wrote `progress=end`. */
  readonly ended: boolean;
}

export interface ParsedProgress {
  /** One entry per complete block, in order. */
  readonly blocks: readonly FfmpegProgress[];
  /** Text after the last complete block: prepend it to the next chunk. */
  readonly rest: string;
}

const numberOf = (text: string | undefined): number | null => {
  if (text === undefined) return null;
  const trimmed = text.trim();
  if (trimmed === "" || trimmed === "N/A") return null;
  const n = Number(trimmed);
  return Number.isFinite(n) ? n : null;
};

/** "00:01:02.500000" → 62500 ms. */
const clockMs = (text: string | undefined): number | null => {
  const match = /^(-?)(\d+):(\d{2}):(\d{2}(?:\.\d+)?)$/.exec(text?.trim() ?? "");
  if (!match) return null;
  const [, sign, h, m, s] = match;
  const ms = (Number(h) * 3600 + Number(m) * 60 + Number(s)) * 1000;
  return sign === "-" ? -ms : ms;
};

// out_time_us is microseconds; ffmpeg 5.1's out_time_ms is microseconds too (a long-standing misnomer), so the
// clock text is the fallback. A negative time (before the first packet) reads as "not yet".
const outTimeOf = (fields: ReadonlyMap<string, string>): number | null => {
  const micros = numberOf(fields.get("out_time_us")) ?? numberOf(fields.get("out_time_ms"));
  const ms = micros !== null ? micros / 1000 : clockMs(fields.get("out_time"));
  return ms === null || ms < 0 ? null : ms;
};

const speedOf = (text: string | undefined): number | null => {
  const n = numberOf(text?.trim().replace(/x$/, ""));
  return n === null || n < 0 ? null : n;
};

const parseBlock = (lines: readonly string[]): FfmpegProgress => {
  const fields = new Map<string, string>();
  for (const line of lines) {
    const eq = line.indexOf("=");
    if (eq > 0) fields.set(line.slice(0, eq).trim(), line.slice(eq + 1));
  }
  return {
    outTimeMs: outTimeOf(fields),
    speed: speedOf(fields.get("speed")),
    ended: fields.get("progress")?.trim() === "end",
  };
};

/** Splits `buffered` (the previous rest + a new chunk) into complete blocks and the unfinished tail. */
export const parseFfmpegProgress = (buffered: string): ParsedProgress => {
  const lines = buffered.split("\n");
  // The text after the last newline is a line still being written.
  const partial = lines.pop() ?? "";
  const blocks: FfmpegProgress[] = [];
  let current: string[] = [];
  for (const raw of lines) {
    const line = raw.replace(/\r$/, "");
    current.push(line);
    if (line.startsWith("progress=")) {
      blocks.push(parseBlock(current));
      current = [];
    }
  }
  const rest = current.length > 0 ? `${current.join("\n")}\n${partial}` : partial;
  return { blocks, rest };
};

/** Whole percent of the expected duration written, 0..100; 0 when the duration is unknown. */
export const progressPercent = (outTimeMs: number | null, expectedDurationSec: number): number => {
  if (outTimeMs === null || !(expectedDurationSec > 0)) return 0;
  const percent = Math.floor((outTimeMs / (expectedDurationSec * 1000)) * 100);
  return Math.max(0, Math.min(100, percent));
};

export interface ProgressThrottle {
  /** At most one report per this many ms. */
  readonly minIntervalMs: number;
  /** Only report when the percent moved at least this much since the last report. */
  readonly minStep: number;
}

export const DEFAULT_PROGRESS_THROTTLE: ProgressThrottle = { minIntervalMs: 2_000, minStep: 1 };

export interface ProgressReportInput {
  readonly percent: number;
  readonly now: number;
  /** The last percent reported and when; null before the first report. */
  readonly last: { readonly percent: number; readonly at: number } | null;
}

/**
 * Whether a progress value is worth a write: each report is one fenced Redis transition (and, in single-job
 * mode, one callback), so they are spaced in time and must move forward by a visible step.
 */
export const shouldReportProgress = (input: ProgressReportInput, throttle: ProgressThrottle): boolean => {
  const { percent, now, last } = input;
  if (last === null) return percent >= throttle.minStep;
  return now - last.at >= throttle.minIntervalMs && percent - last.percent >= throttle.minStep;
};
