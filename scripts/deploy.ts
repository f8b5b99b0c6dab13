// make deploy: reads the credentials (environment, then .env), plans the deploy (scripts/deploy-plan.ts), checks
// the Worker's and the worker machines' environments with the parsers production uses, then sets the worker app's
// Fly secrets, pushes the worker image under a content tag and deploys the Worker with its vars and secrets.
// DRY_RUN=1 runs offline: it prints the plan and bundles the Worker without uploading anything.
// Run with Bun: bun scripts/deploy.ts
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { parse as parseToml } from "smol-toml";
import { parseControlPlaneConfig } from "../shell/control-plane/config/control-plane-config.ts";
import { poolMachineEnv } from "../shell/control-plane/machines/worker-machine-env.ts";
import { parseWorkerEnv } from "../worker-image/worker-env.ts";
import { type DeployPlan, type DeployStep, describeStep, planDeploy } from "./deploy-plan.ts";

const ROOT = join(import.meta.dirname, "..");
const dryRun = ["1", "true", "yes"].includes((process.env.DRY_RUN ?? "").toLowerCase());
const say = (line: string) => console.log(`tcoder-deploy: ${line}`);
const fail = (line: string, code = 1): never => {
  console.error(`tcoder-deploy: ${line}`);
  process.exit(code);
};

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

const toml = (path: string) => parseToml(readFileSync(join(ROOT, path), "utf8")) as Record<string, unknown>;
const wranglerToml = toml("wrangler.toml");
const flyToml = toml("worker-image/fly.toml");

/**
 * A tag that changes exactly when what goes into the worker image changes: the Dockerfile, its ignore file and
 * every path its COPY lines take from the build context (never an unpushed `latest`).
 */
const imageTag = (): string => {
  const dockerfile = "worker-image/Dockerfile";
  const copied = readFileSync(join(ROOT, dockerfile), "utf8")
    .split("\n")
    .filter((line) => /^COPY\s/.test(line) && !/--from=/.test(line))
    .flatMap((line) => line.trim().split(/\s+/).slice(1, -1));
  const walk = (path: string): string[] =>
    statSync(path).isDirectory()
      ? readdirSync(path)
          .sort()
          .flatMap((name) => walk(join(path, name)))
      : [path];
  const hash = createHash("sha256");
  for (const path of [dockerfile, "worker-image/Dockerfile.dockerignore", ...copied].flatMap((p) =>
    walk(join(ROOT, p)),
  )) {
    hash.update(relative(ROOT, path)).update("\0").update(readFileSync(path)).update("\0");
  }
  return `tcoder-${hash.digest("hex").slice(0, 12)}`;
};

/** https://<worker>.<account subdomain>.workers.dev, from Cloudflare's API (only when PUBLIC_URL is unset). */
const lookUpWorkersDevUrl = async (workerName: string): Promise<string> => {
  const url = `https://api.cloudflare.com/client/v4/accounts/${env.CLOUDFLARE_ACCOUNT_ID}/workers/subdomain`;
  const response = await fetch(url, {
    headers: { authorization: `Bearer ${env.CLOUDFLARE_API_TOKEN}` },
    signal: AbortSignal.timeout(15_000),
  }).catch((error: unknown) => fail(`cannot reach Cloudflare's API for the workers.dev subdomain: ${error}`));
  const body = (await response.json().catch(() => null)) as { result?: { subdomain?: unknown } } | null;
  const subdomain = body?.result?.subdomain;
  if (!response.ok || typeof subdomain !== "string" || subdomain === "") {
    return fail(
      `no workers.dev subdomain for this account (HTTP ${response.status}); set PUBLIC_URL to the Worker's URL`,
    );
  }
  return `https://${workerName}.${subdomain}.workers.dev`;
};

const workerName = String(wranglerToml.name ?? "tcoder");
const vars = Object.fromEntries(
  Object.entries((wranglerToml.vars ?? {}) as Record<string, unknown>).map(([k, v]) => [k, String(v)]),
);
const tag = imageTag();
const planWith = (workersDevUrl: string | null): DeployPlan =>
  planDeploy({
    env,
    wrangler: { name: workerName, vars },
    fly: { app: String(flyToml.app ?? ""), primaryRegion: String(flyToml.primary_region ?? "") },
    imageTag: tag,
    workersDevUrl,
  });

