// Settings of the Fly Machines adapter, checked once when it is built; bad settings throw.
import * as v from "valibot";

export const FLY_API_BASE_URL = "https://api.machines.dev/v1";

export interface FlyRetry {
  readonly retries: number;
  readonly minTimeoutMs: number;
  readonly maxTimeoutMs: number;
  /** A Retry-After longer than this ends the call with `rate-limited` instead of waiting inside it. */
  readonly maxRetryAfterMs: number;
}

export interface FlyConfig {
  readonly baseUrl: string;
  readonly appName: string;
  readonly token: string;
  /** Per HTTP request; a wait adds its own timeout on top. */
  readonly requestTimeoutMs: number;
  readonly retry: FlyRetry;
  /** Clock for Retry-After dates (ms epoch). */
  readonly now: () => number;
}

const count = (min: number) => v.pipe(v.number(), v.integer(), v.minValue(min));

const FlyConfigSchema = v.object({
  baseUrl: v.optional(v.pipe(v.string(), v.url()), FLY_API_BASE_URL),
  appName: v.pipe(
    v.string(),
    v.regex(/^[a-z0-9][a-z0-9-]{0,62}$/, "a Fly app name: lowercase letters, digits, dashes"),
  ),
  token: v.pipe(v.string(), v.trim(), v.nonEmpty("the Fly token must not be empty")),
  requestTimeoutMs: v.optional(count(1), 30_000),
  retry: v.optional(
    v.object({
      retries: v.optional(count(0), 4),
      minTimeoutMs: v.optional(count(0), 500),
      maxTimeoutMs: v.optional(count(0), 8_000),
      maxRetryAfterMs: v.optional(count(0), 10_000),
    }),
    {},
  ),
  now: v.custom<() => number>((value) => typeof value === "function", "now must be a function"),
});

export type FlyConfigInput = v.InferInput<typeof FlyConfigSchema>;

export const parseFlyConfig = (input: FlyConfigInput): FlyConfig => {
  const parsed = v.safeParse(FlyConfigSchema, input);
  if (!parsed.success) throw new Error(`invalid Fly config: ${v.summarize(parsed.issues)}`);
  return { ...parsed.output, baseUrl: parsed.output.baseUrl.replace(/\/+$/, "") };
};
