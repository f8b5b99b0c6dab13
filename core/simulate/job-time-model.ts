// How long a task keeps a machine busy: the encode speed of each preset at the source's size (seconds of wall time
// per second of media, from `make bench` on this machine), plus per-task overheads; and a split job's own steps (the
// keyframe scan that plans it, its audio, its chunks, the stitch that joins them).
import { PRESETS } from "../ffmpeg/presets.ts";
import { PRESET_NAMES, type PresetName } from "../preset-names.ts";

/** Wall seconds per media second for a 1280x720 and a 1920x1080 source, on the pool guest. */
export interface EncodeRates {
  readonly p720: number;
  readonly p1080: number;
}

export interface JobTimeModel {
  readonly encode: Readonly<Record<PresetName, EncodeRates>>;
  /** Fraction of the encode time the output's SSIM checks add (re-encoding presets). */
  readonly qualityCheckOverhead: number;
  /** Per task: claim, probe, plan, poster, upload set-up, commit. */
  readonly taskFixedS: number;
  /** Moving the media in and the outputs out, per media second. */
  readonly transferSPerMediaS: number;
  /** Joining chunk outputs without re-encoding (concat, faststart): fixed, and per media second. */
  readonly stitchFixedS: number;
  readonly stitchSPerMediaS: number;
  /** The packet scan that finds a long input's keyframes before it is split, per media second. */
  readonly keyframeScanSPerMediaS: number;
  /** A split job's audio, encoded once for the whole file (AAC), per media second. */
  readonly audioSPerMediaS: number;
}

export const PIXELS_720P = 1280 * 720;
export const PIXELS_1080P = 1920 * 1080;

/**
 * The figures `make bench` measured on this machine's 2 cores (bench/encode-rate.ts: CPU time ÷ cores, median of 5
 * rounds; the split job's keyframe scan and audio pass, and the stitch, from the same script; quality_check_overhead
 * from bench/quality.ts), kept here so the core has a model without reading files;
 * test/unit/core/simulate/job-time-model.test.ts fails when they drift from bench/results.json. Task overheads on
 * Fly (R2 and Redis over the network) were not measured here: 1.5 s a task and 10 ms per media second (a
 * 5 Mbit/s source moved in and its outputs out at about 60 MB/s) are assumptions, stated as such in the README.
 */
export const DEFAULT_JOB_TIME_MODEL: JobTimeModel = {
  encode: {
    "web-optimized": { p720: 0.4142, p1080: 0.7756 },
    mobile: { p720: 0.1969, p1080: 0.2399 },
    hls: { p720: 0.4987, p1080: 1.0179 },
    default: { p720: 0.0025, p1080: 0.0034 },
  },
  qualityCheckOverhead: 0.043,
  taskFixedS: 1.5,
  transferSPerMediaS: 0.01,
  stitchFixedS: 0.066,
  stitchSPerMediaS: 0.00106,
  keyframeScanSPerMediaS: 0.000241,
  audioSPerMediaS: 0.0689,
};

/** The bench keys each model figure comes from. */
export const encodeRateKey = (preset: PresetName, size: "720p" | "1080p"): string =>
  `encode_rtf_${preset.replaceAll("-", "_")}_${size}`;

/**
 * The model with every figure `figures` (bench/results.json) has replacing the default; the rest stay. Task
 * overheads are not bench figures and always come from `base`.
 */
