// Builds fixtures/media/ from the recipes (cached by recipe hash) and records ffprobe's view in fixtures/probes/
// (and what the worker learns beyond it in fixtures/worker-facts/).
// CLI: `npx bun scripts/make-fixtures.ts [--force]`. Tests call ensureFixtures().
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { DEFAULT_PLAN_LIMITS } from "../core/ffmpeg/check-input.ts";
import { EMPTY_TALLY, measureArgs, measuredSpans, tallyPackets } from "../core/ffmpeg/measure-packets.ts";
import { needsPacketMeasuring } from "../core/ffmpeg/plan-ffmpeg.ts";
import { inputProbeOptions, type ProbeDepth, parseProbe, probeArgs } from "../core/ffmpeg/probe-summary.ts";
import type { StreamSpan } from "../core/ffmpeg/stream-spans.ts";
import { addDolbyVisionRecord } from "./add-dolby-vision-record.ts";
import {
  FIXTURE_NAMES,
  FIXTURE_RECIPES,
  type FixtureName,
  type FixturePostStep,
  type FixtureRecipe,
} from "./fixtures-recipes.ts";

export { FIXTURE_NAMES, type FixtureName } from "./fixtures-recipes.ts";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const MEDIA_DIR = join(ROOT, "fixtures", "media");
export const PROBES_DIR = join(ROOT, "fixtures", "probes");
const STAMPS_DIR = join(MEDIA_DIR, ".recipes");

