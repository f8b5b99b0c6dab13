// Reads a failed ffmpeg run's stderr for the input stream whose decoder could not start, so the worker can plan
// again without it (an audio track ffprobe named but this build cannot decode).
import { chooseAudioTrack, type UndecodableAudio } from "./choose-audio-track.ts";
import type { ProbeSummary } from "./probe-summary.ts";

export interface UndecodableStream {
  /** ffprobe stream index in input 0. */
  readonly index: number;
  /** Why, for the job's result. */
  readonly reason: string;
}

// fftools 5.1: "Decoder (codec smv) not found for input stream #0:1" and
// "Error while opening decoder for input stream #0:1 : Invalid data found when processing input".
const NO_DECODER = /Decoder \(codec ([^)]*)\) not found for input stream #0:(\d+)/;
const DECODER_FAILED = /Error while opening decoder for input stream #0:(\d+)\s*:?\s*(.*)$/;

export const spotUndecodableStream = (stderrLines: readonly string[]): UndecodableStream | undefined => {
  for (const line of stderrLines) {
    const missing = NO_DECODER.exec(line);
    if (missing) return { index: Number(missing[2]), reason: `this FFmpeg has no ${missing[1]} decoder` };
    const failed = DECODER_FAILED.exec(line);
    if (failed) {
      const why = failed[2]?.trim();
      return { index: Number(failed[1]), reason: `its decoder would not start${why ? ` (${why})` : ""}` };
    }
  }
  return undefined;
};

/**
 * The audio track to plan again without: ffmpeg failed because the decoder of the track the plan chose would not
 * start. Undefined for any other failure (the job fails with it). Each retry removes one more track, so at most as
 * many retries as the input has audio tracks.
 */
export const audioToDropAfter = (
  probe: ProbeSummary,
  undecodableAudio: UndecodableAudio,
  stderrLines: readonly string[],
): UndecodableStream | undefined => {
  const spotted = spotUndecodableStream(stderrLines);
  const chosen = chooseAudioTrack(probe.streams, undecodableAudio).track;
  return spotted !== undefined && chosen?.index === spotted.index ? spotted : undefined;
};
