// One command end to end: decide, then evolve; what a store adapter runs before persisting the new state.
import type { Result } from "neverthrow";
import type { JobRetryPolicy } from "../decide-job-retry.ts";
import { decideJob } from "./decide-job.ts";
import { foldJobEvents } from "./fold-job-events.ts";
import type { JobCommand } from "./job-commands.ts";
import type { JobEvent } from "./job-events.ts";
import type { JobRejection } from "./job-rejection.ts";
import type { JobState } from "./job-state.ts";

export interface AppliedJobCommand {
  readonly events: readonly JobEvent[];
  readonly state: JobState;
}

export const applyJobCommand = (
  command: JobCommand,
  state: JobState,
  policy: JobRetryPolicy,
): Result<AppliedJobCommand, JobRejection> =>
  decideJob(command, state, policy).map((events) => ({ events, state: foldJobEvents(events, state) }));
