// make dev's one log stream: every line tagged with where it came from ([redis], [api], [machine <id>], ...),
// colored per source on a terminal, written whole so lines from different sources never interleave mid-line.

export type DevLog = (source: string, line: string) => void;

const COLORS = [36, 33, 35, 32, 34, 91, 96, 93, 95, 92] as const;

// biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI escapes are exactly what this strips.
const ANSI = /\u001b\[[0-9;]*[A-Za-z]/g;

/** Drops terminal color codes and trailing whitespace from a child's output line. */
export const plainLine = (line: string): string => line.replace(ANSI, "").trimEnd();

/** The same source always gets the same color; each machine gets its own. */
const colorIndex = (source: string): number => {
  let hash = 0;
  for (const char of source) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  return hash % COLORS.length;
};

/** A DevLog writing `[source] line` to `write` (e.g. process.stdout); `color` adds ANSI colors per source. */
export const prefixedLog =
  (write: (text: string) => void, options: { readonly color: boolean }): DevLog =>
  (source, line) => {
    const text = plainLine(line);
    if (text === "") return;
    const tag = `[${source}]`;
    const shown = options.color ? `\u001b[${COLORS[colorIndex(source)]}m${tag}\u001b[0m` : tag;
    write(`${shown} ${text}\n`);
  };

/** Splits a child's output stream into lines for a DevLog, keeping a partial last line until it completes. */
export const lineSplitter = (emit: (line: string) => void) => {
  let partial = "";
  return {
    push(chunk: Buffer | string): void {
      const lines = (partial + chunk.toString()).split("\n");
      partial = lines.pop() ?? "";
      for (const line of lines) emit(line);
    },
    flush(): void {
      if (partial !== "") emit(partial);
      partial = "";
    },
  };
};
