// How Fly stops a machine: the stop request's signal and timeout, else the machine's `stop_config`, else Fly's
// defaults (SIGINT, then SIGKILL 5 s later); durations in Go's syntax ("5s", "1m30s", "500ms").
import * as v from "valibot";

export interface FakeStopSettings {
  readonly signal: string;
  readonly timeoutMs: number;
}

export const FLY_DEFAULT_STOP: FakeStopSettings = { signal: "SIGINT", timeoutMs: 5_000 };

const UNIT_MS: Readonly<Record<string, number>> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  μs: 1e-3,
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
};
const PART = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/y;

/** Go's time.ParseDuration, without the sign (a stop timeout is never negative); null when malformed. */
export const parseFlyDuration = (text: string): number | null => {
  if (text === "0") return 0;
  if (text === "") return null;
  PART.lastIndex = 0;
  let total = 0;
  while (PART.lastIndex < text.length) {
    const match = PART.exec(text);
    if (match === null) return null;
    total += Number(match[1]) * (UNIT_MS[match[2] ?? ""] ?? Number.NaN);
  }
  return Number.isFinite(total) ? total : null;
};

// Both already checked against the spec (StopRequest, fly.StopConfig); only the duration syntax is left.
const StopFieldsSchema = v.object({ signal: v.optional(v.string()), timeout: v.optional(v.string()) });
const ConfigSchema = v.object({ stop_config: v.optional(StopFieldsSchema) });

export type StopSettingsResult =
  | { readonly ok: true; readonly settings: FakeStopSettings }
  | { readonly ok: false; readonly message: string };

/** The request's fields win over the machine's stop_config, which wins over Fly's defaults. */
export const fakeStopSettings = (requestBody: unknown, config: unknown): StopSettingsResult => {
  const request = v.safeParse(StopFieldsSchema, requestBody ?? {});
  const machine = v.safeParse(ConfigSchema, config);
  const asked = request.success ? request.output : {};
  const configured = machine.success ? (machine.output.stop_config ?? {}) : {};
  const timeout = asked.timeout ?? configured.timeout;
  const timeoutMs = timeout === undefined ? FLY_DEFAULT_STOP.timeoutMs : parseFlyDuration(timeout);
  if (timeoutMs === null) return { ok: false, message: `invalid stop timeout ${JSON.stringify(timeout)}` };
  return {
    ok: true,
    settings: { signal: asked.signal ?? configured.signal ?? FLY_DEFAULT_STOP.signal, timeoutMs },
  };
};
