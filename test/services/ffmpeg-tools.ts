// Locates ffmpeg and ffprobe (FFMPEG_PATH / FFPROBE_PATH, else PATH) and checks that each answers -version.
import { execFile } from "node:child_process";
import { constants } from "node:fs";
import { access } from "node:fs/promises";
import { delimiter, isAbsolute, join, resolve } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

export interface FfmpegTools {
  readonly ffmpegPath: string;
  readonly ffprobePath: string;
}

type Env = Readonly<Record<string, string | undefined>>;
type Tool = "ffmpeg" | "ffprobe";

export async function locateFfmpegTools(env: Env = process.env): Promise<FfmpegTools> {
  const [ffmpegPath, ffprobePath] = await Promise.all([
    locateTool("ffmpeg", env.FFMPEG_PATH, env),
    locateTool("ffprobe", env.FFPROBE_PATH, env),
  ]);
  return { ffmpegPath, ffprobePath };
}

async function locateTool(tool: Tool, override: string | undefined, env: Env): Promise<string> {
  const path = override ? resolve(override) : await findOnPath(tool, env.PATH ?? "");
  if (path === undefined) {
    throw new Error(
      `${tool} not found on PATH; run scripts/ensure-deps.sh or set ${tool.toUpperCase()}_PATH`,
    );
  }
  const { stdout } = await run(path, ["-hide_banner", "-version"]).catch((error: unknown) => {
    throw new Error(`${path} -version failed: ${error instanceof Error ? error.message : String(error)}`);
  });
  if (!stdout.startsWith(`${tool} version`)) {
    throw new Error(`${path} does not look like ${tool}: ${stdout.split("\n")[0] ?? ""}`);
  }
  return path;
}

async function findOnPath(tool: Tool, pathVariable: string): Promise<string | undefined> {
  for (const dir of pathVariable.split(delimiter)) {
    if (!isAbsolute(dir)) continue;
    const candidate = join(dir, tool);
    const executable = await access(candidate, constants.X_OK).then(
      () => true,
      () => false,
    );
    if (executable) return candidate;
  }
  return undefined;
}
