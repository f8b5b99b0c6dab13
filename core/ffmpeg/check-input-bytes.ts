// Refuses an upload by its size alone, before ffprobe is asked: an empty file says so instead of "unreadable".
import { err, ok, type Result } from "neverthrow";
import type { PlanLimits, PlanRejection } from "./check-input.ts";

const formatGiB = (bytes: number): string => `${(bytes / 1024 ** 3).toFixed(2)} GiB`;

export const checkInputBytes = (
  sizeBytes: number,
  limits: Pick<PlanLimits, "maxInputBytes">,
): Result<void, PlanRejection> => {
  if (sizeBytes === 0) return err({ code: "empty-input", message: "the uploaded file is empty (0 bytes)" });
  if (sizeBytes > limits.maxInputBytes) {
    const sizes = `${formatGiB(sizeBytes)}; the limit is ${formatGiB(limits.maxInputBytes)}`;
    return err({ code: "too-large", message: `the input is ${sizes}` });
  }
  return ok(undefined);
};
