// Picks the audio track to transcode: the one flagged default (else the first) among those FFmpeg can decode.
import type { ProbeStream } from "./probe-summary.ts";

/** Audio streams known to fail, by ffprobe stream index, with the reason to report. */
export type UndecodableAudio = ReadonlyMap<number, string>;

export interface AudioChoice {
  /** Absent: the output is video-only. */
  readonly track?: ProbeStream;
  /** One sentence per audio track left out, for the job's result. */
  readonly notes: readonly string[];
}

/** Why a track cannot be used, before any ffmpeg run; undefined when it may be. */
const unusableBecause = (track: ProbeStream, undecodable: UndecodableAudio): string | undefined => {
  const known = undecodable.get(track.index);
  if (known !== undefined) return known;
  // ffprobe names every codec FFmpeg knows, decoder or not; "unknown" means it has not heard of this one.
  return track.codec === "unknown" ? "FFmpeg does not recognise its codec" : undefined;
};

/**
 * A player plays the default track, so the output carries that one; without a default flag (or when the default
 * cannot be decoded), the first track that can. A track that cannot be decoded never sinks the video: it is left
 * out with a note, and with no decodable track left the output is video-only.
 */
export const chooseAudioTrack = (
  streams: readonly ProbeStream[],
  undecodable: UndecodableAudio = new Map(),
): AudioChoice => {
  const audio = streams.filter((s) => s.kind === "audio");
  const usable = audio.filter((s) => unusableBecause(s, undecodable) === undefined);
  const track = usable.find((s) => s.isDefault === true) ?? usable[0];
  const outcome =
    track === undefined
      ? "the output is video-only"
      : `the output uses audio track ${audio.indexOf(track) + 1}`;
  const notes = audio.flatMap((s, i) => {
    const why = unusableBecause(s, undecodable);
    if (why === undefined) return [];
    const codec = s.codec === "unknown" ? "unknown codec" : s.codec;
    return [`audio track ${i + 1} of ${audio.length} (${codec}) could not be decoded: ${why}; ${outcome}`];
  });
  return { ...(track !== undefined ? { track } : {}), notes };
};
