// The shape of an FFmpeg plan (argv to run, files it leaves, what they should probe as) and its shared pieces.
import type { OutputType } from "../job-output.ts";
import type { PlanDecisions } from "../job-record.ts";
import type { MachineGuest } from "../machine-guest.ts";
import type { PresetName } from "../preset-names.ts";
import type { QualityCheck } from "./plan-quality-check.ts";

export type CommandPurpose = "transcode" | "poster";

/** The work a command's time limit was derived from: the source's coded size, the media's length, the preset. */
export interface CommandWork {
  readonly preset: PresetName;
  readonly width: number;
  readonly height: number;
  readonly durationSec: number;
}

export interface FfmpegCommand {
  /** Arguments after the binary name; the shell runs them in order and stops at the first failure. */
  readonly argv: readonly string[];
  readonly timeLimitMs: number;
  readonly purpose: CommandPurpose;
  readonly work: CommandWork;
}

export interface PlannedOutput {
  readonly type: OutputType;
  /**
   * Path relative to outDir. When `isPattern`, a printf pattern ("720p/seg_%03d.ts") for files whose count is
   * known only after the run: list the directory and keep what matchesPlannedOutput accepts.
   */
  readonly path: string;
  readonly isPattern: boolean;
  readonly contentType: string;
  /** Rendition label, e.g. "720p" (the short side). */
  readonly quality?: string;
}

export type OutputContainer = "mp4" | "webm" | "matroska" | "hls";

export interface Rendition {
  readonly quality: string;
  readonly width: number;
  readonly height: number;
}

/** What the main output should probe as; tests and the worker's sanity check compare against it. */
export interface ExpectedOutput {
  readonly container: OutputContainer;
  readonly videoCodec: string;
  readonly audioCodec: string | null;
  /** Coded size of the (top) video stream. */
  readonly width: number;
  readonly height: number;
  /** Rotation metadata left on the output: 0 after a re-encode (ffmpeg turns the pixels), kept by a copy. */
  readonly rotation: 0 | 90 | 180 | 270;
  readonly durationSec: number;
  /** HLS only: every rung, highest first. */
  readonly renditions?: readonly Rendition[];
}

export interface FfmpegPlan {
  /** Directories the shell creates before running the commands (outDir first). */
  readonly directories: readonly string[];
  readonly commands: readonly FfmpegCommand[];
  readonly outputs: readonly PlannedOutput[];
  readonly expected: ExpectedOutput;
  readonly guest: MachineGuest;
  /** Sentences for the job's result about what the plan left out or kept (e.g. an audio track it cannot decode). */
  readonly notes: readonly string[];
  /** What the plan decided from the probe, for the job's record. */
  readonly decisions: PlanDecisions;
  /** The SSIM checks of each video output against the source, run after the encode (none for stream copy). */
  readonly quality: readonly QualityCheck[];
}

/** What one preset planner contributes; planFfmpeg adds the poster and the guest. */
export interface TranscodeStep {
  readonly directories: readonly string[];
  readonly command: FfmpegCommand;
  readonly outputs: readonly PlannedOutput[];
  readonly expected: ExpectedOutput;
  readonly notes?: readonly string[];
}

/** The inputs every preset planner shares. */
export interface StepContext {
  readonly inputPath: string;
  readonly outDir: string;
  readonly maxRunMs: number;
  /** Demuxer options before `-i`: the ones ffprobe needed to recognise the input (see inputProbeOptions). */
  readonly inputOptions: readonly string[];
}

export const CONTENT_TYPES = {
  mp4: "video/mp4",
  webm: "video/webm",
  matroska: "video/x-matroska",
  m3u8: "application/vnd.apple.mpegurl",
  ts: "video/mp2t",
  jpeg: "image/jpeg",
} as const;

/**
 * Every command starts the same way: quiet banner, never read stdin, overwrite, keep stderr to warnings and
 * errors (that is what a failed job reports), and machine-readable progress on stdout.
 */
export const ffmpegHeadArgs = (): string[] => [
  "-hide_banner",
  "-nostdin",
  "-y",
  "-loglevel",
  "warning",
  "-nostats",
  "-progress",
  "pipe:1",
];

/** Lets streams that start far apart (sparse audio, late video) buffer instead of failing the mux. */
export const MUXING_QUEUE_ARGS = ["-max_muxing_queue_size", "4096"] as const;

/** "out" + "720p/index.m3u8" → "out/720p/index.m3u8"; plain strings so the core needs no node:path. */
export const joinPath = (dir: string, relative: string): string => {
  const base = dir.replace(/\/+$/, "");
  return base === "" ? relative : `${base}/${relative}`;
};

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** Does a file (path relative to outDir) belong to this planned output? Patterns accept %d / %0Nd numbers. */
export const matchesPlannedOutput = (output: PlannedOutput, relativePath: string): boolean => {
  if (!output.isPattern) return output.path === relativePath;
  const source = output.path
    .split(/(%0?\d*d)/)
    .map((part, i) => (i % 2 === 1 ? "\\d+" : escapeRegExp(part)))
    .join("");
  return new RegExp(`^${source}$`).test(relativePath);
};
