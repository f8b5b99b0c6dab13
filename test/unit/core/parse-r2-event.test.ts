// Given / when / then table for R2 event notifications as the queue delivers them.
import { describe, expect, it } from "vitest";
import { parseR2Event } from "../../../core/parse-r2-event.ts";

const base = {
  account: "acc123",
  action: "PutObject",
  bucket: "tcoder-inputs",
  object: { key: "uploads/job_0123456789/clip.mp4", size: 1048576, eTag: "abc123" },
  eventTime: "2026-11-23T10:00:00.000Z",
};

describe("parseR2Event", () => {
  it.each([
    { name: "PutObject", given: base },
    { name: "CompleteMultipartUpload", given: { ...base, action: "CompleteMultipartUpload" } },
    {
      name: "CopyObject",
      given: { ...base, action: "CopyObject", copySource: { bucket: "other", object: "x.mp4" } },
    },
  ])("$name confirms the upload", ({ given }) => {
    expect(parseR2Event(given, "tcoder-inputs")._unsafeUnwrap()).toEqual({
      kind: "upload-confirmed",
      jobId: "job_0123456789",
      key: "uploads/job_0123456789/clip.mp4",
      size: 1048576,
      eTag: "abc123",
      at: Date.UTC(2026, 10, 23, 10, 0, 0),
    });
  });

  it.each([
    {
      name: "a delete",
      given: { ...base, action: "DeleteObject", object: { key: base.object.key } },
      reason: "not-a-create",
    },
    { name: "a lifecycle deletion", given: { ...base, action: "LifecycleDeletion" }, reason: "not-a-create" },
    { name: "another bucket", given: { ...base, bucket: "tcoder-outputs" }, reason: "other-bucket" },
    {
      name: "an output key",
      given: { ...base, object: { key: "outputs/job_0123456789/x.mp4", size: 1 } },
      reason: "not-an-input-key",
    },
    {
      name: "a nested key",
      given: { ...base, object: { key: "uploads/job_0123456789/a/b.mp4", size: 1 } },
      reason: "not-an-input-key",
    },
  ])("ignores $name", ({ given, reason }) => {
    expect(parseR2Event(given, "tcoder-inputs")._unsafeUnwrap()).toEqual({ kind: "ignored", reason });
  });

  it.each([
    { name: "not an object", given: "PutObject uploads/x" },
    { name: "null", given: null },
    { name: "missing object", given: { ...base, object: undefined } },
    { name: "negative size", given: { ...base, object: { ...base.object, size: -1 } } },
    { name: "bad time", given: { ...base, eventTime: "yesterday" } },
    { name: "empty key", given: { ...base, object: { key: "" } } },
  ])("rejects $name as invalid-event with a readable message", ({ given }) => {
    const error = parseR2Event(given, "tcoder-inputs")._unsafeUnwrapErr();
    expect(error.code).toBe("invalid-event");
    expect(error.message.length).toBeGreaterThan(5);
  });
});
