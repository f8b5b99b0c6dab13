// tcoder upload <file> --preset <p> [--wait] [--webhook-url <url>] [--json]: the upload's bytes on a progress bar
// (a large file in parts, resumed from what storage holds when an earlier run was interrupted), then with --wait
// the transcode's percent, then the outputs. Ctrl-C keeps the upload resumable: the same command picks it up.
import { openAsBlob } from "node:fs";
import { stat } from "node:fs/promises";
import { basename, resolve } from "node:path";
import type { PresetName, UploadResult } from "../sdk/index.ts";
import { type CliContext, UsageError } from "./cli-context.ts";
import { formatBytes } from "./progress-display.ts";
import { resumeStore, stateDirectory } from "./resume-store.ts";
import { waitAndReport } from "./wait-and-report.ts";

export interface UploadArgs {
  readonly file: string;
  readonly preset: PresetName;
  readonly wait: boolean;
  readonly webhookUrl: string | undefined;
}

export const uploadCommand = async (ctx: CliContext, args: UploadArgs): Promise<number> => {
  const path = resolve(args.file);
  const info = await stat(path).catch(() => null);
  if (info === null || !info.isFile()) throw new UsageError(`${args.file}: no such file`);
  const store = resumeStore(stateDirectory(ctx.env), { path, size: info.size, mtimeMs: info.mtimeMs });
  const saved = await store.load();
  let stored = { parts: 0, partCount: 0 };
  const bar = ctx.display.bar("upload", info.size);
  let result: UploadResult;
  try {
    result = await ctx.client.upload(await openAsBlob(path), {
      preset: args.preset,
      filename: basename(path),
      ...(args.webhookUrl ? { webhookUrl: args.webhookUrl } : {}),
      ...(saved ? { resume: saved } : {}),
      resumeKey: store.fileKey,
      signal: ctx.signal,
      onResumeState: (state) => store.save(state),
      onResume: (report) => {
        if (report.kind === "resumed")
          ctx.err(`resuming: ${report.storedParts} of ${report.partCount} parts already stored`);
        else if (report.kind === "already-uploaded") ctx.err(`already uploaded: job ${report.jobId}`);
        else ctx.err(`starting over: the saved upload cannot be resumed (${report.reason})`);
      },
      onProgress: (p) => {
        stored = { parts: p.partsDone, partCount: p.partCount };
        bar.update(p.uploadedBytes, `${formatBytes(p.uploadedBytes)} / ${formatBytes(p.totalBytes)}`);
      },
    });
  } catch (error) {
    bar.stop();
    if (ctx.signal.aborted) {
      ctx.err(
        `interrupted: ${stored.parts} of ${stored.partCount} parts stored; run the same command again to resume`,
      );
      return 130;
    }
    throw error;
  }
  bar.stop();
  await store.clear();
  const upload = {
    multipart: result.multipart,
    partCount: result.partCount,
    resumedParts: result.resumedParts,
    sentBytes: result.sentBytes,
  };
  if (!args.wait) {
    if (ctx.json) ctx.out(JSON.stringify({ jobId: result.jobId, upload }));
    else ctx.out(`uploaded: ${result.jobId} (follow it with: tcoder status ${result.jobId})`);
    return 0;
  }
  if (!ctx.json) ctx.err(`uploaded: ${result.jobId}; transcoding…`);
  return waitAndReport(ctx, result.jobId, (job) => ({ jobId: result.jobId, upload, job }));
};
