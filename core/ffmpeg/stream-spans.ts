// Where the streams a job transcodes start and end: what the probe states for them, or what their packets measured
// when it states nothing usable. Subtitles, data streams and other tracks never count.
import type { ProbeStream, ProbeSummary } from "./probe-summary.ts";

/** Seconds on the input's clock. */
export interface StreamSpan {
  readonly startSec: number;
  readonly endSec: number;
}

/** Spans measured from the input's packets, by ffprobe stream index. */
export type MeasuredSpans = ReadonlyMap<number, StreamSpan>;

// Elementary streams have no container: ffprobe states no duration, or one guessed from the bitrate.
const RAW_STREAM_FORMATS: ReadonlySet<string> = new Set([
  ...["h264", "hevc", "vvc", "mpegvideo", "m4v", "cavsvideo", "avs2", "avs3", "vc1", "obu", "dirac"],
  ...["h261", "h263", "ingenient", "rawvideo"],
]);

export const isRawStreamFormat = (formatName: string): boolean =>
  formatName.split(",").some((name) => RAW_STREAM_FORMATS.has(name));

/**
 * The container's duration covers every stream in it. It stands for the used streams only when the file holds no
 * subtitle or data stream (those run on after the picture: credits, SCTE-35 cues) and no stream says its duration
 * is unknown; other audio tracks (languages) and attachments (fonts) run the programme's length or have none.
 */
const containerSpeaksFor = (probe: ProbeSummary): boolean =>
  probe.durationSec > 0 &&
  (probe.streamCount === undefined || probe.streamCount === probe.streams.length) &&
  probe.streams.every((s) => !s.durationUnknown && s.kind !== "subtitle" && s.kind !== "data");

const statedSpan = (probe: ProbeSummary, stream: ProbeStream): StreamSpan | undefined => {
  if (isRawStreamFormat(probe.formatName) || stream.durationUnknown) return undefined;
  if (stream.endSec !== undefined) return { startSec: stream.startSec ?? 0, endSec: stream.endSec };
  if (!containerSpeaksFor(probe)) return undefined;
  const startSec = probe.startSec ?? stream.startSec ?? 0;
  return { startSec, endSec: startSec + probe.durationSec };
};

/** The span of each used stream, in order; undefined when one is neither stated nor measured. */
export const spansOf = (
  probe: ProbeSummary,
  used: readonly ProbeStream[],
  measured?: MeasuredSpans,
): StreamSpan[] | undefined => {
  const spans = used.map((s) => measured?.get(s.index) ?? statedSpan(probe, s));
  return spans.every((s): s is StreamSpan => s !== undefined && s.endSec > s.startSec) ? spans : undefined;
};

/** Whether the worker has to count the input's packets before it can plan: the probe states no usable span. */
export const needsMeasuring = (probe: ProbeSummary, used: readonly ProbeStream[]): boolean =>
  spansOf(probe, used) === undefined;
