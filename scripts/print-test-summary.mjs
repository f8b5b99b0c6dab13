// Prints vitest's JSON report as one closing line, "N passed, N failed, N skipped", per tier and in total.
import { readFileSync } from "node:fs";

const path = process.argv[2];
let report;
try {
  report = JSON.parse(readFileSync(path, "utf8"));
} catch {
  console.log("0 passed, 1 failed");
  console.error(`tcoder: no test report at ${path} (the test run crashed before reporting)`);
  process.exit(0);
}
const tiers = new Map();
for (const file of report.testResults ?? []) {
  const tier = file.name.match(/\/test\/([^/]+)\//)?.[1] ?? "other";
  const t = tiers.get(tier) ?? { passed: 0, failed: 0, skipped: 0 };
  for (const a of file.assertionResults ?? []) {
    if (a.status === "passed") t.passed++;
    else if (a.status === "failed") t.failed++;
    else t.skipped++;
  }
  if ((file.assertionResults ?? []).length === 0 && file.status === "failed") t.failed++;
  tiers.set(tier, t);
}
for (const [tier, t] of tiers)
  console.log(`  ${tier}: ${t.passed} passed, ${t.failed} failed, ${t.skipped} skipped`);
// Totals from the tiers: vitest's numFailedTestSuites also counts every describe block around a failed test.
const sum = (key) => [...tiers.values()].reduce((total, t) => total + t[key], 0);
const [passed, failed, skipped] = [sum("passed"), sum("failed"), sum("skipped")];
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
