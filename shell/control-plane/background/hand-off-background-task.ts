// After the response, a spawn or a webhook is handed to the queue where the runtime has one (the Worker), else run
// here (the Node/Bun server, which tracks it to the end). Cloudflare cuts waitUntil work 30 s after the response,
// and a spawn (Fly create, retries, look-ups) or a webhook with its retries and backoff can take longer; a queue
// consumer has minutes. So the Worker's waitUntil only carries the send, a few milliseconds.
import type { ControlPlaneDeps } from "../config/control-plane-deps.ts";
import { type BackgroundTask, backgroundTaskMessage } from "./background-task.ts";
import { runBackgroundTasks } from "./run-background-tasks.ts";

export const handOffBackgroundTask = async (deps: ControlPlaneDeps, task: BackgroundTask): Promise<void> => {
  const queue = deps.eventQueue;
  if (queue === null) return runBackgroundTasks(deps, [task]);
  try {
    await queue.send(backgroundTaskMessage(task));
  } catch (error) {
    // Nothing is lost: the cron runs admission every minute, and a finished job's webhook stays in the outbox
    // (written by the commit that finished it) until the cron's send settles it.
    deps.log.warn("background.queue-send-failed", {
      task: task.kind,
      message: error instanceof Error ? error.message : String(error),
    });
  }
};
