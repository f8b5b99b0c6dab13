// The generated dashboard module must match dashboard/ and the vendored hls.js (or the control plane would serve a
// page nobody reviewed), and the page must keep to its Content-Security-Policy: no inline script or style.
import { execFileSync } from "node:child_process";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { DASHBOARD_ASSETS } from "../../../shell/control-plane/http/generated/dashboard-assets.ts";

const ROOT = resolve(import.meta.dirname, "../../..");

describe("generated dashboard module", () => {
  it("is up to date with dashboard/ and hls.js", () => {
    expect(() =>
      execFileSync(process.execPath, ["scripts/build-dashboard.mjs", "--check"], {
        cwd: ROOT,
        stdio: "pipe",
      }),
    ).not.toThrow();
  });

  it("holds the page, its script and stylesheet, and hls.js", () => {
    expect(Object.keys(DASHBOARD_ASSETS).sort()).toEqual([
      "dashboard.css",
      "dashboard.js",
      "hls.mjs",
      "index.html",
    ]);
    expect(DASHBOARD_ASSETS["hls.mjs"].body).toMatch(/^\/\*! hls\.js \d+\.\d+\.\d+, Apache-2\.0/);
    expect(DASHBOARD_ASSETS["dashboard.js"].body).toContain('import("/app/hls.mjs")');
  });

  it("the page has no inline script, style or event handler", () => {
    const page = DASHBOARD_ASSETS["index.html"].body;
    expect(page.match(/<script\b[^>]*>/g)).toEqual(['<script type="module" src="/app/dashboard.js">']);
    expect(page).not.toMatch(/<style\b|\sstyle=|\son[a-z]+=/i);
  });
});
