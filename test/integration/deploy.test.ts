// make deploy: the offline dry run bundles the Worker and prints every step; a real run without credentials or
// without flyctl stops first and says what is missing.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parse as parseToml } from "smol-toml";
import { describe, expect, it } from "vitest";
import { planDeploy } from "../../scripts/deploy-plan.ts";
import { parseControlPlaneConfig } from "../../shell/control-plane/config/control-plane-config.ts";
import { poolMachineEnv } from "../../shell/control-plane/machines/worker-machine-env.ts";
import { parseWorkerEnv } from "../../worker-image/worker-env.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const BUN = join(ROOT, "node_modules/.bin/bun");
const WRANGLER = parseToml(readFileSync(join(ROOT, "wrangler.toml"), "utf8"));
const FLY = parseToml(readFileSync(join(ROOT, "worker-image/fly.toml"), "utf8"));

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

/** Exactly the variables README "Deploy" asks for. */
const CREDENTIALS = {
  CLOUDFLARE_API_TOKEN: "cf-token",
  CLOUDFLARE_ACCOUNT_ID: "0123456789abcdef0123456789abcdef",
  FLY_API_TOKEN: "fly-token",
  FLY_APP: "tcoder-worker",
  TCODER_API_KEYS: "tk_0123456789abcdef",
  UPSTASH_REDIS_REST_URL: "https://example.upstash.io",
  UPSTASH_REDIS_REST_TOKEN: "upstash-token-value",
  R2_ACCOUNT_ID: "0123456789abcdef0123456789abcdef",
  R2_ACCESS_KEY_ID: "control-plane-key",
  R2_SECRET_ACCESS_KEY: "control-plane-secret-value",
  WORKER_R2_ACCESS_KEY_ID: "worker-key",
  WORKER_R2_SECRET_ACCESS_KEY: "worker-secret-value",
  CALLBACK_SECRET: "0123456789abcdef0123",
  WEBHOOK_SECRET: "webhook-secret-0123456789",
  MEDIA_SECRET: "media-secret-0123456789",
};

const planFor = (env: Record<string, string | undefined>, workersDevUrl: string | null = null) =>
  planDeploy({
    env,
    wrangler: {
      name: String(WRANGLER.name),
      vars: Object.fromEntries(Object.entries(WRANGLER.vars as object).map(([k, v]) => [k, String(v)])),
    },
    fly: { app: String(FLY.app), primaryRegion: String(FLY.primary_region) },
    imageTag: "tcoder-0123456789ab",
    workersDevUrl,
  });

describe("the deploy plan", () => {
  it("gives the Worker an environment its config parser accepts, PUBLIC_URL included", () => {
    const plan = planFor(CREDENTIALS, "https://tcoder.acme.workers.dev");
    expect(plan.missing).toEqual([]);
    expect(plan.problems).toEqual([]);
    const config = parseControlPlaneConfig(plan.workerEnv);
    expect(config.publicUrl).toBe("https://tcoder.acme.workers.dev");
    expect(config.webhook.secret).not.toBeNull();
    expect(config.fly.image).toBe("registry.fly.io/tcoder-worker:tcoder-0123456789ab");
  });

  it("gives worker machines, from Fly secrets and the spawner's env, an environment the worker accepts", async () => {
    const plan = planFor(CREDENTIALS, "https://tcoder.acme.workers.dev");
    const machineEnv = {
      ...plan.flyAppSecrets,
      ...(await poolMachineEnv(parseControlPlaneConfig(plan.workerEnv), "m_1")),
    };
    const worker = parseWorkerEnv(machineEnv, { cwd: "/app", tmpDir: "/tmp" })._unsafeUnwrap();
    expect(worker.mode).toBe("pool");
    // Workers use their own R2 key, not the control plane's.
    expect(plan.flyAppSecrets.S3_ACCESS_KEY_ID).toBe("worker-key");
    expect(Object.values(plan.flyAppSecrets)).not.toContain("control-plane-secret-value");
    // Nor the control plane's secrets: a machine signs its callbacks with a key of its own.
    for (const name of ["CALLBACK_SECRET", "MEDIA_SECRET", "WEBHOOK_SECRET"] as const) {
      expect(Object.values(machineEnv)).not.toContain(CREDENTIALS[name]);
    }
    expect(worker.callback).toEqual({
      url: "https://tcoder.acme.workers.dev/internal/callbacks",
      secret: machineEnv.CALLBACK_KEY,
    });
  });

  it("prefers PUBLIC_URL when set, and says when the URL is still to be looked up", () => {
    expect(planFor({ ...CREDENTIALS, PUBLIC_URL: "https://tc.example.com/" }).publicUrl).toEqual({
      value: "https://tc.example.com",
      source: "PUBLIC_URL",
    });
    expect(planFor(CREDENTIALS).publicUrl.source).toBe("placeholder");
  });

  it("stops on an app or region that disagrees with worker-image/fly.toml", () => {
    const plan = planFor({ ...CREDENTIALS, FLY_APP: "other-app", FLY_REGION: "ams" });
    expect(plan.problems.join("\n")).toMatch(/FLY_APP is other-app but worker-image\/fly.toml says app/);
    expect(plan.problems.join("\n")).toMatch(/FLY_REGION ams but worker-image\/fly.toml's primary_region/);
  });
});

describe("make deploy", () => {
  it("DRY_RUN=1 runs offline: bundles the Worker, prints every step with secrets by name only", () => {
    const { status, out } = deploy({ DRY_RUN: "1", ...CREDENTIALS });
    expect(status, out).toBe(0);
    expect(out).not.toContain("would stop here");
    const tag = out.match(/registry\.fly\.io\/tcoder-worker:(tcoder-[0-9a-f]{12})/)?.[1];
    expect(tag, out).toBeDefined();
    expect(out).toContain(
      "would run: fly secrets import --app tcoder-worker --stage (on stdin: UPSTASH_REDIS_REST_URL, " +
        "UPSTASH_REDIS_REST_TOKEN, S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY)",
    );
    expect(out).toContain(
      `would run: fly deploy --config worker-image/fly.toml --app tcoder-worker --build-only --push --image-label ${tag} .`,
    );
    expect(out).toMatch(
      /would run: npx wrangler deploy --var WORKER_IMAGE:registry\.fly\.io\/tcoder-worker:tcoder-/,
    );
    expect(out).toContain("--var PUBLIC_URL:https://tcoder.your-subdomain.workers.dev");
    expect(out).toContain(
      "--secrets-file {secrets-file} (in a private file: TCODER_API_KEYS, UPSTASH_REDIS_REST_URL",
    );
    // Secret values never appear in the output.
    for (const secret of ["0123456789abcdef0123", "worker-secret-value", "upstash-token-value"]) {
      expect(out).not.toContain(secret);
    }
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
      /a real deploy would stop here: missing CLOUDFLARE_API_TOKEN, CLOUDFLARE_ACCOUNT_ID, FLY_API_TOKEN, TCODER_API_KEYS/,
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
