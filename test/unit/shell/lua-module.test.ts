// The generated Lua module must match shell/redis/lua/*.lua, or production would run scripts nobody reviewed.
import { execFileSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { LUA_SCRIPTS } from "../../../shell/redis/generated/lua-scripts.ts";

const ROOT = resolve(import.meta.dirname, "../../..");

describe("generated Lua module", () => {
  it("is up to date with the .lua sources", () => {
    expect(() =>
      execFileSync(process.execPath, ["scripts/build-lua.mjs", "--check"], { cwd: ROOT, stdio: "pipe" }),
    ).not.toThrow();
  });

  it("holds every script, with every include expanded", () => {
    const files = readdirSync(resolve(ROOT, "shell/redis/lua")).filter((f) => f.endsWith(".lua"));
    const scripts = Object.values(LUA_SCRIPTS);
    expect(scripts.map((s) => `${s.name}.lua`).sort()).toEqual(files.sort());
    for (const script of scripts) expect(script.source).not.toMatch(/^-- @include/m);
  });
});
