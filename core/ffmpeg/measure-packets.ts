// Measures each stream's span from its packets (ffprobe -show_entries packet=…), for inputs whose probe states no
// usable duration: elementary streams, "unknown" durations. The shell feeds ffprobe's stdout as it arrives.
import type { MeasuredSpans, StreamSpan } from "./stream-spans.ts";

/** ffprobe argv (without the binary): one CSV line per packet, "stream_index,pts_time,dts_time,duration_time". */
export const measureArgs = (inputPath: string, inputOptions: readonly string[] = []): string[] => [
  ...["-v", "error", ...inputOptions],
  ...["-show_entries", "packet=stream_index,pts_time,dts_time,duration_time"],
  ...["-of", "csv=p=0", inputPath],
];

interface StreamTally {
  readonly firstSec: number | null;
  readonly endSec: number | null;
  /** Sum of packet durations: the span of a stream whose packets carry no timestamps (raw H.264). */
  readonly summedSec: number;
}

export interface PacketTally {
  readonly streams: ReadonlyMap<number, StreamTally>;
  /** Text after the last newline: prepend it to the next chunk. */
  readonly rest: string;
}

export const EMPTY_TALLY: PacketTally = { streams: new Map(), rest: "" };

const numberOf = (text: string | undefined): number | null => {
  if (text === undefined || text === "" || text === "N/A") return null;
  const n = Number(text);
  return Number.isFinite(n) ? n : null;
};

interface Packet {
  readonly index: number;
  /** pts, else dts; null when the packet carries neither (raw streams). */
  readonly atSec: number | null;
  readonly lengthSec: number;
}

const parsePacket = (line: string): Packet | null => {
  const fields = line.trim().split(",");
  const [index, pts, dts, duration] = fields;
  const stream = numberOf(index);
  // Side-data rows that ffprobe may interleave do not start with a stream index and four fields.
  if (stream === null || fields.length < 4) return null;
  return {
    index: stream,
    atSec: numberOf(pts) ?? numberOf(dts),
    lengthSec: Math.max(0, numberOf(duration) ?? 0),
  };
};

const addPacket = (before: StreamTally | undefined, { atSec, lengthSec }: Packet): StreamTally => {
  const t = before ?? { firstSec: null, endSec: null, summedSec: 0 };
  if (atSec === null) return { ...t, summedSec: t.summedSec + lengthSec };
  return {
    firstSec: Math.min(t.firstSec ?? atSec, atSec),
    endSec: Math.max(t.endSec ?? atSec + lengthSec, atSec + lengthSec),
    summedSec: t.summedSec + lengthSec,
  };
};

/** Folds a chunk of ffprobe's stdout into the tally; pure, so a long listing never has to be held in memory. */
export const tallyPackets = (tally: PacketTally, chunk: string): PacketTally => {
  const lines = (tally.rest + chunk).split("\n");
  const rest = lines.pop() ?? "";
  const streams = new Map(tally.streams);
  for (const line of lines) {
    const packet = parsePacket(line);
    if (packet !== null) streams.set(packet.index, addPacket(streams.get(packet.index), packet));
  }
  return { streams, rest };
};

const microseconds = (sec: number): number => Math.round(sec * 1e6) / 1e6;

/** The measured span of every stream that had packets: timestamps when it has them, else the summed durations. */
export const measuredSpans = (tally: PacketTally): MeasuredSpans => {
  const final = tally.rest.trim() === "" ? tally : tallyPackets({ ...tally, rest: "" }, `${tally.rest}\n`);
  const spans = new Map<number, StreamSpan>();
  for (const [index, t] of final.streams) {
    // ffprobe prints microseconds; summing thousands of them adds float noise below that.
    const span: StreamSpan =
      t.firstSec !== null && t.endSec !== null
        ? { startSec: microseconds(t.firstSec), endSec: microseconds(t.endSec) }
        : { startSec: 0, endSec: microseconds(t.summedSec) };
    if (span.endSec > span.startSec) spans.set(index, span);
  }
  return spans;
};

/** Listing packets reads the whole file without decoding: a minute, plus a second per 10 MB, within the ceiling. */
export const measureTimeLimitMs = (sizeBytes: number, maxRunMs: number): number =>
  Math.min(maxRunMs, 60_000 + Math.ceil(sizeBytes / 10_000));
