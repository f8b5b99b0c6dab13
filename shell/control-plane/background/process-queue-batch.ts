// The Worker's queue consumer: background tasks handed off by requests and R2's event notifications share the one
// queue; tasks run here (acked when done, retried if running them threw), events go to the intake's batch.
import { eventRetryDelaySeconds } from "../../../core/decide-event-retry.ts";
import type { ControlPlaneDeps } from "../config/control-plane-deps.ts";
import { type EventMessage, processEventBatch } from "../intake/process-event-batch.ts";
import { type BackgroundTask, readBackgroundTaskMessage } from "./background-task.ts";
import { runBackgroundTasks } from "./run-background-tasks.ts";

export const processQueueBatch = async (
  deps: ControlPlaneDeps,
  messages: readonly EventMessage[],
): Promise<void> => {
  const taskMessages: EventMessage[] = [];
  const tasks: BackgroundTask[] = [];
  const events: EventMessage[] = [];
  for (const message of messages) {
    const read = readBackgroundTaskMessage(message.body);
    if (read.kind === "not-ours") events.push(message);
    else if (read.kind === "task") {
      taskMessages.push(message);
      tasks.push(read.task);
    } else {
      message.ack();
      deps.log.warn("background.malformed-task", { messageId: message.id, message: read.message });
    }
  }
  await Promise.all([
    tasks.length > 0 ? runTasks(deps, taskMessages, tasks) : null,
    events.length > 0 ? processEventBatch(deps, events) : null,
  ]);
};

const runTasks = async (
  deps: ControlPlaneDeps,
  messages: readonly EventMessage[],
  tasks: readonly BackgroundTask[],
): Promise<void> => {
  try {
    // Spawns and webhooks report their own failures (and the cron and the outbox catch up): done is done.
    await runBackgroundTasks(deps, tasks);
    for (const message of messages) message.ack();
  } catch (error) {
    deps.log.error("background.failed", { message: error instanceof Error ? error.message : String(error) });
    for (const message of messages) message.retry({ delaySeconds: eventRetryDelaySeconds(message.attempts) });
  }
};
