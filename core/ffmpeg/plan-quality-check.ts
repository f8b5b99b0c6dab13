// The quality check of a finished job (pure): for each video output, SSIM against the source scaled to the output's
// size, on a few short windows spread over the clip, so it costs a small fraction of the transcode.
import type { CheckedInput } from "./check-input.ts";
import type { FfmpegPlan, Rendition } from "./ffmpeg-plan.ts";
import { joinPath } from "./ffmpeg-plan.ts";
import { planVideoFilter } from "./plan-video-filter.ts";

/** Windows compared per output, and frames in each: enough to catch a broken encode, cheap to decode. */
export const QUALITY_WINDOWS = 3;
export const QUALITY_FRAMES_PER_WINDOW = 8;
/** Whatever the clip, one check may run this long before it is abandoned (the job does not fail for it). */
export const QUALITY_CHECK_LIMIT_MS = 120_000;

export interface QualityTarget {
  /** The output's path relative to outDir: the MP4, or one HLS rung's playlist. */
  readonly path: string;
  readonly quality?: string;
  readonly width: number;
  readonly height: number;
}

export interface QualityCheck {
  readonly target: QualityTarget;
  /** Seconds from the start of each stream at which a window begins. */
  readonly sampleTimes: readonly number[];
  readonly framesPerWindow: number;
  readonly argv: readonly string[];
  readonly timeLimitMs: number;
}

export interface QualityContext {
  readonly inputPath: string;
  readonly outDir: string;
  /** The checked input the encode was planned from: its video stream, duration and frame rate. */
  readonly input: Pick<CheckedInput, "video" | "durationSec" | "probe">;
  /** How ffmpeg must open the source (a deep probe for inputs after junk): as the encode opened it. */
  readonly inputOptions?: readonly string[];
  /** The outputs' keyframe interval when it is fixed (HLS segments): windows start on it. */
  readonly keyframeGridSec?: number;
}

// Containers without a seek index: ffmpeg seeks them by searching timestamps and lands between keyframes, where
// the decoder finds no picture to start from (an MPEG-TS window came out empty). Those are read from the start.
const UNINDEXED_FORMATS: ReadonlySet<string> = new Set([
  ...["mpegts", "mpegtsraw", "mpeg", "mpegvideo", "h264", "hevc", "m4v", "vc1", "dv"],
]);

const canSeekInput = (formatName: string): boolean =>
  !formatName.split(",").some((name) => UNINDEXED_FORMATS.has(name));

/**
 * Window starts at the middle of QUALITY_WINDOWS equal slices of the clip, each leaving room for its frames;
 * windows that would overlap at the end of a short clip are one; a clip shorter than a window is one window at 0.
 */
export const qualitySampleTimes = (
  durationSec: number,
  windowSec: number,
  gridSec?: number,
  frameSec?: number,
): number[] => {
  const room = durationSec - windowSec;
  if (room <= 0) return [0];
  // On a keyframe grid (HLS segments), each start goes back to the keyframe before it: nothing before is decoded.
  // Otherwise onto a frame's time, where the MP4 planner can put a keyframe the check's seek lands on exactly.
  const snap = (t: number) =>
    gridSec !== undefined && gridSec > 0
      ? Math.floor(t / gridSec) * gridSec
      : frameSec !== undefined && frameSec > 0
        ? Math.floor(t / frameSec) * frameSec
        : t;
  const starts = Array.from({ length: QUALITY_WINDOWS }, (_, i) =>
    Number(snap(Math.min(room, ((i + 0.5) * durationSec) / QUALITY_WINDOWS)).toFixed(3)),
  );
  return [...new Set(starts)];
};

/**
 * Where the check will look, for an input: the windows' starts and their length. The MP4 planner forces keyframes
 * at these starts, so the check decodes only its own frames of the output.
 */
export const qualityWindows = (
  input: Pick<CheckedInput, "video" | "durationSec">,
  gridSec?: number,
): { readonly sampleTimes: readonly number[]; readonly windowSec: number } => {
  const { frameRate } = input.video;
  const fps = frameRate !== undefined && frameRate > 0 ? frameRate : 25;
  const windowSec = QUALITY_FRAMES_PER_WINDOW / fps;
  return { sampleTimes: qualitySampleTimes(input.durationSec, windowSec, gridSec, 1 / fps), windowSec };
};

/** Every video output of a plan: the MP4, or each HLS rung (its playlist is what a player opens). */
export const qualityTargets = (plan: Pick<FfmpegPlan, "outputs" | "expected">): QualityTarget[] => {
  const video = plan.outputs.find((o) => o.type === "video");
  if (video !== undefined) {
    const { width, height } = plan.expected;
    return [{ path: video.path, ...(video.quality ? { quality: video.quality } : {}), width, height }];
  }
  const rungs: readonly Rendition[] = plan.expected.renditions ?? [];
  return rungs.flatMap((rung) => {
    const playlist = plan.outputs.find((o) => o.type === "hls-playlist" && o.quality === rung.quality);
    return playlist === undefined
      ? []
      : [{ path: playlist.path, quality: rung.quality, width: rung.width, height: rung.height }];
  });
};

