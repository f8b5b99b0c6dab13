// A video's frame timing as the plans and checks use it, with one assumption for a source whose rate ffprobe does
// not state (30 fps): the GOP of a segment and the length of one frame.

const ASSUMED_FPS = 30;

/** Frames in one segment of `segmentS`: the HLS GOP, the same for a whole encode and for every chunk of a split. */
export const framesPerSegment = (video: { readonly frameRate?: number }, segmentS: number): number =>
  Math.max(1, Math.round((video.frameRate ?? ASSUMED_FPS) * segmentS));

/** One frame's duration (s): the tolerance of every duration check. */
export const frameSeconds = (video: { readonly frameRate?: number }): number =>
  1 / (video.frameRate ?? ASSUMED_FPS);
