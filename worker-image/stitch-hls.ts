// The HLS stitch: the chunks already stored their segments among the job's outputs, numbered for the whole file;
// this joins each rung's chunk playlists (core/split/join-hls.ts), writes the master with the audio rendition,
// checks the package against the source and that every segment it names is stored, adds the poster, and completes
// the job. No segment is read, re-muxed or copied.
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { err, ok, type Result } from "neverthrow";
import type { CheckedInput } from "../core/ffmpeg/check-input.ts";
import { CONTENT_TYPES, type PlannedOutput } from "../core/ffmpeg/ffmpeg-plan.ts";
import { frameSeconds } from "../core/ffmpeg/frame-timing.ts";
import type { PlanFfmpegInput } from "../core/ffmpeg/plan-ffmpeg.ts";
import { MASTER_PLAYLIST, VARIANT_PLAYLIST } from "../core/ffmpeg/plan-hls.ts";
import type { Job } from "../core/job-lifecycle/job-state.ts";
import type { JobOutput } from "../core/job-output.ts";
import { outputPrefix } from "../core/output-keys.ts";
import {
  checkJoinedHls,
  joinMediaPlaylists,
  type MediaPlaylist,
  parseMediaPlaylist,
  renderMediaPlaylist,
  splitHlsMaster,
} from "../core/split/join-hls.ts";
import { AUDIO_RENDITION, chunkOutput, splitAudioKbps } from "../core/split/plan-task-commands.ts";
import type { SplitTask } from "../core/split/split-tasks.ts";
import { type JobFailure, outputInvalid } from "./job-failure.ts";
import { listOutputFiles } from "./list-output-files.ts";
import {
  completeJob,
  listUnder,
  makePoster,
  prepareStitch,
  type SplitTaskDeps,
  type Step,
  type StitchWhere,
  type TaskHooks,
} from "./split-task-steps.ts";
import { uploadOutputs } from "./upload-outputs.ts";

const readPlaylist = async (path: string): Promise<Result<MediaPlaylist, JobFailure>> => {
  const text = await readFile(path, "utf8").catch(() => null);
  if (text === null) return err(outputInvalid(`a chunk left no playlist at ${path}`));
  const parsed = parseMediaPlaylist(text);
  return parsed.isErr() ? err(outputInvalid(`${path}: ${parsed.error}`)) : ok(parsed.value);
};

export const stitchHls = async (
  job: Job,
  task: Extract<SplitTask, { kind: "stitch" }>,
  source: { readonly input: CheckedInput; readonly request: PlanFfmpegInput; readonly url: string },
  deps: SplitTaskDeps,
  hooks: TaskHooks,
  where: StitchWhere,
): Step<void> => {
  const prepared = await prepareStitch(deps, source.request, where);
  if (prepared.isErr()) return err(prepared.error);
  const { work, plan } = prepared.value;
  const rungNames = (plan.expected.renditions ?? []).map((r) => r.quality);

  const rungs: { name: string; playlist: MediaPlaylist }[] = [];
  for (const name of rungNames) {
    const parts: MediaPlaylist[] = [];
    for (const chunk of task.chunks) {
      const part = await readPlaylist(
        join(work, chunkOutput(job.preset, chunk.index), name, VARIANT_PLAYLIST),
      );
      if (part.isErr()) return err(part.error);
      parts.push(part.value);
    }
    const joined = joinMediaPlaylists(parts);
    if (joined.isErr()) return err(outputInvalid(`rung ${name}: ${joined.error}`));
    rungs.push({ name, playlist: joined.value });
    await writeFile(join(where.outDir, name, VARIANT_PLAYLIST), renderMediaPlaylist(joined.value));
  }
  let audio: MediaPlaylist | null = null;
  if (task.hasAudio) {
    const read = await readPlaylist(join(work, AUDIO_RENDITION, VARIANT_PLAYLIST));
    if (read.isErr()) return err(read.error);
    audio = read.value;
    await mkdir(join(where.outDir, AUDIO_RENDITION), { recursive: true });
    await writeFile(join(where.outDir, AUDIO_RENDITION, VARIANT_PLAYLIST), renderMediaPlaylist(audio));
  }
  const chunkMaster = await readFile(join(work, chunkOutput(job.preset, 0), MASTER_PLAYLIST), "utf8").catch(
    () => "",
  );
  const master = splitHlsMaster(
    chunkMaster,
    audio === null
      ? null
      : { kbps: splitAudioKbps(job.preset), uri: `${AUDIO_RENDITION}/${VARIANT_PLAYLIST}` },
  );
  if (master.isErr()) return err(outputInvalid(master.error));
  await writeFile(join(where.outDir, MASTER_PLAYLIST), master.value);

  const { input } = source;
  const checked = checkJoinedHls(rungs, audio, {
    videoS: input.videoSpan.endSec - input.videoSpan.startSec,
    frameS: frameSeconds(input.video),
    segmentS: task.segmentS,
  });
  if (checked.isErr()) return err(outputInvalid(checked.error));
  const prefix = outputPrefix(job.jobId, job.preset);
  // Every stored object under the job's HLS outputs: the chunks' and the audio's segments.
  const stored = await listUnder(deps, prefix);
  if (stored.isErr()) return err(stored.error);
  const named = [
    ...rungs.flatMap((r) =>
      r.playlist.segments.map((s) => ({ quality: r.name, path: `${r.name}/${s.uri}` })),
    ),
    ...(audio?.segments.map((s) => ({ quality: AUDIO_RENDITION, path: `${AUDIO_RENDITION}/${s.uri}` })) ??
      []),
  ];
  const missing = named.find((s) => !stored.value.has(s.path));
  if (missing !== undefined) return err(outputInvalid(`segment ${missing.path} was never stored`));
  const segments = named.map(
    (s): JobOutput => ({
      type: "hls-segment",
      key: `${prefix}${s.path}`,
      quality: s.quality,
      contentType: CONTENT_TYPES.ts,
      size: stored.value.get(s.path)?.size ?? 0,
    }),
  );

  const poster = await makePoster(deps, plan, hooks);
  if (poster.isErr()) return poster;
  // The planned playlists and poster (segments are stored already), and the audio rendition's playlist.
  const audioPlaylist: PlannedOutput[] =
    audio === null
      ? []
      : [
          {
            type: "hls-playlist",
            path: `${AUDIO_RENDITION}/${VARIANT_PLAYLIST}`,
            isPattern: false,
            contentType: CONTENT_TYPES.m3u8,
            quality: AUDIO_RENDITION,
          },
        ];
  const files = await listOutputFiles(
    { ...plan, outputs: [...plan.outputs.filter((o) => o.type !== "hls-segment"), ...audioPlaylist] },
    where.outDir,
  );
  if (files.isErr()) return err(files.error);
  const uploaded = await uploadOutputs(deps.output, job.jobId, job.preset, files.value);
  if (uploaded.isErr()) return err(uploaded.error);
  return completeJob(deps, job, task, [...segments, ...uploaded.value], where);
};