/**
 * One ffmpeg run per target: each window is an input-side seek on both files (decoding only from the keyframe
 * before it), the windows concatenated, the reference run through the encode's video filter at the output's size,
 * and one `ssim` filter whose summary line (`SSIM ... All:<score>`) the shell reads from stderr.
 */
export const planQualityChecks = (
  plan: Pick<FfmpegPlan, "outputs" | "expected">,
  ctx: QualityContext,
): QualityCheck[] => {
  const { video } = ctx.input;
  const { sampleTimes, windowSec } = qualityWindows(ctx.input, ctx.keyframeGridSec);
  const span = windowSec.toFixed(3);
  const seekable = canSeekInput(ctx.input.probe.formatName);
  return qualityTargets(plan).map((target) => {
    const output = joinPath(ctx.outDir, target.path);
    // The encode's own filters (deinterlace, tone map, scale) at this output's size: the score measures what the
    // encoder lost, not the intended change of dynamic range, field structure or size.
    const reference = `${planVideoFilter(ctx.input, { width: target.width, height: target.height })},format=yuv420p`;
    // Both sides on one time base from 0, so the ssim filter pairs frame with frame.
    const align = "settb=AVTB,setpts=PTS-STARTPTS";
    const n = sampleTimes.length;
    let inputs: string[];
    let graph: string;
    if (seekable) {
      // Each window an input-side seek on both files: only the GOP before each window is decoded. Each window is
      // filtered on its own and only then concatenated: concat drops the frames' colour properties, which the
      // tone map's zscale reads (seen as SSIM 0.93 against 0.99 window by window on a PQ source).
      // A window at the very start needs no seek (and an HLS playlist seeked to 0 yields no frames at all).
      const seek = (t: number) => (t > 0 ? ["-ss", t.toFixed(3)] : []);
      inputs = sampleTimes.flatMap((t) => [
        ...[...seek(t), "-t", span, "-i", output],
        ...[...seek(t), "-t", span, ...(ctx.inputOptions ?? []), "-i", ctx.inputPath],
      ]);
      const windows = sampleTimes.map((_, i) => [
        `[${2 * i}:v:0]${align},setsar=1,format=yuv420p[d${i}]`,
        `[${2 * i + 1}:${video.index}]${align},${reference}[r${i}]`,
      ]);
      const labels = (side: string) => sampleTimes.map((_, i) => `[${side}${i}]`).join("");
      graph = [
        ...windows.flat(),
        `${labels("d")}concat=n=${n}:v=1:a=0[distorted]`,
        `${labels("r")}concat=n=${n}:v=1:a=0[reference]`,
        "[distorted][reference]ssim",
      ].join(";");
    } else {
      // No seek index (MPEG-TS/PS, raw streams): -ss would land between keyframes and decode nothing, so both files
      // are read from the start once and the windows picked by time.
      const windows = sampleTimes.map((t) => `between(t,${t.toFixed(3)},${(t + windowSec).toFixed(3)})`);
      const pick = `setpts=PTS-STARTPTS,select='${windows.join("+")}',settb=AVTB,setpts=N/FRAME_RATE/TB`;
      inputs = ["-i", output, ...(ctx.inputOptions ?? []), "-i", ctx.inputPath];
      graph = [
        `[0:v:0]${pick},setsar=1,format=yuv420p[distorted]`,
        `[1:${video.index}]${pick},${reference}[reference]`,
        "[distorted][reference]ssim",
      ].join(";");
    }
    const argv = [
      ...["-hide_banner", "-nostdin", "-nostats", "-loglevel", "info"],
      ...inputs,
      ...["-filter_complex", graph],
      ...["-f", "null", "-"],
    ];
    return {
      target,
      sampleTimes,
      framesPerWindow: QUALITY_FRAMES_PER_WINDOW,
      argv,
      timeLimitMs: QUALITY_CHECK_LIMIT_MS,
    };
  });
};

/** The overall score from the ssim filter's summary (`... SSIM Y:0.99 U:0.99 V:0.99 All:0.991 (20.5)`). */
export const parseSsimSummary = (stderr: string): number | null => {
  const matches = [...stderr.matchAll(/SSIM Y:[\d.]+.*?All:([\d.]+)/g)];
  const last = matches.at(-1)?.[1];
  if (last === undefined) return null;
  const score = Number(last);
  return Number.isFinite(score) && score >= 0 && score <= 1 ? score : null;
};
