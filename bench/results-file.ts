// bench/results.json: one flat object of named numbers shared by every benchmark; each merges in its own keys.
import { readFile, rename, writeFile } from "node:fs/promises";

export type BenchFigures = Readonly<Record<string, number>>;

const readExisting = async (path: string): Promise<Record<string, unknown>> => {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return {};
    throw error;
  }
  const parsed: unknown = JSON.parse(text);
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new Error(`${path} must hold one JSON object; refusing to overwrite it`);
  }
  return parsed as Record<string, unknown>;
};

/** Writes `figures` over the same keys in the file, keeping every other key; answers the merged object. */
export const mergeResults = async (path: string, figures: BenchFigures): Promise<Record<string, unknown>> => {
  for (const [key, value] of Object.entries(figures)) {
    if (!Number.isFinite(value)) throw new Error(`figure ${key} is not a finite number: ${value}`);
  }
  const merged = { ...(await readExisting(path)), ...figures };
  const sorted = Object.fromEntries(Object.entries(merged).sort(([a], [b]) => a.localeCompare(b)));
  // Write then rename, so an interrupted run never leaves half a file for the other benchmarks.
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(sorted, null, 2)}\n`);
  await rename(temporary, path);
  return sorted;
};
