// A valid H.264 MP4 of about `seconds` × 12.8 MB: lossless noise at 640×360, so a test gets a file large enough for
// a multipart upload in moments (stream copy takes it as it is). Answers its size in bytes.
import { execFile } from "node:child_process";
import { stat } from "node:fs/promises";
import { promisify } from "node:util";

const run = promisify(execFile);

export const makeNoiseVideo = async (ffmpegPath: string, path: string, seconds: number): Promise<number> => {
  await run(ffmpegPath, [
    ...["-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=s=640x360:r=30,noise=alls=100:allf=t+u"],
    ...["-t", String(seconds), "-c:v", "libx264", "-preset", "ultrafast", "-qp", "0", "-pix_fmt", "yuv420p"],
    path,
  ]);
  return (await stat(path)).size;
};
