// A finished job's reproducible record: every ffprobe/ffmpeg run (exact argv), the FFmpeg version, the input's probe
// summary, the decisions the plan took, each output's SHA-256 and a quality score per video output. The worker
// writes it next to the outputs; GET /api/jobs/:id/record reads it back through this schema.
import * as v from "valibot";
import { JobOutputSchema } from "./job-output.ts";
import { PresetNameSchema } from "./preset-names.ts";

export const JOB_RECORD_VERSION = 1;

const Text = v.pipe(v.string(), v.maxLength(4096));
const Ms = v.pipe(v.number(), v.finite(), v.minValue(0));

export const RecordedRunSchema = v.object({
  tool: v.picklist(["ffprobe", "ffmpeg"]),
  /** What the run was for: "probe", "measure", "transcode", "poster", "verify", "quality". */
  purpose: v.pipe(v.string(), v.maxLength(32)),
  /** The arguments after the binary name, exactly as run. */
  argv: v.array(Text),
  wallMs: Ms,
  exitCode: v.nullable(v.number()),
});

export const QualityScoreSchema = v.object({
  /** The output's path relative to the job's output prefix ("video.mp4", "720p/index.m3u8"). */
  path: Text,
  quality: v.optional(v.string()),
  width: v.number(),
  height: v.number(),
  /** SSIM (all planes) against the source, pre-filtered like the encode and scaled to the output's size. */
  ssim: v.nullable(v.pipe(v.number(), v.minValue(0), v.maxValue(1))),
  /** Seconds into the clip where each compared window starts. */
  sampleTimes: v.array(v.number()),
  framesPerWindow: v.number(),
  wallMs: Ms,
  /** Why there is no score (the check failed or timed out); the job is not failed for it. */
  error: v.optional(Text),
});

/** What the plan decided from the probe; open-ended so new decisions add fields without a new version. */
export const PlanDecisionsSchema = v.looseObject({
  videoStream: v.nullable(v.number()),
  audioStream: v.nullable(v.number()),
  notes: v.array(Text),
});

export const JobRecordSchema = v.object({
  version: v.literal(JOB_RECORD_VERSION),
  jobId: v.pipe(v.string(), v.minLength(1), v.maxLength(128)),
  preset: PresetNameSchema,
  /** The worker's clock when the record was written (ISO 8601). */
  createdAt: v.string(),
  /** First line of `ffmpeg -version`. */
  ffmpegVersion: Text,
  /** The probe summary the plan was made from (core/ffmpeg/probe-summary.ts), as JSON. */
  input: v.looseObject({ formatName: v.string(), durationSec: v.number(), sizeBytes: v.number() }),
  decisions: PlanDecisionsSchema,
  runs: v.array(RecordedRunSchema),
  outputs: v.array(JobOutputSchema),
  quality: v.array(QualityScoreSchema),
  timings: v.object({ downloadMs: Ms, transcodeMs: Ms, qualityMs: Ms, uploadMs: Ms }),
});

export type RecordedRun = v.InferOutput<typeof RecordedRunSchema>;
/** An argv as records and logs show it: http(s) URLs without their query (a presigned URL's signature). */
export const withoutUrlQueries = (argv: readonly string[]): string[] =>
  argv.map((arg) => (/^https?:\/\//i.test(arg) ? arg.replace(/\?.*$/, "?…") : arg));

/** Receives each run as it ends (the worker collects a job's runs this way). */
export type OnRun = (run: RecordedRun) => void;
export type QualityScore = v.InferOutput<typeof QualityScoreSchema>;
export type PlanDecisions = v.InferOutput<typeof PlanDecisionsSchema>;
export type JobRecord = v.InferOutput<typeof JobRecordSchema>;
