// make deploy's plan, computed from the environment and the repository's config files (no I/O here): what is
// missing, what disagrees, the commands in order, and the environments the deployed Worker and the worker machines
// will see, so the script can run them through the same parsers production uses before anything is deployed.

/** What the deploy itself needs. */
export const DEPLOY_CREDENTIALS = ["CLOUDFLARE_API_TOKEN", "CLOUDFLARE_ACCOUNT_ID", "FLY_API_TOKEN"] as const;

/** The control plane's secrets (the Worker's `--secrets-file`); wrangler.toml's [vars] hold the rest. */
export const WORKER_SECRETS = [
  "TCODER_API_KEYS",
  "UPSTASH_REDIS_REST_URL",
  "UPSTASH_REDIS_REST_TOKEN",
  "R2_ACCOUNT_ID",
  "R2_ACCESS_KEY_ID",
  "R2_SECRET_ACCESS_KEY",
  "FLY_API_TOKEN",
  "CALLBACK_SECRET",
  "WEBHOOK_SECRET",
  "MEDIA_SECRET",
] as const;

/** The workers' own R2 key (an R2 API token of their own, revocable without touching the control plane). */
export const WORKER_MACHINE_CREDENTIALS = ["WORKER_R2_ACCESS_KEY_ID", "WORKER_R2_SECRET_ACCESS_KEY"] as const;

const REQUIRED = [...new Set([...DEPLOY_CREDENTIALS, ...WORKER_SECRETS, ...WORKER_MACHINE_CREDENTIALS])];

export interface DeployInputs {
  readonly env: Readonly<Record<string, string | undefined>>;
  /** wrangler.toml: the Worker's name and [vars]. */
  readonly wrangler: { readonly name: string; readonly vars: Readonly<Record<string, string>> };
  /** worker-image/fly.toml: the worker app and its primary region. */
  readonly fly: { readonly app: string; readonly primaryRegion: string };
  readonly imageTag: string;
  /** The Worker's workers.dev URL, looked up from the account when PUBLIC_URL is unset (null in a dry run). */
  readonly workersDevUrl: string | null;
}

export type PublicUrlSource = "PUBLIC_URL" | "workers.dev" | "placeholder";

export interface DeployStep {
  readonly command: string;
  readonly args: readonly string[];
  /** NAME=VALUE lines for the command's stdin (secrets never go into argv or the output). */
  readonly stdinSecrets?: Readonly<Record<string, string>>;
  /** Secrets written to a private temporary file whose path replaces the `{secrets-file}` argument. */
  readonly fileSecrets?: Readonly<Record<string, string>>;
}

export interface DeployPlan {
  /** Required variables that are unset: a real deploy stops before its first step. */
  readonly missing: readonly string[];
  /** Settings that disagree: a real deploy stops. */
  readonly problems: readonly string[];
  readonly app: string;
  readonly image: string;
  readonly publicUrl: { readonly value: string; readonly source: PublicUrlSource };
  /** What the deployed Worker sees: wrangler.toml's vars, the deploy's --var values and its secrets. */
  readonly workerEnv: Readonly<Record<string, string>>;
  /**
   * Fly app secrets: every machine of the worker app gets them. Not the callback secret: the control plane gives
   * each machine a callback key of its own.
   */
  readonly flyAppSecrets: Readonly<Record<string, string>>;
  readonly steps: readonly DeployStep[];
}

const PLACEHOLDER = (name: string) => `https://${name}.your-subdomain.workers.dev`;

export const planDeploy = (inputs: DeployInputs): DeployPlan => {
  const { env, wrangler, fly } = inputs;
  const value = (name: string): string => env[name] ?? "";
  const missing = REQUIRED.filter((name) => !env[name]);
  const problems: string[] = [];

  const app = env.FLY_APP || fly.app;
  if (env.FLY_APP && env.FLY_APP !== fly.app) {
    problems.push(
      `FLY_APP is ${env.FLY_APP} but worker-image/fly.toml says app = "${fly.app}": make them the same app`,
    );
  }
  const region = env.FLY_REGION || wrangler.vars.FLY_REGION || "";
  if (region !== fly.primaryRegion) {
    problems.push(
      `machines start in FLY_REGION ${region || "(unset)"} but worker-image/fly.toml's primary_region is ` +
        `"${fly.primaryRegion}": make them the same region`,
    );
  }

  const publicUrl = env.PUBLIC_URL
    ? { value: env.PUBLIC_URL.replace(/\/+$/, ""), source: "PUBLIC_URL" as const }
    : inputs.workersDevUrl !== null
      ? { value: inputs.workersDevUrl, source: "workers.dev" as const }
      : { value: PLACEHOLDER(wrangler.name), source: "placeholder" as const };

  const image = `registry.fly.io/${app}:${inputs.imageTag}`;
  const workerVars = { WORKER_IMAGE: image, PUBLIC_URL: publicUrl.value, FLY_APP: app, FLY_REGION: region };
  const workerSecrets = Object.fromEntries(
    WORKER_SECRETS.flatMap((name) => (env[name] ? [[name, value(name)]] : [])),
  );
  const flyAppSecrets = {
    UPSTASH_REDIS_REST_URL: env.WORKER_REDIS_REST_URL || value("UPSTASH_REDIS_REST_URL"),
    UPSTASH_REDIS_REST_TOKEN: env.WORKER_REDIS_REST_TOKEN || value("UPSTASH_REDIS_REST_TOKEN"),
    S3_ACCESS_KEY_ID: value("WORKER_R2_ACCESS_KEY_ID"),
    S3_SECRET_ACCESS_KEY: value("WORKER_R2_SECRET_ACCESS_KEY"),
  };

  const steps: DeployStep[] = [
    // Staged: the values reach machines created from now on; there are no long-lived machines to restart.
    { command: "fly", args: ["secrets", "import", "--app", app, "--stage"], stdinSecrets: flyAppSecrets },
    {
      command: "fly",
      args: ["deploy", "--config", "worker-image/fly.toml", "--app", app, "--build-only", "--push"].concat([
        "--image-label",
        inputs.imageTag,
        ".",
      ]),
    },
    {
      command: "npx",
      args: [
        "wrangler",
        "deploy",
        ...Object.entries(workerVars).flatMap(([name, v]) => ["--var", `${name}:${v}`]),
        "--secrets-file",
        "{secrets-file}",
      ],
      fileSecrets: workerSecrets,
    },
  ];
  return {
    missing,
    problems,
    app,
    image,
    publicUrl,
    workerEnv: { ...wrangler.vars, ...workerVars, ...workerSecrets },
    flyAppSecrets,
    steps,
  };
};

/** A step as printed: secrets by name only. */
export const describeStep = (step: DeployStep): string => {
  const names = Object.keys(step.stdinSecrets ?? step.fileSecrets ?? {});
  const carried = step.stdinSecrets ? " (on stdin: " : " (in a private file: ";
  return `${step.command} ${step.args.join(" ")}${names.length > 0 ? `${carried}${names.join(", ")})` : ""}`;
};
