// Turns an R2 event notification (a queue message body) into an upload confirmation, or says why it is ignored.
import { err, ok, type Result } from "neverthrow";
import * as v from "valibot";
import { jobIdFromInputKey } from "./safe-input-key.ts";

const CREATE_ACTIONS = ["PutObject", "CopyObject", "CompleteMultipartUpload"] as const;

export const R2EventSchema = v.object({
  account: v.string(),
  action: v.string(),
  bucket: v.pipe(v.string(), v.minLength(1)),
  object: v.object({
    key: v.pipe(v.string(), v.minLength(1), v.maxLength(1024)),
    size: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0))),
    eTag: v.optional(v.string()),
  }),
  eventTime: v.pipe(v.string(), v.isoTimestamp()),
  copySource: v.optional(v.object({ bucket: v.string(), object: v.string() })),
});

export type R2Event = v.InferOutput<typeof R2EventSchema>;

export type R2EventOutcome =
  | {
      readonly kind: "upload-confirmed";
      readonly jobId: string;
      readonly key: string;
      readonly size: number;
      readonly eTag: string | null;
      /** Event time, ms since the epoch. */
      readonly at: number;
    }
  | { readonly kind: "ignored"; readonly reason: "not-a-create" | "other-bucket" | "not-an-input-key" };

export type R2EventRejection = { readonly code: "invalid-event"; readonly message: string };

/** Validates one message body; a malformed body is an error (retrying will not fix it), the rest are outcomes. */
export const parseR2Event = (
  body: unknown,
  inputBucket: string,
): Result<R2EventOutcome, R2EventRejection> => {
  const parsed = v.safeParse(R2EventSchema, body);
  if (!parsed.success) {
    const issue = parsed.issues[0];
    const where = issue ? v.getDotPath(issue) : null;
    return err({
      code: "invalid-event",
      message: `${where ? `${where}: ` : ""}${issue?.message ?? "invalid"}`,
    });
  }
  const event = parsed.output;
  if (!(CREATE_ACTIONS as readonly string[]).includes(event.action))
    return ok({ kind: "ignored", reason: "not-a-create" });
  if (event.bucket !== inputBucket) return ok({ kind: "ignored", reason: "other-bucket" });
  const jobId = jobIdFromInputKey(event.object.key);
  if (jobId === null) return ok({ kind: "ignored", reason: "not-an-input-key" });
  return ok({
    kind: "upload-confirmed",
    jobId,
    key: event.object.key,
    size: event.object.size ?? 0,
    eTag: event.object.eTag ?? null,
    at: Date.parse(event.eventTime),
  });
};
