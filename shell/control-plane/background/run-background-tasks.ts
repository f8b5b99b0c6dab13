// Runs background tasks where no 30 s limit cuts them (the queue consumer, the Node/Bun server): one admission for
// all the spawns asked for, and each webhook with its full retries.
import type { ControlPlaneDeps } from "../config/control-plane-deps.ts";
import { admitAndSpawn } from "../machines/admit-and-spawn.ts";
import { backgroundView } from "../views/render-job-view.ts";
import { notifyJobOutcome } from "../webhooks/deliver-webhook.ts";
import type { BackgroundTask } from "./background-task.ts";

export const runBackgroundTasks = async (
  deps: ControlPlaneDeps,
  tasks: readonly BackgroundTask[],
): Promise<void> => {
  // Admission is atomic and counts every pending job: one run serves every request for it.
  const spawn = tasks.some((task) => task.kind === "spawn") ? admitAndSpawn(deps) : null;
  const webhooks = tasks.flatMap((task) =>
    task.kind === "webhook"
      ? [notifyJobOutcome(deps, task.jobId, { ...backgroundView(deps), origin: task.origin })]
      : [],
  );
  await Promise.all([spawn, ...webhooks]);
};
