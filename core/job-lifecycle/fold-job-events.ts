// Rebuilds a job's state from its events, in order (replay and tests).
import { evolveJob } from "./evolve-job.ts";
import type { JobEvent } from "./job-events.ts";
import { initialJobState, type JobState } from "./job-state.ts";

export const foldJobEvents = (events: readonly JobEvent[], from: JobState = initialJobState): JobState =>
  events.reduce(evolveJob, from);
