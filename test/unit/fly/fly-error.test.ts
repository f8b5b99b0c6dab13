// Given / when / then table: how an HTTP outcome of a Fly call becomes a FlyError.
import { describe, expect, it } from "vitest";
import { DEFAULT_RATE_LIMIT_WAIT_MS, describeFlyError, toFlyError } from "../../../shell/fly/fly-error.ts";

const NOW = Date.UTC(2026, 10, 23, 10, 0, 0);
const body = (error: string, status?: string) => JSON.stringify(status ? { error, status } : { error });

describe("toFlyError", () => {
  it.each([
    {
      given: {
        status: 412,
        body: body("could not reserve resource for machine: insufficient memory available"),
      },
      then: {
        kind: "capacity",
        message: "could not reserve resource for machine: insufficient memory available",
      },
    },
    {
      given: { status: 409, body: body("machine creation failed", "insufficient_capacity") },
      then: { kind: "capacity", message: "machine creation failed" },
    },
    {
      given: { status: 412, body: body("failed_precondition: unable to destroy machine") },
      then: { kind: "rejected", status: 412, message: "failed_precondition: unable to destroy machine" },
    },
    { given: { status: 429, body: "", retryAfter: "3" }, then: { kind: "rate-limited", retryAfterMs: 3000 } },
    {
      given: { status: 429, body: "", retryAfter: "Mon, 23 Nov 2026 10:00:05 GMT" },
      then: { kind: "rate-limited", retryAfterMs: 5000 },
    },
    {
      given: { status: 429, body: "" },
      then: { kind: "rate-limited", retryAfterMs: DEFAULT_RATE_LIMIT_WAIT_MS },
    },
    {
      given: { status: 503, body: "upstream connect error" },
      then: { kind: "unavailable", message: "upstream connect error" },
    },
    { given: { status: 408, body: "" }, then: { kind: "unavailable", message: "HTTP 408" } },
    {
      given: { status: null, body: "TimeoutError: aborted" },
      then: { kind: "unavailable", message: "TimeoutError: aborted" },
    },
    { given: { status: null, body: "" }, then: { kind: "unavailable", message: "no response" } },
    {
      given: { status: 401, body: body("token validation error") },
      then: { kind: "rejected", status: 401, message: "token validation error" },
    },
    {
      given: { status: 404, body: body("machine not found"), machineScoped: true },
      then: { kind: "not-found" },
    },
    {
      given: { status: 404, body: body("app not found"), machineScoped: false },
      then: { kind: "rejected", status: 404, message: "app not found" },
    },
  ])("$given.status $given.body → $then.kind", ({ given, then }) => {
    const outcome = { status: given.status, body: given.body, retryAfter: given.retryAfter ?? null };
    expect(toFlyError(outcome, given.machineScoped ?? false, NOW)).toEqual(then);
  });
});

describe("describeFlyError", () => {
  it.each([
    [{ kind: "capacity", message: "full" }, "capacity: full"],
    [{ kind: "rejected", status: 401, message: "no" }, "rejected (401): no"],
    [{ kind: "rate-limited", retryAfterMs: 5 }, "rate-limited: retry after 5 ms"],
    [{ kind: "not-found" }, "not-found"],
  ] as const)("%j → %s", (given, then) => {
    expect(describeFlyError(given)).toBe(then);
  });
});
