// What a plan decided from the probe, in the job record's words: which streams, tone-mapped or not, deinterlaced or
// not, the output's length and rungs, and the notes the planners left.
import type { PlanDecisions } from "../job-record.ts";
import type { CheckedInput } from "./check-input.ts";
import { detectHdr } from "./detect-hdr.ts";
import { detectInterlace } from "./detect-interlace.ts";
import type { ExpectedOutput } from "./ffmpeg-plan.ts";

export const describePlanDecisions = (
  input: CheckedInput,
  expected: ExpectedOutput,
  reencodes: boolean,
  notes: readonly string[],
): PlanDecisions => {
  const hdr = detectHdr(input.video);
  const scan = detectInterlace(input.video);
  return {
    videoStream: input.video.index,
    audioStream: input.audio?.index ?? null,
    // Stream copy leaves the pictures as they are: nothing is tone-mapped or deinterlaced.
    toneMapped: reencodes && hdr !== undefined ? { from: hdr.transfer, to: "bt709" } : null,
    deinterlaced: reencodes && scan !== "progressive" ? scan : null,
    durationSec: expected.durationSec,
    output: { container: expected.container, width: expected.width, height: expected.height },
    rungs: (expected.renditions ?? []).map(({ quality, width, height }) => ({ quality, width, height })),
    notes: [...notes],
  };
};
