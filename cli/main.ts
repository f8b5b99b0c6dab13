// tcoder, the command line over the SDK: upload (with progress and resume), status, list, cancel, record, download,
// stats. Configured by TCODER_URL (default http://localhost:8787) and TCODER_API_KEY. Exit codes: 0 done, 1 the
// job failed (its reason on stderr) or the API refused, 2 a usage mistake, 130 interrupted.
// Run through bin/tcoder (Bun runs the TypeScript; Node 20 cannot); only node: APIs are used, which Bun provides.
import { parseArgs } from "node:util";
import { JOB_STATUSES, type JobStatus } from "../core/job-status.ts";
import { PRESET_NAMES, type PresetName } from "../core/preset-names.ts";
import { TcoderError, TcoderNetworkError } from "../sdk/index.ts";
import { type CliContext, cliContext, DEFAULT_URL, UsageError } from "./cli-context.ts";
import { downloadCommand } from "./download-command.ts";
import { cancelCommand, listCommand, recordCommand, statsCommand, statusCommand } from "./job-commands.ts";
import { uploadCommand } from "./upload-command.ts";

const USAGE = `usage: tcoder <command> [options]

  upload <file> --preset <${PRESET_NAMES.join("|")}> [--wait] [--webhook-url <url>]
                     upload a video (large files in parts, resumed if interrupted); --wait follows the transcode
  status <id> [--wait]   a job's status, progress, outputs or error
  list [--status <s>] [--limit <n>]   your jobs, newest first
  cancel <id> [--reason <text>]
  record <id>            a finished job's record (FFmpeg runs, decisions, hashes, SSIM)
  download <id> [--dir <dir>]   a completed job's outputs into <dir>/<id>/
  stats                  machines, queue and this month's spend

  --json   one JSON document on stdout, for scripts (no progress bars)
  env: TCODER_URL (default ${DEFAULT_URL}), TCODER_API_KEY, TCODER_STATE_DIR (where interrupted uploads are kept)`;

const OPTIONS = {
  preset: { type: "string" },
  wait: { type: "boolean" },
  "webhook-url": { type: "string" },
  json: { type: "boolean" },
  status: { type: "string" },
  limit: { type: "string" },
  reason: { type: "string" },
  dir: { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

const oneOf = <T extends string>(
  name: string,
  value: string | undefined,
  allowed: readonly T[],
): T | undefined => {
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value))
    throw new UsageError(`--${name} must be one of ${allowed.join(", ")}, got ${JSON.stringify(value)}`);
  return value as T;
};

const run = async (argv: readonly string[], signal: AbortSignal): Promise<number> => {
  const { values, positionals } = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true });
  const [command, ...rest] = positionals;
  if (values.help || command === undefined || command === "help") {
    process.stdout.write(`${USAGE}\n`);
    return command === undefined && !values.help ? 2 : 0;
  }
  const one = (what: string): string => {
    const [value, ...extra] = rest;
    if (value === undefined || extra.length > 0) throw new UsageError(`${command} takes exactly one ${what}`);
    return value;
  };
  const context = (): CliContext => cliContext(process.env, values.json === true, signal);
  switch (command) {
    case "upload": {
      const file = one("file");
      const preset = oneOf<PresetName>("preset", values.preset, PRESET_NAMES);
      if (preset === undefined) throw new UsageError(`upload needs --preset (${PRESET_NAMES.join(", ")})`);
      return uploadCommand(context(), {
        file,
        preset,
        wait: values.wait === true,
        webhookUrl: values["webhook-url"],
      });
    }
    case "status":
      return statusCommand(context(), one("job id"), values.wait === true);
    case "cancel":
      return cancelCommand(context(), one("job id"), values.reason);
    case "record":
      return recordCommand(context(), one("job id"));
    case "download":
      return downloadCommand(context(), one("job id"), values.dir ?? ".");
    case "list": {
      const status = oneOf<JobStatus>("status", values.status, JOB_STATUSES);
      const limit = values.limit === undefined ? 20 : Number(values.limit);
      if (!Number.isInteger(limit) || limit < 1) throw new UsageError("--limit must be a whole number ≥ 1");
      return listCommand(context(), status, limit);
    }
    case "stats":
      return statsCommand(context());
    default:
      throw new UsageError(`unknown command ${JSON.stringify(command)}`);
  }
};

const main = async (): Promise<void> => {
  const stop = new AbortController();
  let interrupts = 0;
  const onSignal = (name: string) => () => {
    interrupts += 1;
    // A second Ctrl-C does not wait for in-flight requests to wind down.
    if (interrupts > 1) process.exit(130);
    stop.abort(new Error(`${name}: interrupted`));
  };
  process.on("SIGINT", onSignal("SIGINT"));
  process.on("SIGTERM", onSignal("SIGTERM"));
  let code: number;
  try {
    code = await run(process.argv.slice(2), stop.signal);
  } catch (error) {
    if (
      error instanceof UsageError ||
      (error instanceof Error && "code" in error && String(error.code).startsWith("ERR_PARSE_ARGS"))
    ) {
      process.stderr.write(`tcoder: ${error.message}\n(tcoder --help for usage)\n`);
      code = 2;
    } else if (error instanceof TcoderError) {
      process.stderr.write(`tcoder: ${error.message} (${error.code}, HTTP ${error.status})\n`);
      code = 1;
    } else if (error instanceof TcoderNetworkError) {
      process.stderr.write(`tcoder: cannot reach the API: ${error.message}\n`);
      code = 1;
    } else if (stop.signal.aborted) {
      code = 130;
    } else {
      throw error;
    }
  }
  process.exit(code);
};

await main();
