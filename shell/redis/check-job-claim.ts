// Typed wrapper of check-job-claim.lua: does a worker's claim on a job still stand (cancelled, swept, gone)?
import type { ResultAsync } from "neverthrow";
import * as v from "valibot";
import { LUA_SCRIPTS } from "./generated/lua-scripts.ts";
import type { RedisKeys } from "./key-schema.ts";
import { parseScriptReply, type UnexpectedReply } from "./parse-script-reply.ts";
import type { RedisFailure, ScriptRunner } from "./script-runner.ts";

export type ClaimCheck =
  | { readonly held: true }
  /** `status`: the job's status now, or null when the job no longer exists. */
  | { readonly held: false; readonly status: string | null };

const Reply = v.union([v.tuple([v.literal(1)]), v.tuple([v.literal(0), v.string()])]);

export const checkJobClaim = (
  runner: ScriptRunner,
  keys: RedisKeys,
  claim: { readonly jobId: string; readonly leaseToken: string },
): ResultAsync<ClaimCheck, RedisFailure | UnexpectedReply> => {
  const script = LUA_SCRIPTS.checkJobClaim;
  return runner
    .run(script, [keys.jobStatus(claim.jobId)], [claim.leaseToken])
    .andThen((reply) => parseScriptReply(script.name, Reply, reply))
    .map(
      (reply): ClaimCheck => (reply[0] === 1 ? { held: true } : { held: false, status: reply[1] || null }),
    );
};
