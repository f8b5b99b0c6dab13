// A job as clients see it: status, progress, cost, timestamps and outputs with URLs they can fetch directly —
// presigned GETs for files, stable /media/<token>/... URLs for HLS so relative playlist URIs resolve.
import type { Job } from "../../../core/job-lifecycle/job-state.ts";
import type { JobOutput } from "../../../core/job-output.ts";
import { outputPrefix } from "../../../core/output-keys.ts";
import type { ControlPlaneDeps } from "../config/control-plane-deps.ts";
import type { JobView } from "../http/api-schemas.ts";
import { type MediaTokens, mediaTokens } from "./media-token.ts";

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

const isHls = (output: JobOutput): boolean => output.type.startsWith("hls-");

/** Percent-encodes each segment of a relative key path (they are plain ASCII from the FFmpeg plan). */
const encodePath = (path: string): string => path.split("/").map(encodeURIComponent).join("/");

export interface ViewContext {
  /** Base of /media URLs: the configured public URL, else the request's own origin. */
  readonly origin: string;
  readonly tokens: MediaTokens;
}

/**
 * The view context outside a client request (the cron, the queue consumer): the configured public URL, which is
 * required whenever a webhook can be sent (config check), so a view rendered for one always has its origin.
 */
export const backgroundView = (deps: ControlPlaneDeps): ViewContext => ({
  origin: deps.config.publicUrl ?? "",
  tokens: mediaTokens(deps.config.media.secret),
});

export const renderJobView = async (deps: ControlPlaneDeps, job: Job, ctx: ViewContext): Promise<JobView> => {
  const { config } = deps;
  const now = deps.clock();
  const prefix = outputPrefix(job.jobId, job.preset);
  const needsToken = config.media.publicBaseUrl === null && job.outputs.some(isHls);
  const token = needsToken ? await ctx.tokens.issue(job.jobId, now, config.media.ttlSeconds) : "";

  const urlOf = async (output: JobOutput): Promise<string> => {
    if (config.media.publicBaseUrl !== null) return `${config.media.publicBaseUrl}/${encodePath(output.key)}`;
    if (isHls(output) && output.key.startsWith(prefix)) {
      return `${ctx.origin}/media/${token}/${job.jobId}/${encodePath(output.key.slice(prefix.length))}`;
    }
    const signed = await deps.outputs.presignGet(output.key, {
      expiresInSeconds: config.downloadUrlTtlSeconds,
    });
    return signed.match(
      (request) => request.url,
      (never) => never,
    );
  };

  const outputs = await Promise.all(
    job.outputs.map(async (output) => ({
      type: output.type,
      ...(output.quality === undefined ? {} : { quality: output.quality }),
      contentType: output.contentType,
      size: output.size,
      url: await urlOf(output),
    })),
  );
  return {
    jobId: job.jobId,
    status: job.status,
    preset: job.preset,
    source: job.source,
    progress: job.progress,
    attempts: job.attempts,
    outputs,
    ...(job.error === null ? {} : { error: job.error }),
    ...(job.status === "cancelled" && job.cancelReason !== null ? { cancelReason: job.cancelReason } : {}),
    cost: job.costUsd === null ? null : { usd: job.costUsd, machineSeconds: job.machineSeconds ?? 0 },
    timestamps: {
      createdAt: iso(job.createdAt) as string,
      queuedAt: iso(job.queuedAt),
      startedAt: iso(job.startedAt),
      finishedAt: iso(job.finishedAt),
      updatedAt: iso(job.updatedAt) as string,
    },
  };
};
