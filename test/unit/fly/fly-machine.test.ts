// Reading Fly's Machine replies: the fields used, the tag, the exit code from the newest exit event.
import { describe, expect, it } from "vitest";
import { FlyMachineSchema, readFlyReply } from "../../../shell/fly/fly-machine.ts";

const exit = (code: number, timestamp: number) => ({
  type: "exit",
  status: "stopped",
  timestamp,
  request: { exit_event: { exit_code: code } },
});

describe("readFlyReply(FlyMachineSchema)", () => {
  it("maps the wire machine to FlyMachine", () => {
    const wire = {
      id: "f1",
      name: "w",
      state: "stopped",
      region: "ord",
      instance_id: "01V",
      created_at: "2026-11-23T10:00:00Z",
      config: { image: "img", metadata: { tcoder_tag: "t1", other: "x" }, env: { A: "1" } },
      events: [exit(3, 20), { type: "start", status: "started", timestamp: 10 }],
      private_ip: "fdaa::1",
    };
    expect(readFlyReply(FlyMachineSchema, wire, "get")._unsafeUnwrap()).toEqual({
      id: "f1",
      name: "w",
      state: "stopped",
      region: "ord",
      instanceId: "01V",
      image: "img",
      metadata: { tcoder_tag: "t1", other: "x" },
      tag: "t1",
      exitCode: 3,
      createdAt: "2026-11-23T10:00:00Z",
    });
  });

  it.each([
    { given: [], then: null },
    { given: [{ type: "start", timestamp: 1 }], then: null },
    { given: [exit(1, 10), exit(0, 30)], then: 0 },
    { given: [exit(0, 30), exit(1, 10)], then: 0 },
    { given: [{ type: "exit", timestamp: 40, request: { other: 1 } }, exit(7, 10)], then: 7 },
  ])("exit code from events $given → $then", ({ given, then }) => {
    const machine = readFlyReply(FlyMachineSchema, { id: "f1", state: "stopped", events: given }, "get");
    expect(machine._unsafeUnwrap().exitCode).toBe(then);
  });

  it("has no tag and no metadata when the config has none", () => {
    const machine = readFlyReply(
      FlyMachineSchema,
      { id: "f1", state: "started", config: { metadata: null } },
      "get",
    );
    expect(machine._unsafeUnwrap()).toMatchObject({ tag: null, metadata: {}, instanceId: null, image: null });
  });

  it.each([
    {},
    { id: "", state: "started" },
    { id: "f1" },
    { id: "f1", state: "x", config: { metadata: { a: 1 } } },
    "nope",
  ])("%j → invalid-response", (wire) => {
    const result = readFlyReply(FlyMachineSchema, wire, "get");
    expect(result._unsafeUnwrapErr()).toMatchObject({ kind: "invalid-response" });
  });
});
