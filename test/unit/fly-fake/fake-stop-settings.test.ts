// How the fake stops a machine: the stop request's fields, else the machine's stop_config, else Fly's defaults.
import { describe, expect, it } from "vitest";
import { fakeStopSettings, parseFlyDuration } from "../../../shell/fly-fake/fake-stop-settings.ts";

describe("parseFlyDuration", () => {
  it.each([
    ["5s", 5_000],
    ["60s", 60_000],
    ["1m30s", 90_000],
    ["500ms", 500],
    ["1.5s", 1_500],
    ["2h", 7_200_000],
    ["0", 0],
  ])("%s → %i ms", (text, ms) => {
    expect(parseFlyDuration(text)).toBe(ms);
  });

  it.each(["", "60", "5 s", "s", "-5s", "5sec", "1m 30s"])("refuses %j", (text) => {
    expect(parseFlyDuration(text)).toBeNull();
  });
});

describe("fakeStopSettings", () => {
  const configured = { image: "x", stop_config: { signal: "SIGTERM", timeout: "60s" } };

  it.each([
    { given: { body: undefined, config: { image: "x" } }, then: { signal: "SIGINT", timeoutMs: 5_000 } },
    { given: { body: undefined, config: configured }, then: { signal: "SIGTERM", timeoutMs: 60_000 } },
    { given: { body: {}, config: configured }, then: { signal: "SIGTERM", timeoutMs: 60_000 } },
    {
      given: { body: { signal: "SIGQUIT" }, config: configured },
      then: { signal: "SIGQUIT", timeoutMs: 60_000 },
    },
    {
      given: { body: { timeout: "1s" }, config: { image: "x" } },
      then: { signal: "SIGINT", timeoutMs: 1_000 },
    },
  ])("stop request $given.body on $given.config → $then", ({ given, then }) => {
    expect(fakeStopSettings(given.body, given.config)).toEqual({ ok: true, settings: then });
  });

  it("refuses a timeout Fly could not parse", () => {
    expect(fakeStopSettings(undefined, { stop_config: { timeout: "60" } })).toEqual({
      ok: false,
      message: 'invalid stop timeout "60"',
    });
  });
});