let plan = planWith(null);
const missingLine = `missing ${plan.missing.join(", ")} (set them in the environment or .env; see README "Deploy")`;
if (!dryRun) {
  if (plan.missing.length > 0) fail(missingLine, 2);
  for (const tool of ["fly", "npx"]) {
    if (spawnSync("sh", ["-c", `command -v ${tool}`]).status !== 0) {
      fail(`${tool} is not installed (fly: https://fly.io/docs/flyctl/install/)`, 2);
    }
  }
  if (!env.PUBLIC_URL) plan = planWith(await lookUpWorkersDevUrl(workerName));
}

// Stop before anything runs: missing credentials, settings that disagree, an environment production would refuse.
const blockers: string[] = plan.missing.length > 0 ? [missingLine, ...plan.problems] : [...plan.problems];
if (plan.missing.length === 0) {
  try {
    const config = parseControlPlaneConfig(plan.workerEnv);
    const machineEnv = { ...plan.flyAppSecrets, ...(await poolMachineEnv(config, "m_deploycheck")) };
    const worker = parseWorkerEnv(machineEnv, { cwd: "/app", tmpDir: "/tmp/tcoder" });
    if (worker.isErr()) blockers.push(`a worker machine would refuse its environment: ${worker.error}`);
  } catch (error) {
    blockers.push(`the Worker would refuse its environment: ${(error as Error).message}`);
  }
}
if (blockers.length > 0 && !dryRun) fail(blockers.join("; "), 2);
for (const blocker of blockers) say(`dry run; a real deploy would stop here: ${blocker}`);

say(`worker image ${plan.image}`);
say(
  plan.publicUrl.source === "placeholder"
    ? `PUBLIC_URL: a real deploy looks up the account's workers.dev subdomain (here: ${plan.publicUrl.value})`
    : `PUBLIC_URL ${plan.publicUrl.value} (from ${plan.publicUrl.source})`,
);

const runStep = (step: DeployStep): void => {
  say(`${dryRun ? "would run" : "running"}: ${describeStep(step)}`);
  if (dryRun) return;
  let secretsDir: string | null = null;
  let args = [...step.args];
  if (step.fileSecrets) {
    secretsDir = mkdtempSync(join(tmpdir(), "tcoder-deploy-"));
    const file = join(secretsDir, "secrets.json");
    writeFileSync(file, JSON.stringify(step.fileSecrets), { mode: 0o600 });
    args = args.map((arg) => (arg === "{secrets-file}" ? file : arg));
  }
  const input = step.stdinSecrets
    ? Object.entries(step.stdinSecrets)
        .map(([name, value]) => `${name}=${value}`)
        .join("\n")
    : undefined;
  try {
    const result = spawnSync(step.command, args, {
      cwd: ROOT,
      stdio: [input === undefined ? "inherit" : "pipe", "inherit", "inherit"],
      input,
      env: env as NodeJS.ProcessEnv,
    });
    if (result.status !== 0) fail(`failed: ${describeStep(step)} (exit ${result.status ?? result.signal})`);
  } finally {
    if (secretsDir !== null) rmSync(secretsDir, { recursive: true, force: true });
  }
};

for (const step of plan.steps) runStep(step);
if (dryRun) {
  // Offline: bundle the Worker exactly as a deploy would, without uploading it.
  const outdir = join(ROOT, "dist/worker");
  say(`bundling the Worker offline into ${relative(ROOT, outdir)}`);
  const bundled = spawnSync("npx", ["wrangler", "deploy", "--dry-run", "--outdir", outdir], {
    cwd: ROOT,
    stdio: "inherit",
  });
  if (bundled.status !== 0) fail("wrangler could not bundle the Worker");
  say("dry run complete; nothing was pushed or deployed");
} else {
  say(`deployed; the spawner starts machines from ${plan.image}`);
}
