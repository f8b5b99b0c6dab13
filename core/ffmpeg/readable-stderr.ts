// Turns the last lines of ffmpeg's or ffprobe's stderr into one readable message: one clause per line, "; " between.
const REPEAT_NOTICE = /^Last message repeated \d+ times?$/;
// "[mov,mp4,m4a,3gp,3g2,mj2 @ 0x55…] " — sometimes two, when a filter logs through its parent.
const CONTEXT_PREFIX = /^(?:\[[^\]]*\]\s*)+/;

/**
 * "[mov,mp4,… @ 0x55…] moov atom not found" + "/tmp/x/input.mp4: Invalid data found when processing input" →
 * "moov atom not found; Invalid data found when processing input". Lines stay separate even when ffmpeg ended one
 * with a carriage return; repeats and "Last message repeated" notices are dropped; `inputPath` (when given) is taken
 * off the front of a line, since the path is the worker's, not the user's.
 */
export const readableStderr = (lines: readonly string[], inputPath = ""): string => {
  const clauses = lines
    .flatMap((line) => line.split("\r"))
    .map((line) => {
      const bare = line.trim().replace(CONTEXT_PREFIX, "");
      return inputPath !== "" && bare.startsWith(`${inputPath}: `) ? bare.slice(inputPath.length + 2) : bare;
    })
    .map((line) => line.trim())
    .filter((line) => line !== "" && !REPEAT_NOTICE.test(line));
  return [...new Set(clauses)].join("; ");
};
