// The worker → control plane callback body (POST /internal/callbacks): one valibot schema both sides share.
import { err, ok, type Result } from "neverthrow";
import * as v from "valibot";
import { type JobOutput, JobOutputSchema } from "../../core/job-output.ts";

const Id = v.pipe(v.string(), v.minLength(1), v.maxLength(128));
const NonNegative = v.pipe(v.number(), v.finite(), v.minValue(0));

/** Fields every report carries: who sends it (the lease that fences it) and what makes it a distinct message. */
const Envelope = {
  jobId: Id,
  /** The claim's fencing token; the control plane applies the transition only under it. */
  leaseToken: Id,
  machineId: Id,
  /** ms since the epoch, the worker's clock when it built this body. */
  sentAt: v.pipe(v.number(), v.integer(), v.minValue(0)),
  /** Random per message, so two identical reports are still distinct messages (and distinct signatures). */
  nonce: v.pipe(v.string(), v.regex(/^[0-9a-f]{16,64}$/, "nonce must be 16–64 hex characters")),
};

export const CallbackErrorSchema = v.object({
  code: v.pipe(v.string(), v.minLength(1), v.maxLength(64)),
  message: v.pipe(v.string(), v.maxLength(4096)),
  retryable: v.boolean(),
});

export const ProgressCallbackSchema = v.object({
  ...Envelope,
  kind: v.literal("progress"),
  percent: v.pipe(v.number(), v.finite(), v.minValue(0), v.maxValue(100)),
});

export const CompletedCallbackSchema = v.object({
  ...Envelope,
  kind: v.literal("completed"),
  outputs: v.pipe(v.array(JobOutputSchema), v.maxLength(100_000)),
  costUsd: NonNegative,
  machineSeconds: NonNegative,
  /** First line of `ffmpeg -version`. */
  ffmpegVersion: v.optional(v.pipe(v.string(), v.maxLength(512))),
  /** The exact argv (after the binary name) of every ffmpeg command the job ran, in order. */
  argv: v.optional(v.array(v.array(v.string()))),
  /** What the job decided about the media, in sentences (e.g. "audio track 1 … could not be decoded; …"). */
  notes: v.optional(v.pipe(v.array(v.pipe(v.string(), v.maxLength(1000))), v.maxLength(50))),
});

export const FailedCallbackSchema = v.object({
  ...Envelope,
  kind: v.literal("failed"),
  error: CallbackErrorSchema,
});

export const CallbackBodySchema = v.variant("kind", [
  ProgressCallbackSchema,
  CompletedCallbackSchema,
  FailedCallbackSchema,
]);

export type CallbackBody = v.InferOutput<typeof CallbackBodySchema>;
export type ProgressCallback = v.InferOutput<typeof ProgressCallbackSchema>;
export type CompletedCallback = v.InferOutput<typeof CompletedCallbackSchema>;
export type FailedCallback = v.InferOutput<typeof FailedCallbackSchema>;
export type CallbackKind = CallbackBody["kind"];

/** Who reports: the job and the lease it runs under. */
export interface CallbackSender {
  readonly jobId: string;
  readonly leaseToken: string;
  readonly machineId: string;
}

/** What is reported, without the envelope. */
export type CallbackReport =
  | { readonly kind: "progress"; readonly percent: number }
  | {
      readonly kind: "completed";
      readonly outputs: readonly JobOutput[];
      readonly costUsd: number;
      readonly machineSeconds: number;
      readonly ffmpegVersion?: string;
      readonly argv?: readonly (readonly string[])[];
      readonly notes?: readonly string[];
    }
  | {
      readonly kind: "failed";
      readonly error: { readonly code: string; readonly message: string; readonly retryable: boolean };
    };

/** Clock and randomness come from the caller, so a body is a pure function of its inputs. */
export interface CallbackStamp {
  readonly sentAt: number;
  readonly nonce: string;
}

/**
 * The JSON text to sign and send. It is checked against the schema the control plane parses with, so a body
 * the control plane would refuse is a bug here (it throws) rather than a 400 there.
 */
export const buildCallbackBody = (
  sender: CallbackSender,
  report: CallbackReport,
  stamp: CallbackStamp,
): string => {
  const body = { ...sender, ...stamp, ...report };
  const parsed = v.safeParse(CallbackBodySchema, body);
  if (!parsed.success) {
    throw new Error(`invalid callback body: ${describeIssue(parsed.issues[0])}`);
  }
  return JSON.stringify(parsed.output);
};

export type CallbackBodyRejection = { readonly code: "invalid-body"; readonly message: string };

/** For the receiving side: the raw request text → a typed body, or a readable reason. */
export const parseCallbackBody = (text: string): Result<CallbackBody, CallbackBodyRejection> => {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return err({ code: "invalid-body", message: "the callback body is not JSON" });
  }
  const parsed = v.safeParse(CallbackBodySchema, json);
  return parsed.success
    ? ok(parsed.output)
    : err({ code: "invalid-body", message: describeIssue(parsed.issues[0]) });
};

/**
 * The machine a callback says it comes from, read before its signature is checked: the key it must be signed with
 * is that machine's own. Null when the text names none (the signature then matches no key).
 */
export const claimedMachineId = (text: string): string | null => {
  try {
    const parsed = v.safeParse(v.object({ machineId: Id }), JSON.parse(text));
    return parsed.success ? parsed.output.machineId : null;
  } catch {
    return null;
  }
};

const describeIssue = (issue: v.BaseIssue<unknown> | undefined): string =>
  issue === undefined ? "invalid" : `${v.getDotPath(issue) ?? "(body)"}: ${issue.message}`;
