// The TCoder SDK: fetch only, no runtime APIs (sdk/tsconfig.json type-checks it with the DOM's types and nothing
// else), so it runs in browsers, Workers, Node and Bun. Types come from the API's own valibot schemas.
export type { JobRecord } from "../core/job-record.ts";
export type { JobStatus } from "../core/job-status.ts";
export type { PresetName } from "../core/preset-names.ts";
export type { JobList, JobView, Stats, WebhookEvent } from "../shell/control-plane/http/api-schemas.ts";
export { type ClientOptions, createClient, type ListOptions, type TcoderClient } from "./create-client.ts";
export type { FetchLike } from "./send-request.ts";
export { TcoderError, TcoderNetworkError, WebhookVerificationError } from "./tcoder-error.ts";
export type { ResumeReport, UploadOptions, UploadProgress, UploadResult } from "./upload-file.ts";
export { parseResumeState, type UploadResumeState } from "./upload-resume-state.ts";
export type { UploadInput } from "./upload-source.ts";
export { DEFAULT_WEBHOOK_TOLERANCE_SECONDS, verifyWebhook } from "./verify-webhook.ts";
export type { WaitOptions } from "./wait-for-job.ts";
