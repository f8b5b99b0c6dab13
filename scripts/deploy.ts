// make deploy: checks credentials, pushes the worker image to Fly's registry under a content tag, sets the
// Worker's secrets and deploys it with that image reference. DRY_RUN=1 runs offline and prints the steps.
// Run with Bun: bun scripts/deploy.ts
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";

const ROOT = join(import.meta.dirname, "..");
const dryRun = ["1", "true", "yes"].includes((process.env.DRY_RUN ?? "").toLowerCase());

/** `.env` lines `NAME=value` (quotes stripped) under whatever the environment already sets. */
const readDotEnv = (path: string): Record<string, string> => {
  if (!existsSync(path)) return {};
  const vars: Record<string, string> = {};
  for (const line of readFileSync(path, "utf8").split("\n")) {
    const match = line.match(/^\s*(?:export\s+)?([A-Z_][A-Z0-9_]*)\s*=\s*(.*?)\s*$/);
    if (match?.[1]) vars[match[1]] = (match[2] ?? "").replace(/^(['"])(.*)\1$/, "$2");
  }
  return vars;
};
const env: Record<string, string | undefined> = { ...readDotEnv(join(ROOT, ".env")), ...process.env };

/** What the deploy itself needs, and the Worker secrets it sets (wrangler.toml lists the rest as vars). */
const DEPLOY_CREDENTIALS = [
  "CLOUDFLARE_API_TOKEN",
  "CLOUDFLARE_ACCOUNT_ID",
  "FLY_API_TOKEN",
  "FLY_APP",
] as const;
const WORKER_SECRETS = [
  "TCODER_API_KEYS",
  "UPSTASH_REDIS_REST_URL",
  "UPSTASH_REDIS_REST_TOKEN",
  "R2_ACCOUNT_ID",
  "R2_ACCESS_KEY_ID",
  "R2_SECRET_ACCESS_KEY",
  "FLY_API_TOKEN",
  "FLY_APP",
  "CALLBACK_SECRET",
  "WEBHOOK_SECRET",
  "MEDIA_SECRET",
] as const;

/** A tag that changes whenever anything baked into the worker image changes: never an unpushed `latest`. */
const imageTag = (): string => {
  const hash = createHash("sha256");
  const walk = (dir: string): string[] =>
    readdirSync(dir)
      .sort()
      .flatMap((name) => {
        const path = join(dir, name);
        return statSync(path).isDirectory() ? walk(path) : [path];
      });
  for (const path of [
    ...["core", "shell", "worker-image"].flatMap((d) => walk(join(ROOT, d))),
    join(ROOT, "package-lock.json"),
  ]) {
    hash.update(relative(ROOT, path)).update("\0").update(readFileSync(path)).update("\0");
  }
  return `tcoder-${hash.digest("hex").slice(0, 12)}`;
};

const run = (command: string, args: string[], input?: string): void => {
  const shown = `${command} ${args.join(" ")}`;
  console.log(
    `tcoder-deploy: ${dryRun ? "would run" : "running"}: ${shown}${input !== undefined ? " (value on stdin)" : ""}`,
  );
  if (dryRun) return;
  const result = spawnSync(command, args, {
    cwd: ROOT,
    stdio: [input === undefined ? "inherit" : "pipe", "inherit", "inherit"],
    input,
    env: env as NodeJS.ProcessEnv,
  });
  if (result.status !== 0) {
    console.error(`tcoder-deploy: failed: ${shown} (exit ${result.status ?? result.signal})`);
    process.exit(1);
  }
};

const missing = [...new Set([...DEPLOY_CREDENTIALS, ...WORKER_SECRETS])].filter((name) => !env[name]);
if (missing.length > 0) {
  const line = `missing ${missing.join(", ")} (set them in the environment or .env; see README "Deploy")`;
  if (!dryRun) {
    console.error(`tcoder-deploy: ${line}`);
    process.exit(2);
  }
  console.log(`tcoder-deploy: dry run; a real deploy would stop here: ${line}`);
}
if (!dryRun) {
  for (const tool of ["fly", "npx"]) {
    if (spawnSync("sh", ["-c", `command -v ${tool}`]).status !== 0) {
      console.error(`tcoder-deploy: ${tool} is not installed (fly: https://fly.io/docs/flyctl/install/)`);
      process.exit(2);
    }
  }
}

const app = env.FLY_APP ?? "<FLY_APP>";
const tag = imageTag();
const image = `registry.fly.io/${app}:${tag}`;
console.log(`tcoder-deploy: worker image ${image}`);

run("fly", [
  "deploy",
  "--config",
  "worker-image/fly.toml",
  "--app",
  app,
  "--build-only",
  "--push",
  "--image-label",
  tag,
]);
for (const name of WORKER_SECRETS) run("npx", ["wrangler", "secret", "put", name], env[name] ?? "");
const wranglerDeploy = ["wrangler", "deploy", "--var", `WORKER_IMAGE:${image}`];
if (dryRun) {
  // Offline: bundle the Worker exactly as a deploy would, without uploading it.
  const outdir = join(ROOT, "dist/worker");
  console.log(`tcoder-deploy: bundling the Worker offline into ${relative(ROOT, outdir)}`);
  const bundled = spawnSync("npx", [...wranglerDeploy, "--dry-run", "--outdir", outdir], {
    cwd: ROOT,
    stdio: "inherit",
  });
  if (bundled.status !== 0) {
    console.error("tcoder-deploy: wrangler could not bundle the Worker");
    process.exit(1);
  }
  console.log("tcoder-deploy: dry run complete; nothing was pushed or deployed");
} else {
  run("npx", wranglerDeploy);
  console.log(`tcoder-deploy: deployed; the spawner starts machines from ${image}`);
}
