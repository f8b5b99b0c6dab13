// The worker's completed report carries the plan's notes (e.g. "audio track 1 … could not be decoded") through the
// callback schema the control plane parses with.
import { describe, expect, it } from "vitest";
import { buildCallbackBody, parseCallbackBody } from "../../../shell/callbacks/callback-body.ts";

const sender = { jobId: "j1", leaseToken: "lease-1", machineId: "m1" };
const stamp = { sentAt: 1_700_000_000_000, nonce: "0123456789abcdef" };
const completed = { kind: "completed" as const, outputs: [], costUsd: 0.001, machineSeconds: 2 };
const note =
  "audio track 1 of 1 (smv) could not be decoded: this FFmpeg has no smv decoder; the output is video-only";

describe("completed callback notes", () => {
  it("are kept, in order, through build and parse", () => {
    const body = buildCallbackBody(sender, { ...completed, notes: [note, "second"] }, stamp);
    expect(parseCallbackBody(body)._unsafeUnwrap()).toMatchObject({
      kind: "completed",
      notes: [note, "second"],
    });
  });

  it("are optional (an older worker sends none)", () => {
    const parsed = parseCallbackBody(buildCallbackBody(sender, completed, stamp))._unsafeUnwrap();
    expect(parsed.kind === "completed" && parsed.notes).toBeUndefined();
  });

  it("are bounded: a 1001-character note is a bug in the worker", () => {
    expect(() => buildCallbackBody(sender, { ...completed, notes: ["x".repeat(1001)] }, stamp)).toThrow(
      /notes/,
    );
  });
});