export interface RunResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export const run = (binary: string, args: readonly string[], cwd?: string): Promise<RunResult> =>
  new Promise((resolveRun, rejectRun) => {
    const child = spawn(binary, args, { cwd, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on("error", rejectRun);
    child.on("close", (code) => resolveRun({ code, stdout, stderr }));
  });

export interface FixtureOptions {
  /** Rebuild even when cached. */
  readonly force?: boolean;
  /** Defaults to "ffmpeg" / "ffprobe" on PATH. */
  readonly ffmpegPath?: string;
  readonly ffprobePath?: string;
}

const versions = new Map<string, Promise<string>>();
// Part of every recipe hash: a different FFmpeg build may write different bytes.
export const ffmpegVersion = (ffmpeg: string): Promise<string> => {
  const known = versions.get(ffmpeg) ?? run(ffmpeg, ["-version"]).then((r) => r.stdout.split("\n")[0] ?? "");
  versions.set(ffmpeg, known);
  return known;
};

const sha256 = (text: string): string => createHash("sha256").update(text).digest("hex");

const exists = async (path: string): Promise<boolean> =>
  stat(path).then(
    () => true,
    () => false,
  );

const recipeHash = async (name: FixtureName, ffmpeg: string): Promise<string> => {
  const recipe: FixtureRecipe = FIXTURE_RECIPES[name];
  const parent =
    recipe.kind === "truncate" || recipe.kind === "dolby-vision" ? await recipeHash(recipe.from, ffmpeg) : "";
  return sha256(JSON.stringify({ name, recipe, parent, ffmpeg: await ffmpegVersion(ffmpeg) }));
};

/** Byte offsets of the ASCII `marker` in `bytes`: the first, or every one. */
const markerOffsets = (bytes: Buffer, marker: string, every: boolean): number[] => {
  const found: number[] = [];
  for (let at = bytes.indexOf(marker); at >= 0; at = bytes.indexOf(marker, at + 1)) {
    found.push(at);
    if (!every) break;
  }
  return found;
};

const applyPostStep = (bytes: Buffer, step: FixturePostStep, name: FixtureName): Buffer => {
  switch (step.kind) {
    case "patch": {
      const offsets = markerOffsets(bytes, step.marker, step.every ?? false);
      if (offsets.length === 0) throw new Error(`${name}: no "${step.marker}" to patch`);
      for (const at of offsets) Buffer.from(step.hex, "hex").copy(bytes, at + step.offset);
      return bytes;
    }
    case "prefix-junk": {
      const junk = Buffer.alloc(step.bytes);
      for (let i = 0; i < junk.length; i++) junk[i] = (i * 131 + 7) % 251;
      return Buffer.concat([junk, bytes]);
    }
    default: {
      const unreachable: never = step;
      throw new Error(`unknown post step ${JSON.stringify(unreachable)}`);
    }
  }
};

// Each file is built under a temporary name and renamed into place, so parallel test workers never see
// half-written media (two may build the same file; the last rename wins with identical bytes).
const build = async (
  name: FixtureName,
  target: string,
  paths: Record<FixtureName, string>,
  ffmpeg: string,
): Promise<void> => {
  const recipe = FIXTURE_RECIPES[name];
  const tag = `${process.pid}-${Math.random().toString(36).slice(2)}`;
  const tmpOut = join(MEDIA_DIR, `.tmp-${tag}-${name}`);
  const scratch = join(MEDIA_DIR, `.tmp-${tag}-scratch.mp4`);
  try {
    switch (recipe.kind) {
      case "ffmpeg":
        for (const step of recipe.steps) {
          const args = step.map((a) => (a === "{out}" ? tmpOut : a === "{tmp}" ? scratch : a));
          const result = await run(ffmpeg, args);
          if (result.code !== 0) throw new Error(`ffmpeg failed for ${name}: ${result.stderr}`);
        }
        if (recipe.post !== undefined) {
          let bytes: Buffer = await readFile(tmpOut);
          for (const step of recipe.post) bytes = applyPostStep(bytes, step, name);
          await writeFile(tmpOut, bytes);
        }
        break;
      case "truncate": {
        const bytes = await readFile(paths[recipe.from]);
        await writeFile(tmpOut, bytes.subarray(0, Math.floor(bytes.length * recipe.keepFraction)));
        break;
      }
      case "text":
        await writeFile(tmpOut, recipe.content);
        break;
      case "dolby-vision":
        await writeFile(tmpOut, addDolbyVisionRecord(await readFile(paths[recipe.from]), recipe));
        break;
      default: {
        const unreachable: never = recipe;
        throw new Error(`unknown recipe ${JSON.stringify(unreachable)}`);
      }
    }
    await rename(tmpOut, target);
  } finally {
    await rm(tmpOut, { force: true });
    await rm(scratch, { force: true });
  }
};

/** Builds every missing or outdated fixture; fast when all are cached. Returns absolute paths by name. */
export const ensureFixtures = async (options: FixtureOptions = {}): Promise<Record<FixtureName, string>> => {
  const ffmpeg = options.ffmpegPath ?? "ffmpeg";
  await mkdir(STAMPS_DIR, { recursive: true });
  const paths = Object.fromEntries(FIXTURE_NAMES.map((n) => [n, join(MEDIA_DIR, n)])) as Record<
    FixtureName,
    string
  >;
  // In list order: a derived fixture (truncated.mp4, dolby-vision-84.mp4) comes after the one it is made from.
  for (const name of FIXTURE_NAMES) {
    const hash = await recipeHash(name, ffmpeg);
    const stampPath = join(STAMPS_DIR, `${name}.sha256`);
    const stamp = await readFile(stampPath, "utf8").catch(() => "");
    if (!options.force && stamp === hash && (await exists(paths[name]))) continue;
    await build(name, paths[name], paths, ffmpeg);
    await writeFile(stampPath, hash);
  }
  return paths;
};

/**
 * What the worker learns beyond the first ffprobe, recorded for the golden test to plan with: that it had to probe
 * deeper, and the spans it measured from packets. Only fixtures that need either get a file.
 */
export interface WorkerFacts {
  readonly probeDepth?: ProbeDepth;
  readonly measured?: Readonly<Record<string, StreamSpan>>;
}

export const WORKER_FACTS_DIR = join(ROOT, "fixtures", "worker-facts");

/** The worker's steps (read-input.ts) with this script's process runner: probe, deeper if need be, then packets. */
const probeLikeTheWorker = async (
  name: FixtureName,
  ffprobe: string,
): Promise<{ json: string; facts: WorkerFacts }> => {
  const normal = await run(ffprobe, probeArgs(name), MEDIA_DIR);
  const deep = normal.code === 0 ? null : await run(ffprobe, probeArgs(name, "deep"), MEDIA_DIR);
  const depth: ProbeDepth = deep?.code === 0 ? "deep" : "normal";
  const json = deep?.code === 0 ? deep.stdout : normal.stdout;
  const parsed = parseProbe(JSON.parse(json));
  if (parsed.isErr() || !needsPacketMeasuring(parsed.value, DEFAULT_PLAN_LIMITS)) {
    return { json, facts: depth === "deep" ? { probeDepth: depth } : {} };
  }
  const packets = await run(ffprobe, measureArgs(name, inputProbeOptions(depth)), MEDIA_DIR);
  if (packets.code !== 0) throw new Error(`ffprobe could not list the packets of ${name}: ${packets.stderr}`);
  const measured = measuredSpans(tallyPackets(EMPTY_TALLY, packets.stdout));
  return {
    json,
    facts: {
      ...(depth === "deep" ? { probeDepth: depth } : {}),
      measured: Object.fromEntries([...measured].map(([index, span]) => [String(index), span])),
    },
  };
};

/** Raw ffprobe JSON per fixture, run from the media directory so "filename" holds no machine path. */
export const writeProbes = async (options: FixtureOptions = {}): Promise<void> => {
  await mkdir(PROBES_DIR, { recursive: true });
  await mkdir(WORKER_FACTS_DIR, { recursive: true });
  for (const name of FIXTURE_NAMES) {
    // Unreadable inputs make ffprobe exit 1 and print "{}": that is the probe the shell would see.
    const { json, facts } = await probeLikeTheWorker(name, options.ffprobePath ?? "ffprobe");
    const stem = name.replace(/\.[^.]+$/, "");
    await writeFile(join(PROBES_DIR, `${stem}.json`), json);
    const factsPath = join(WORKER_FACTS_DIR, `${stem}.json`);
    if (Object.keys(facts).length === 0) await rm(factsPath, { force: true });
    else await writeFile(factsPath, `${JSON.stringify(facts, null, 2)}\n`);
  }
};

const isMain = process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const started = performance.now();
  const options: FixtureOptions = {
    force: process.argv.includes("--force"),
    ...(process.env.FFMPEG_PATH ? { ffmpegPath: process.env.FFMPEG_PATH } : {}),
    ...(process.env.FFPROBE_PATH ? { ffprobePath: process.env.FFPROBE_PATH } : {}),
  };
  const paths = await ensureFixtures(options);
  await writeProbes(options);
  for (const [name, path] of Object.entries(paths)) {
    process.stdout.write(`${name.padEnd(22)} ${(await stat(path)).size} bytes\n`);
  }
  process.stdout.write(`fixtures ready in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
}
