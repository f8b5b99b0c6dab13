// Enforces that core/ stays pure: no runtime APIs, clocks, randomness or I/O, and imports only valibot, neverthrow and itself.
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { findImpurities, type PurityRules } from "../support/find-impurities.ts";

const CORE = resolve(import.meta.dirname, "../../core");

const listTs = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? listTs(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : [],
  );

const rulesFor = (file: string): PurityRules => ({
  allowedPackages: ["valibot", "neverthrow"],
  relativeAllowed: (spec) => !relative(CORE, resolve(dirname(file), spec)).startsWith(".."),
});

describe("core purity", () => {
  const files = listTs(CORE);

  it("has modules to check", () => {
    expect(files.length).toBeGreaterThan(10);
  });

  it.each(files.map((f) => [relative(CORE, f), f]))("core/%s is pure", (_name, file) => {
    expect(findImpurities(file, readFileSync(file, "utf8"), rulesFor(file))).toEqual([]);
  });
});

describe("the purity check itself", () => {
  const file = join(CORE, "example.ts");
  const check = (text: string) => findImpurities(file, text, rulesFor(file)).map((i) => i.what);

  it.each([
    ["export const now = () => Date.now();", "Date.now"],
    ["export const d = new Date();", "new Date"],
    ["export const r = Math.random();", "Math.random"],
    ["export const f = () => fetch('https://x');", "fetch"],
    ["export const e = process.env.SECRET;", "process"],
    ["export const b = Bun.spawn(['ls']);", "Bun"],
    ["export const id = crypto.randomUUID();", "crypto.randomUUID"],
    ["console.log('hi');", "console"],
    ["setTimeout(() => 0, 1);", "setTimeout"],
    ["export const g = globalThis;", "globalThis"],
    ['import { readFileSync } from "node:fs";', 'import of "node:fs"'],
    ['import { Hono } from "hono";', 'import of "hono"'],
    ['import { x } from "../shell/redis.ts";', 'import of "../shell/redis.ts"'],
    ['export { y } from "../test/support.ts";', 'import of "../test/support.ts"'],
    ['export const m = () => import("./x.ts");', "dynamic import()"],
  ])("flags %s", (text, what) => {
    expect(check(text)).toContain(what);
  });

  it.each([
    'import * as v from "valibot"; import { ok } from "neverthrow"; import { a } from "./job-status.ts";',
    "export const at = (iso: string) => Date.parse(iso);",
    "export const o = { process: 1, fetch: 2 }; export const p = o.process + o.fetch;",
    "// Date.now() is banned here; time comes in as an argument\nexport const t = (now: number) => now;",
    "export const s = 'console.log(Math.random())';",
    "const performance = (cpus: number) => ({ cpuKind: 'performance', cpus }); export const g = performance(2);",
  ])("allows %s", (text) => {
    expect(check(text)).toEqual([]);
  });
});
