// A running job turned into its split tasks (core/split/split-tasks.ts) in one step: split-job.lua.
import type { ResultAsync } from "neverthrow";
import * as v from "valibot";
import type { Job } from "../../core/job-lifecycle/job-state.ts";
import type { SplitPlan } from "../../core/split/split-tasks.ts";
import { LUA_SCRIPTS } from "./generated/lua-scripts.ts";
import { encodeJob, encodeMeta } from "./job-record.ts";
import type { JobStoreError } from "./job-store.ts";
import type { RedisKeys } from "./key-schema.ts";
import { parseScriptReply } from "./parse-script-reply.ts";
import type { ScriptRunner } from "./script-runner.ts";

export type SplitOutcome =
  | { readonly kind: "split" }
  /** The job is no longer running under the caller's lease (cancelled, swept): nothing was written. */
  | { readonly kind: "fenced-out"; readonly status: string };

const Reply = v.union([v.tuple([v.picklist([1, 2])]), v.tuple([v.literal(-1), v.string()])]);

export const splitJob = (
  runner: ScriptRunner,
  keys: RedisKeys,
  parent: Job,
  plan: SplitPlan,
): ResultAsync<SplitOutcome, JobStoreError> => {
  if (parent.leaseToken === null) throw new Error(`job ${parent.jobId} is split without a lease`);
  const records = plan.tasks.flatMap(({ job, task, pendingScore }) => {
    const fields = [
      ...encodeJob(job),
      ...encodeMeta({ webhookUrl: null, filename: null, parent: parent.jobId, task }),
    ];
    return [job.jobId, pendingScore ?? "", fields.length, ...fields];
  });
  return runner
    .run(
      LUA_SCRIPTS.splitJob,
      [keys.jobStatus(parent.jobId), keys.jobsPending, keys.jobsActive],
      [
        parent.jobId,
        parent.leaseToken,
        keys.jobStatusPrefix,
        plan.stitchId,
        plan.mustComplete,
        plan.tasks.length,
        ...records,
      ],
    )
    .andThen((reply) => parseScriptReply("split-job", Reply, reply))
    .map(
      (reply): SplitOutcome =>
        reply[0] === -1 ? { kind: "fenced-out", status: reply[1] } : { kind: "split" },
    );
};
