// Given / when / then table for transport-retry classification of outside-service failures.
import { describe, expect, it } from "vitest";
import { classifyHttpFailure, parseRetryAfterMs } from "../../../core/classify-http-failure.ts";

const NOW = Date.UTC(2026, 10, 23, 10, 0, 0);

describe("classifyHttpFailure", () => {
  it.each([
    { given: { status: 429, idempotent: false, retryAfter: "2" }, then: { kind: "retry", afterMs: 2000 } },
    { given: { status: 429, idempotent: true }, then: { kind: "retry", afterMs: null } },
    { given: { status: 503, idempotent: true }, then: { kind: "retry", afterMs: null } },
    { given: { status: 500, idempotent: false }, then: { kind: "ambiguous" } },
    { given: { status: 408, idempotent: false }, then: { kind: "ambiguous" } },
    { given: { status: null, idempotent: false }, then: { kind: "ambiguous" } },
    { given: { status: null, idempotent: true }, then: { kind: "retry", afterMs: null } },
    { given: { status: 400, idempotent: false, body: '{"error":"bad image"}' }, then: { kind: "fatal" } },
    { given: { status: 401, idempotent: true }, then: { kind: "fatal" } },
    { given: { status: 404, idempotent: true }, then: { kind: "fatal" } },
    {
      given: {
        status: 412,
        idempotent: false,
        body: '{"error":"insufficient resources available to fulfill request"}',
      },
      then: { kind: "capacity" },
    },
    {
      given: { status: 409, idempotent: false, body: "no capacity in region ord" },
      then: { kind: "capacity" },
    },
    {
      given: { status: 403, idempotent: false, body: "could not reserve resource for machine" },
      then: { kind: "capacity" },
    },
    { given: { status: 403, idempotent: false, body: "unauthorized" }, then: { kind: "fatal" } },
  ] as const)("$given.status $given.body → $then.kind", ({ given, then }) => {
    expect(classifyHttpFailure(given, NOW)).toEqual(then);
  });
});

describe("parseRetryAfterMs", () => {
  it.each([
    [null, null],
    ["", null],
    ["0", 0],
    ["7", 7000],
    ["Mon, 23 Nov 2026 10:00:05 GMT", 5000],
    ["Mon, 23 Nov 2026 09:59:00 GMT", 0],
    ["soon", null],
  ])("%j → %j", (given, then) => {
    expect(parseRetryAfterMs(given, NOW)).toBe(then);
  });
});
