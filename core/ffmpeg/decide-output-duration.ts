// How long the output lasts, from the video and audio it carries, and whether it is cut where the video ends.
import type { StreamSpan } from "./stream-spans.ts";

/**
 * What happens when the audio outlasts the video:
 * - `keep-long-audio` (MP4 presets): audio running on more than AUDIO_KEPT_AFTER_SEC is content (a song over a short
 *   clip) and is kept whole while players hold the last frame; a shorter tail is cut so the output ends with the video.
 * - `end-with-video` (HLS): always cut where the video ends. MSE players (hls.js) play only where every track has
 *   data, so audio past the video would never be heard.
 * - `keep-as-is` (stream copy): nothing is cut; the copy is the input's streams untouched.
 */
export type AudioOverhangRule = "keep-long-audio" | "end-with-video" | "keep-as-is";

export const AUDIO_KEPT_AFTER_SEC = 1;
/** Encoders pad audio by a packet or two; a tail this short is left alone. */
export const PADDING_SEC = 0.1;

export interface OutputDuration {
  /** What the output should last: the transcoded streams from the earliest start to the end kept. */
  readonly durationSec: number;
  /** `-t`: where the output stops, on ffmpeg's output clock (0 = the input's start_time). */
  readonly cutAtSec?: number;
  readonly notes: readonly string[];
}

export interface OutputDurationInput {
  readonly video: StreamSpan;
  readonly audio?: StreamSpan;
  /** The input's start_time, where ffmpeg's output clock starts; the earliest used stream when unstated. */
  readonly clockStartSec?: number;
  readonly rule: AudioOverhangRule;
}

const seconds = (n: number): string => `${n.toFixed(2)} s`;

export const decideOutputDuration = ({
  video,
  audio,
  clockStartSec,
  rule,
}: OutputDurationInput): OutputDuration => {
  const startSec = Math.min(video.startSec, audio?.startSec ?? video.startSec);
  const endSec = Math.max(video.endSec, audio?.endSec ?? video.endSec);
  const whole: OutputDuration = { durationSec: endSec - startSec, notes: [] };
  const overhang = audio === undefined ? 0 : audio.endSec - video.endSec;
  if (overhang <= PADDING_SEC) return whole;
  const kept = `the video ends at ${seconds(video.endSec - startSec)} but the audio runs to ${seconds(endSec - startSec)}`;
  const cut = (note: string | null): OutputDuration => ({
    durationSec: video.endSec - startSec,
    cutAtSec: video.endSec - (clockStartSec ?? startSec),
    notes: note === null ? [] : [note],
  });
  switch (rule) {
    case "keep-as-is":
      return overhang > AUDIO_KEPT_AFTER_SEC
        ? { ...whole, notes: [`${kept}; the copy keeps both as they are`] }
        : whole;
    case "keep-long-audio":
      return overhang > AUDIO_KEPT_AFTER_SEC
        ? { ...whole, notes: [`${kept}: the output keeps all of the audio, and players hold the last frame`] }
        : cut(null);
    case "end-with-video":
      return cut(
        overhang > AUDIO_KEPT_AFTER_SEC
          ? `${kept}: HLS ends with the video (players stop where the video stops), so the audio after it is cut`
          : null,
      );
    default: {
      const unreachable: never = rule;
      throw new Error(`unknown audio overhang rule ${String(unreachable)}`);
    }
  }
};
