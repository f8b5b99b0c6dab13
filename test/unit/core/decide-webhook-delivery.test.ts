// Client webhooks: when one is sent, what settles the outbox, when an owed one is retried or given up, its stable id.
import { describe, expect, it } from "vitest";
import {
  decideOwedWebhook,
  decideWebhookSend,
  owedWebhookRetryDelay,
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
    [{ firstOwedAt: 0, failedAttempts: 1 }, day - 1, "attempt"],
    [{ firstOwedAt: 0, failedAttempts: 1 }, day, "attempt"],
    [{ firstOwedAt: 0, failedAttempts: 1 }, day + 1, "give-up"],
    [{ firstOwedAt: 0, failedAttempts: 9 }, 2 * day, "give-up"],
    // Never dropped before the outbox tried it once, however long it waited (a backlog, the cron down for days).
    [{ firstOwedAt: 0, failedAttempts: 0 }, 2 * day, "attempt"],
  ] as const)("%o at %d → %s", (entry, now, expected) => {
    expect(decideOwedWebhook(entry, now, { giveUpAfterMs: day })).toBe(expected);
  });
});

describe("owedWebhookRetryDelay", () => {
  const policy = { backoffMs: 60_000, maxBackoffMs: 3_600_000 };
  it.each([
    // failed attempts, jitter → delay: half the step at jitter 0, (almost) all of it at jitter → 1
    [1, 0, 30_000],
    [1, 0.5, 45_000],
    [1, 0.999_999, 59_999],
    [2, 0, 60_000],
    [3, 0, 120_000],
    [6, 0, 960_000],
    [7, 0, 1_800_000],
    [8, 0, 1_800_000],
    [8, 0.999_999, 3_599_998],
    [1000, 0, 1_800_000],
    // Out-of-range inputs are clamped: the first wait, a jitter within [0, 1].
    [0, 0, 30_000],
    [1, -1, 30_000],
    [1, 2, 60_000],
  ] as const)("after failure %d with jitter %d → %d ms", (failed, jitter, delay) => {
    expect(owedWebhookRetryDelay(failed, jitter, policy)).toBe(delay);
  });

  it("never shrinks from one failure to the next at the same jitter", () => {
    for (const jitter of [0, 0.3, 0.9]) {
      const delays = Array.from({ length: 12 }, (_, i) => owedWebhookRetryDelay(i + 1, jitter, policy));
      expect(delays).toEqual([...delays].sort((a, b) => a - b));
    }
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