export const jobTimeModelFromBench = (
  figures: Readonly<Record<string, number>>,
  base: JobTimeModel = DEFAULT_JOB_TIME_MODEL,
): JobTimeModel => {
  const pick = (key: string, fallback: number): number => {
    const value = figures[key];
    return typeof value === "number" && Number.isFinite(value) && value > 0 ? value : fallback;
  };
  const encode = Object.fromEntries(
    PRESET_NAMES.map((preset) => [
      preset,
      {
        p720: pick(encodeRateKey(preset, "720p"), base.encode[preset].p720),
        p1080: pick(encodeRateKey(preset, "1080p"), base.encode[preset].p1080),
      },
    ]),
  ) as Record<PresetName, EncodeRates>;
  return {
    ...base,
    encode,
    qualityCheckOverhead: pick("quality_check_overhead", base.qualityCheckOverhead),
    stitchFixedS: pick("stitch_fixed_ms", base.stitchFixedS * 1000) / 1000,
    stitchSPerMediaS: pick("stitch_ms_per_media_s", base.stitchSPerMediaS * 1000) / 1000,
    keyframeScanSPerMediaS: pick("keyframe_scan_ms_per_media_s", base.keyframeScanSPerMediaS * 1000) / 1000,
    audioSPerMediaS: pick("encode_rtf_audio", base.audioSPerMediaS),
  };
};

/**
 * Encode seconds per media second at a source size: a line through the 720p and 1080p figures (decode and encode
 * work grow with pixels), proportional below 720p so small sources never come out at zero or less.
 */
export const encodeSecondsPerMediaSecond = (rates: EncodeRates, pixels: number): number => {
  if (pixels <= PIXELS_720P) return rates.p720 * (pixels / PIXELS_720P);
  const slope = (rates.p1080 - rates.p720) / (PIXELS_1080P - PIXELS_720P);
  return rates.p720 + slope * (pixels - PIXELS_720P);
};

export interface MediaSpan {
  readonly preset: PresetName;
  readonly pixels: number;
  /** Seconds of media the task encodes (the whole job, or one chunk). */
  readonly durationS: number;
}

const reencodes = (preset: PresetName): boolean => PRESETS[preset].recipe.kind !== "copy";

/** Seconds one whole job keeps a machine busy: its encode, the SSIM checks of a re-encode, the media moved. */
export const taskSeconds = (span: MediaSpan, model: JobTimeModel): number => {
  const rate = encodeSecondsPerMediaSecond(model.encode[span.preset], span.pixels);
  const encode = rate * (reencodes(span.preset) ? 1 + model.qualityCheckOverhead : 1);
  return model.taskFixedS + span.durationS * (encode + model.transferSPerMediaS);
};

/** Seconds one chunk of a split job takes: its range's encode (no SSIM checks: the stitch checks the whole). */
export const chunkSeconds = (span: MediaSpan, model: JobTimeModel): number =>
  model.taskFixedS +
  span.durationS *
    (encodeSecondsPerMediaSecond(model.encode[span.preset], span.pixels) + model.transferSPerMediaS);

/**
 * Seconds the machine that claimed a long job spends splitting it: the probe, and for chunks cut at keyframes (MP4)
 * the keyframe scan, which reads the whole input once (half of the media moved: the input, not the outputs). HLS
 * chunks are cut on the segment grid: no scan.
 */
export const splitStepSeconds = (durationS: number, scansKeyframes: boolean, model: JobTimeModel): number =>
  model.taskFixedS +
  (scansKeyframes ? durationS * (model.keyframeScanSPerMediaS + model.transferSPerMediaS / 2) : 0);

/** Seconds a split job's audio task takes: the whole file's audio, reading the whole input. */
export const audioSeconds = (durationS: number, model: JobTimeModel): number =>
  model.taskFixedS + durationS * (model.audioSPerMediaS + model.transferSPerMediaS / 2);

/**
 * Seconds the stitch task of a split job keeps a machine busy. MP4: it reads the chunks' outputs, joins them
 * (concat, faststart) and writes the whole. HLS: it joins playlists only (the chunks stored their segments among the
 * outputs already), so only its fixed part is left.
 */
export const stitchSeconds = (durationS: number, joinsMedia: boolean, model: JobTimeModel): number =>
  model.taskFixedS +
  (joinsMedia ? model.stitchFixedS + durationS * (model.stitchSPerMediaS + model.transferSPerMediaS) : 0);
