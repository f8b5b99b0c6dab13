// Plain-text tables with aligned columns, and the number formats the benchmark prints.

/** Columns padded to their widest cell; numbers (cells starting with a digit) are right-aligned. */
export const renderTable = (header: readonly string[], rows: readonly (readonly string[])[]): string => {
  const all = [header, ...rows];
  const widths = header.map((_, col) => Math.max(...all.map((row) => (row[col] ?? "").length)));
  const line = (row: readonly string[]) =>
    row
      .map((cell, col) => {
        const width = widths[col] ?? 0;
        return /^[\d,.]+$/.test(cell) ? cell.padStart(width) : cell.padEnd(width);
      })
      .join("  ")
      .trimEnd();
  const rule = widths.map((w) => "-".repeat(w)).join("  ");
  return [line(header), rule, ...rows.map(line)].join("\n");
};

export const formatInt = (n: number): string => Math.round(n).toLocaleString("en-US");
export const formatFixed = (n: number, digits: number): string => n.toFixed(digits);

export const median = (values: readonly number[]): number => {
  if (values.length === 0) throw new Error("no values to take a median of");
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};
