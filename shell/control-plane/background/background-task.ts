// Work a request leaves for after its response (a spawn, a client webhook), and the queue message that carries it.
import * as v from "valibot";

export type BackgroundTask =
  /** Run admission and start the machines it admits. */
  | { readonly kind: "spawn" }
  /** Send a finished job's webhook; `origin` is the request's, for the URLs in the job view. */
  | { readonly kind: "webhook"; readonly jobId: string; readonly origin: string };

const TAG = "background-task";

const TaskSchema = v.variant("kind", [
  v.object({ kind: v.literal("spawn") }),
  v.object({ kind: v.literal("webhook"), jobId: v.pipe(v.string(), v.nonEmpty()), origin: v.string() }),
]);
// Tagged, so the consumer tells it from R2's event notifications, which share the queue.
const TaggedSchema = v.looseObject({ tcoder: v.literal(TAG) });
const MessageSchema = v.object({ tcoder: v.literal(TAG), task: TaskSchema });

export const backgroundTaskMessage = (task: BackgroundTask) => ({ tcoder: TAG, task });

export type ReadTaskMessage =
  | { readonly kind: "task"; readonly task: BackgroundTask }
  /** Ours, but not a task this version knows: redelivering cannot fix it. */
  | { readonly kind: "malformed"; readonly message: string }
  /** Not a background task (an R2 event notification). */
  | { readonly kind: "not-ours" };

export const readBackgroundTaskMessage = (body: unknown): ReadTaskMessage => {
  if (!v.is(TaggedSchema, body)) return { kind: "not-ours" };
  const parsed = v.safeParse(MessageSchema, body);
  return parsed.success
    ? { kind: "task", task: parsed.output.task }
    : { kind: "malformed", message: v.summarize(parsed.issues) };
};
