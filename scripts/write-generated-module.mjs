// Writes a generated module, or with --check fails when the committed one differs (make check keeps them current).
import { readFileSync, writeFileSync } from "node:fs";

/** `label` names the file in messages, `remedy` the make target that rebuilds it, `written` what was written. */
export const writeOrCheckGenerated = (outFile, text, { label, remedy, written }) => {
  if (process.argv.includes("--check")) {
    let current = "";
    try {
      current = readFileSync(outFile, "utf8");
    } catch {}
    if (current !== text) {
      console.error(`${label} is out of date: run \`${remedy}\``);
      process.exit(1);
    }
    return;
  }
  writeFileSync(outFile, text);
  console.log(`wrote ${written} to ${label}`);
};
