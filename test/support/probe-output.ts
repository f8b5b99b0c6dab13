// Reading transcoded files the way a player would: ffprobe through the core's parser, MP4 top-level boxes (for
// faststart), HLS master entries, and the poster's JPEG bytes. Shared by the FFmpeg and worker tests.
import { spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import { expect } from "vitest";
import { type ProbeSummary, parseProbe, probeArgs } from "../../core/ffmpeg/probe-summary.ts";

export interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export const run = (binary: string, args: readonly string[]): Promise<Run> =>
  new Promise((resolve, reject) => {
    const child = spawn(binary, args, { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });

export const ffprobe = async (
  ffprobePath: string,
  path: string,
): Promise<{ run: Run; json: Record<string, unknown> }> => {
  const result = await run(ffprobePath, probeArgs(path));
  return { run: result, json: JSON.parse(result.stdout) as Record<string, unknown> };
};

export const probeSummary = async (ffprobePath: string, path: string): Promise<ProbeSummary> =>
  parseProbe((await ffprobe(ffprobePath, path)).json)._unsafeUnwrap();

/** Top-level MP4 box types in file order (size 1 = 64-bit size follows, size 0 = to end of file). */
export const topLevelBoxes = (bytes: Buffer): string[] => {
  const types: string[] = [];
  for (let offset = 0; offset + 8 <= bytes.length; ) {
    const size32 = bytes.readUInt32BE(offset);
    const size =
      size32 === 1
        ? Number(bytes.readBigUInt64BE(offset + 8))
        : size32 === 0
          ? bytes.length - offset
          : size32;
    types.push(bytes.toString("latin1", offset + 4, offset + 8));
    if (size < 8) break;
    offset += size;
  }
  return types;
};

/** Faststart: the moov box (the index) comes before mdat (the media), so playback starts before the download ends. */
export const isFaststart = (boxes: readonly string[]): boolean =>
  boxes.includes("moov") && boxes.indexOf("moov") < boxes.indexOf("mdat");

export const isEven = (n: number | undefined) => n !== undefined && n % 2 === 0;

export const expectPoster = async (ffprobePath: string, jpegPath: string, displayAspect: number) => {
  const bytes = await readFile(jpegPath);
  expect([...bytes.subarray(0, 3)]).toEqual([0xff, 0xd8, 0xff]);
  const poster = (await probeSummary(ffprobePath, jpegPath)).video;
  expect(poster?.codec).toBe("mjpeg");
  expect(isEven(poster?.width) && isEven(poster?.height)).toBe(true);
  expect(poster?.width).toBeLessThanOrEqual(1280);
  expect((poster?.width ?? 0) / (poster?.height ?? 1)).toBeCloseTo(displayAspect, 1);
};

/** `#EXT-X-STREAM-INF` entries of a master playlist: attributes line and URI line. */
export const masterEntries = (text: string) => {
  const lines = text.split("\n").map((l) => l.trim());
  return lines.flatMap((line, i) =>
    line.startsWith("#EXT-X-STREAM-INF:")
      ? [
          {
            resolution: /RESOLUTION=(\d+x\d+)/.exec(line)?.[1],
            uri: lines.slice(i + 1).find((l) => l !== "") ?? "",
          },
        ]
      : [],
  );
};
