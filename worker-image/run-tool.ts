// Runs ffmpeg or ffprobe as a child process with Bun.spawn: stdout handed over as it arrives, the last lines of
// stderr kept, and a hard time limit (SIGTERM, then SIGKILL after a grace period).
import type { OnRun } from "../core/job-record.ts";

export interface ToolRunOptions {
  /** Stop the process past this many ms. */
  readonly timeLimitMs: number;
  /** How long SIGTERM gets before SIGKILL. */
  readonly killGraceMs: number;
  /** The grace when `signal` stopped it, asked at that moment (a cancelled job's output needs no clean close). */
  readonly abortGraceMs?: () => number | undefined;
  /** Stops the process early (worker stopping, lease lost). */
  readonly signal?: AbortSignal;
  /** Decoded stdout, chunk by chunk. */
  readonly onStdout?: (text: string) => void;
  /** Lines of stderr to keep (the last ones). */
  readonly stderrLines?: number;
  /** Records the run for the job's record (what it ran, how long, how it ended). */
  readonly record?: RunRecording;
}

/** Where a job's runs are recorded, and what this run was for ("probe", "transcode", "quality", …). */
export interface RunRecording {
  readonly purpose: string;
  readonly onRun: OnRun;
}

export type StopCause = "time-limit" | "aborted";

export interface ToolRun {
  /** Null when a signal ended the process. */
  readonly exitCode: number | null;
  readonly signalCode: string | null;
  /** Why we stopped it, if we did. */
  readonly stoppedBy: StopCause | null;
  readonly stderrTail: readonly string[];
}

export type ToolSpawnError = { readonly kind: "spawn-failed"; readonly message: string };

const MAX_PARTIAL_LINE = 4096;

/** Keeps the last `limit` lines of a text stream, with a bounded unfinished line. */
const tailKeeper = (limit: number) => {
  const lines: string[] = [];
  let partial = "";
  const push = (line: string) => {
    const trimmed = line.replace(/\r$/, "");
    if (trimmed === "") return;
    lines.push(trimmed);
    if (lines.length > limit) lines.shift();
  };
  return {
    write(text: string) {
      const parts = (partial + text).split("\n");
      partial = (parts.pop() ?? "").slice(-MAX_PARTIAL_LINE);
      for (const part of parts) push(part);
    },
    lines(): string[] {
      push(partial);
      partial = "";
      return lines;
    },
  };
};

const drain = async (stream: ReadableStream<Uint8Array>, onText: (text: string) => void): Promise<void> => {
  const decoder = new TextDecoder();
  for await (const chunk of stream) onText(decoder.decode(chunk, { stream: true }));
  const last = decoder.decode();
  if (last !== "") onText(last);
};

export const describeExit = (run: ToolRun): string =>
  run.exitCode !== null
    ? `exited with code ${run.exitCode}`
    : `was killed by ${run.signalCode ?? "a signal"}`;

export const runTool = async (
  argv: readonly string[],
  options: ToolRunOptions,
): Promise<{ ok: true; run: ToolRun } | { ok: false; error: ToolSpawnError }> => {
  let child: ReturnType<typeof Bun.spawn<"ignore", "pipe", "pipe">>;
  try {
    child = Bun.spawn([...argv], { stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { ok: false, error: { kind: "spawn-failed", message: `cannot start ${argv[0]}: ${message}` } };
  }
  const stderr = tailKeeper(options.stderrLines ?? 20);
  const startedAt = Date.now();
  let stoppedBy: StopCause | null = null;
  let killTimer: ReturnType<typeof setTimeout> | undefined;
  const stop = (cause: StopCause) => {
    if (stoppedBy !== null || child.exitCode !== null) return;
    stoppedBy = cause;
    child.kill("SIGTERM");
    const graceMs =
      cause === "aborted" ? (options.abortGraceMs?.() ?? options.killGraceMs) : options.killGraceMs;
    killTimer = setTimeout(() => child.kill("SIGKILL"), graceMs);
  };
  const limitTimer = setTimeout(() => stop("time-limit"), options.timeLimitMs);
  const onAbort = () => stop("aborted");
  if (options.signal?.aborted) onAbort();
  options.signal?.addEventListener("abort", onAbort, { once: true });
  try {
    await Promise.all([
      drain(child.stdout, options.onStdout ?? (() => undefined)),
      drain(child.stderr, (text) => stderr.write(text)),
      child.exited,
    ]);
  } finally {
    clearTimeout(limitTimer);
    if (killTimer !== undefined) clearTimeout(killTimer);
    options.signal?.removeEventListener("abort", onAbort);
  }
  options.record?.onRun({
    tool: /ffprobe[^/]*$/.test(argv[0] ?? "") ? "ffprobe" : "ffmpeg",
    purpose: options.record.purpose,
    argv: argv.slice(1),
    wallMs: Date.now() - startedAt,
    exitCode: child.exitCode,
  });
  return {
    ok: true,
    run: {
      exitCode: child.exitCode,
      signalCode: child.signalCode === null ? null : String(child.signalCode),
      stoppedBy,
      stderrTail: stderr.lines(),
    },
  };
};
