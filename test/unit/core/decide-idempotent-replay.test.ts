// An Idempotency-Key that already made a job: the same request replays it, another is refused, and an upload
// that has arrived is never signed again.
import { describe, expect, it } from "vitest";
import { decideIdempotentReplay } from "../../../core/decide-idempotent-replay.ts";

describe("decideIdempotentReplay", () => {
  const base = { jobId: "job_1", fingerprint: "f1", storedFingerprint: "f1" };
  it.each([
    { name: "same upload, still uploading", status: "uploading", signsUpload: true, kind: "replay" },
    { name: "same upload, received", status: "queued", signsUpload: true, kind: "upload-received" },
    { name: "same upload, finished", status: "completed", signsUpload: true, kind: "upload-received" },
    { name: "same URL ingest, any status", status: "running", signsUpload: false, kind: "replay" },
    {
      name: "another request",
      status: "uploading",
      signsUpload: true,
      stored: "f0",
      kind: "key-reused",
    },
    {
      name: "another request beats a received upload",
      status: "completed",
      signsUpload: true,
      stored: "f0",
      kind: "key-reused",
    },
    {
      name: "a job made before fingerprints: replayed",
      status: "uploading",
      signsUpload: true,
      stored: null,
      kind: "replay",
    },
  ] as const)("$name → $kind", ({ status, signsUpload, kind, ...rest }) => {
    const storedFingerprint = "stored" in rest ? (rest.stored ?? null) : base.storedFingerprint;
    const decision = decideIdempotentReplay({ ...base, status, signsUpload, storedFingerprint });
    expect(decision.kind).toBe(kind);
    if (decision.kind !== "replay") expect(decision.message).toContain("job_1");
  });
});
