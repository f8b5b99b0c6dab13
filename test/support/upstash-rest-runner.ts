// A ScriptRunner that reaches the shared redis-server the way production does: @upstash/redis over the REST bridge.
import { randomBytes } from "node:crypto";
import type { ScriptRunner } from "../../shell/redis/script-runner.ts";
import { upstashClient, upstashScriptRunner } from "../../shell/redis/upstash-script-runner.ts";
import { startUpstashBridge, type UpstashBridge } from "../../shell/upstash-bridge/start-upstash-bridge.ts";

export interface RestRunner {
  readonly runner: ScriptRunner;
  readonly url: string;
  readonly token: string;
  /** The bridge itself, for its faults and latency. */
  readonly bridge: UpstashBridge;
  close(): Promise<void>;
}

export const startRestRunner = async (redisUrl: string): Promise<RestRunner> => {
  const token = randomBytes(16).toString("hex");
  const bridge = await startUpstashBridge({ redisUrl, token, port: 0 });
  const client = upstashClient({ url: bridge.url, token, timeoutMs: 10_000 });
  return {
    runner: upstashScriptRunner(client),
    url: bridge.url,
    token,
    bridge,
    close: () => bridge.close(),
  };
};
