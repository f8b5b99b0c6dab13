// What a request under an Idempotency-Key that already made a job gets (pure): the same job when it is the same
// request, a refusal when the key comes back with another request (as payment APIs do), and never a fresh upload
// URL for a job whose upload has already arrived.
import type { JobStatus } from "./job-status.ts";

export interface ReplayInput {
  readonly jobId: string;
  readonly status: JobStatus;
  /** The fingerprint of the request that made the job; null for a job made before fingerprints were kept. */
  readonly storedFingerprint: string | null;
  /** This request's fingerprint (method, route and the body's fields that matter). */
  readonly fingerprint: string;
  /** Whether the answer signs upload URLs (POST /api/upload). */
  readonly signsUpload: boolean;
}

export type ReplayDecision =
  /** The same request again: answer with the job it made (and, for an upload still waiting, its upload URL). */
  | { readonly kind: "replay" }
  /** Another request under the same key: refused, nothing created or signed. */
  | { readonly kind: "key-reused"; readonly message: string }
  /** The job's upload has arrived: nothing is signed again, the client follows the job instead. */
  | { readonly kind: "upload-received"; readonly message: string };

export const decideIdempotentReplay = (input: ReplayInput): ReplayDecision => {
  if (input.storedFingerprint !== null && input.storedFingerprint !== input.fingerprint) {
    return {
      kind: "key-reused",
      message:
        `this Idempotency-Key made job ${input.jobId} with a different request (method, route or body); ` +
        "use a new key for a new request",
    };
  }
  if (input.signsUpload && input.status !== "uploading") {
    return {
      kind: "upload-received",
      message: `job ${input.jobId} is ${input.status}: its upload is no longer awaited, so no upload URL is signed again; follow GET /api/jobs/${input.jobId}`,
    };
  }
  return { kind: "replay" };
};
