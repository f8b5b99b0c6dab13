// Client webhooks: when one is sent, what settles the outbox, when an owed one is given up, and its stable id.
import { describe, expect, it } from "vitest";
import {
  decideOwedWebhook,
  decideWebhookSend,
  settlesOutbox,
  type WebhookOutcome,
  webhookEventIdentity,
} from "../../../core/decide-webhook-delivery.ts";

describe("decideWebhookSend", () => {
  it.each([
    [{ webhookUrl: null, status: "completed", secret: "s" }, "no-webhook"],
    [{ webhookUrl: "https://a.example/h", status: "running", secret: "s" }, "not-terminal"],
    [{ webhookUrl: "https://a.example/h", status: "failed", secret: null }, "not-configured"],
    [{ webhookUrl: "https://a.example/h", status: "cancelled", secret: "s" }, "send"],
  ] as const)("%o → %s", (facts, expected) => {
    const decision = decideWebhookSend(facts);
    expect(decision.kind === "send" ? "send" : decision.reason).toBe(expected);
  });

  it("hands back the URL and secret it checked", () => {
    expect(decideWebhookSend({ webhookUrl: "https://a.example/h", status: "completed", secret: 7 })).toEqual({
      kind: "send",
      webhookUrl: "https://a.example/h",
      secret: 7,
    });
  });
});

describe("settlesOutbox", () => {
  it.each<[WebhookOutcome, boolean]>([
    [{ kind: "delivered", attempts: 1, status: 204 }, true],
    [{ kind: "failed", attempts: 3, message: "HTTP 410", final: true }, true],
    [{ kind: "failed", attempts: 3, message: "HTTP 503", final: false }, false],
    [{ kind: "skipped", reason: "already-sent" }, false],
    [{ kind: "skipped", reason: "no-webhook" }, true],
    [{ kind: "skipped", reason: "not-configured" }, true],
  ])("%o settles: %s", (outcome, settles) => {
    expect(settlesOutbox(outcome)).toBe(settles);
  });
});

describe("decideOwedWebhook", () => {
  const day = 86_400_000;
  it.each([
    [0, day - 1, "attempt"],
    [0, day, "attempt"],
    [0, day + 1, "give-up"],
  ] as const)("finished at %d, now %d → %s", (finishedAt, now, expected) => {
    expect(decideOwedWebhook(finishedAt, now, day)).toBe(expected);
  });
});

describe("webhookEventIdentity", () => {
  it("is one id per job outcome, stable across resends", () => {
    const job = { jobId: "j_1", status: "completed", finishedAt: 1_700_000_000_000 } as const;
    expect(webhookEventIdentity(job)).toEqual({
      id: "evt_j_1_completed_1700000000000",
      type: "job.completed",
    });
    expect(webhookEventIdentity({ ...job, status: "failed" }).id).not.toBe(webhookEventIdentity(job).id);
  });
});
