// What every command gets: the SDK client (TCODER_URL, TCODER_API_KEY), where to write, and whether to speak JSON.
import { createClient, type TcoderClient } from "../sdk/index.ts";
import { type ProgressDisplay, progressDisplay } from "./progress-display.ts";

export const DEFAULT_URL = "http://localhost:8787";

export interface CliContext {
  readonly client: TcoderClient;
  readonly env: NodeJS.ProcessEnv;
  readonly json: boolean;
  readonly display: ProgressDisplay;
  /** Aborted on Ctrl-C (SIGINT) or SIGTERM. */
  readonly signal: AbortSignal;
  out(text: string): void;
  err(text: string): void;
}

/** A mistake in how the CLI was called: exit code 2 and the usage hint. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

export const cliContext = (env: NodeJS.ProcessEnv, json: boolean, signal: AbortSignal): CliContext => {
  const apiKey = env.TCODER_API_KEY;
  if (!apiKey)
    throw new UsageError(`set TCODER_API_KEY to your API key (and TCODER_URL, default ${DEFAULT_URL})`);
  return {
    client: createClient({ baseUrl: env.TCODER_URL || DEFAULT_URL, apiKey }),
    env,
    json,
    display: progressDisplay(process.stderr, !json),
    signal,
    out: (text) => void process.stdout.write(`${text}\n`),
    err: (text) => void process.stderr.write(`${text}\n`),
  };
};
