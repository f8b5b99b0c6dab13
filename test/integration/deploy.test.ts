// make deploy: the offline dry run bundles the Worker and prints every step; a real run without credentials or
// without flyctl stops first and says what is missing.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "../..");
const BUN = join(ROOT, "node_modules/.bin/bun");

/** Runs the deploy script with only PATH and HOME from this environment, plus `env`. */
const deploy = (env: Record<string, string>) => {
  const result = spawnSync(BUN, ["scripts/deploy.ts"], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env },
    encoding: "utf8",
    timeout: 120_000,
  });
  return { status: result.status, out: `${result.stdout}${result.stderr}` };
};

const CREDENTIALS = {
  CLOUDFLARE_API_TOKEN: "cf-token",
  CLOUDFLARE_ACCOUNT_ID: "0123456789abcdef0123456789abcdef",
  FLY_API_TOKEN: "fly-token",
  FLY_APP: "tcoder-test-app",
  TCODER_API_KEYS: "k1",
  UPSTASH_REDIS_REST_URL: "https://example.upstash.io",
  UPSTASH_REDIS_REST_TOKEN: "t",
  R2_ACCOUNT_ID: "0123456789abcdef0123456789abcdef",
  R2_ACCESS_KEY_ID: "a",
  R2_SECRET_ACCESS_KEY: "s",
  CALLBACK_SECRET: "0123456789abcdef0123",
  WEBHOOK_SECRET: "w",
  MEDIA_SECRET: "m",
};

describe("make deploy", () => {
  it("DRY_RUN=1 runs offline: bundles the Worker, prints the fly push under a content tag and each secret", () => {
    const { status, out } = deploy({ DRY_RUN: "1", ...CREDENTIALS });
    expect(status, out).toBe(0);
    const tag = out.match(/registry\.fly\.io\/tcoder-test-app:(tcoder-[0-9a-f]{12})/)?.[1];
    expect(tag, out).toBeDefined();
    expect(out).toContain(
      `would run: fly deploy --config worker-image/fly.toml --app tcoder-test-app --build-only --push --image-label ${tag}`,
    );
    for (const secret of [
      "TCODER_API_KEYS",
      "UPSTASH_REDIS_REST_TOKEN",
      "R2_SECRET_ACCESS_KEY",
      "CALLBACK_SECRET",
    ]) {
      expect(out).toContain(`would run: npx wrangler secret put ${secret} (value on stdin)`);
    }
    // Secret values never appear in the output.
    expect(out).not.toContain("0123456789abcdef0123");
    expect(out).toContain("dry run complete");
    expect(existsSync(join(ROOT, "dist/worker"))).toBe(true);
    expect(readdirSync(join(ROOT, "dist/worker")).some((f) => f.endsWith(".js"))).toBe(true);
    // The same tree gives the same tag: it is a content hash, not a timestamp.
    expect(deploy({ DRY_RUN: "1", ...CREDENTIALS }).out).toContain(tag);
  }, 120_000);

  it("DRY_RUN=1 without credentials still runs, and names what a real deploy would need", () => {
    const { status, out } = deploy({ DRY_RUN: "1" });
    expect(status, out).toBe(0);
    expect(out).toMatch(
      /a real deploy would stop here: missing CLOUDFLARE_API_TOKEN, CLOUDFLARE_ACCOUNT_ID, FLY_API_TOKEN, FLY_APP/,
    );
  }, 120_000);

  it("a real deploy without credentials stops before doing anything, in one line", () => {
    const { status, out } = deploy({});
    expect(status).toBe(2);
    expect(out.trim().split("\n")).toHaveLength(1);
    expect(out).toMatch(/^tcoder-deploy: missing CLOUDFLARE_API_TOKEN, .*see README "Deploy"/);
  });

  it("a real deploy without flyctl says so", () => {
    const { status, out } = deploy({ ...CREDENTIALS, PATH: "/usr/bin:/bin" });
    expect(status).toBe(2);
    expect(out).toContain("tcoder-deploy: fly is not installed");
  });
});
