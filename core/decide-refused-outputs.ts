// Outputs a worker uploaded for a completion the job store then refused (pure): deleted when the job was cancelled
// meanwhile (the cancel won: nothing may be left behind), kept otherwise. A stale lease or another attempt's
// completion means another worker may own the same keys, so those are never touched.
import type { JobRejection } from "./job-lifecycle/job-rejection.ts";

export type RefusedOutputs = "delete" | "keep";

export const decideRefusedOutputs = (rejection: JobRejection): RefusedOutputs =>
  rejection.code === "already-terminal" && rejection.status === "cancelled" ? "delete" : "keep";
