// CLI: serves Upstash's REST protocol in front of REDIS_URL. Run with `npx bun shell/upstash-bridge/main.ts`.
import * as v from "valibot";
import { redactRedisUrl, startUpstashBridge } from "./start-upstash-bridge.ts";

const RedisUrlSchema = v.pipe(
  v.string(),
  v.check((value) => {
    try {
      return ["redis:", "rediss:"].includes(new URL(value).protocol);
    } catch {
      return false;
    }
  }, "REDIS_URL must be a redis:// or rediss:// URL"),
);

const PortSchema = v.pipe(
  v.string(),
  v.regex(/^\d{1,5}$/, "BRIDGE_PORT must be a port number"),
  v.transform(Number),
  v.maxValue(65_535, "BRIDGE_PORT must be at most 65535"),
);

const EnvSchema = v.object({
  REDIS_URL: RedisUrlSchema,
  UPSTASH_TOKEN: v.pipe(v.string(), v.nonEmpty("UPSTASH_TOKEN must not be empty")),
  BRIDGE_PORT: v.optional(PortSchema, "8079"),
  BRIDGE_HOST: v.optional(v.pipe(v.string(), v.nonEmpty()), "127.0.0.1"),
});

async function main(): Promise<void> {
  const parsed = v.safeParse(EnvSchema, process.env);
  if (!parsed.success) {
    const problems = parsed.issues.map((issue) => issue.message).join("; ");
    throw new Error(`upstash-bridge: invalid environment: ${problems}`);
  }
  const env = parsed.output;
  const bridge = await startUpstashBridge({
    redisUrl: env.REDIS_URL,
    token: env.UPSTASH_TOKEN,
    port: env.BRIDGE_PORT,
    host: env.BRIDGE_HOST,
  });
  console.log(`upstash-bridge: listening on ${bridge.url}, forwarding to ${redactRedisUrl(env.REDIS_URL)}`);

  const stop = () => {
    bridge.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
