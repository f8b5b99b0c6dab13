// Lua replies flatten records into one list of strings; this valibot schema reads them back as rows.
import * as v from "valibot";

const INTEGER = /^-?\d+$/;

/** A flat string list read as rows of `width`; `scoreColumn` (if any) must hold an integer in every row. */
export const flatRows = <T>(
  width: number,
  scoreColumn: number | null,
  build: (row: readonly string[]) => T,
) =>
  v.pipe(
    v.array(v.string()),
    v.check(
      (items) =>
        items.length % width === 0 &&
        items.every((item, i) => i % width !== scoreColumn || INTEGER.test(item)),
      `a flat list of ${width}-tuples`,
    ),
    v.transform((items) =>
      Array.from({ length: items.length / width }, (_, i) => build(items.slice(i * width, (i + 1) * width))),
    ),
  );

/** The `i`-th field of a row `flatRows` checked to be wide enough. */
export const at = (row: readonly string[], i: number): string => row[i] as string;
