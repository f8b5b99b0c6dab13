// What each preset encodes, how long it may run and on which Fly guest: data the planners read, no argv.
import type { MachineGuest } from "../machine-guest.ts";
import type { PresetName } from "../preset-names.ts";
import type { FrameBox } from "./display-size.ts";

/** A single H.264/AAC MP4 with the moov atom up front. */
export interface Mp4Recipe {
  readonly kind: "mp4";
  readonly x264Preset: string;
  readonly crf: number;
  readonly profile: "high" | "main";
  /** The largest frame, turned like the picture: larger sources are scaled down to fit, keeping their shape. */
  readonly maxFrame: FrameBox;
  /** Capped CRF: peaks stay under maxrate over a bufsize window. */
  readonly maxrateKbps?: number;
  readonly bufsizeKbps?: number;
  readonly audioKbps: number;
}

/**
 * A rung is a box, turned like the picture (1280x720 also holds 720x1280): 16:9 and narrower sources are
 * limited by the short side (720 lines), wider ones by the long side (a 1920x800 film fits the 1080p box whole).
 */
export interface HlsRung extends FrameBox {
  readonly videoKbps: number;
  readonly maxrateKbps: number;
  readonly bufsizeKbps: number;
  readonly audioKbps: number;
}

/** An ABR ladder of H.264/AAC MPEG-TS segments with aligned keyframes, from one ffmpeg run. */
export interface HlsRecipe {
  readonly kind: "hls";
  readonly x264Preset: string;
  readonly profile: "high";
  readonly segmentSec: number;
  /** Highest first. Never upscaled: a source inside a rung's box is encoded at its own size instead. */
  readonly ladder: readonly HlsRung[];
}

/** Stream copy of the first video and audio stream into a container that can hold them. */
export interface CopyRecipe {
  readonly kind: "copy";
}

export type PresetRecipe = Mp4Recipe | HlsRecipe | CopyRecipe;

export interface PresetSpec {
  readonly recipe: PresetRecipe;
  /**
   * Wall seconds allowed per second of media for a 720p-sized source on this preset's guest
   * (scaled up with source pixels for encodes). Generous: it guards against hung runs, it is not a forecast.
   */
  readonly secondsPerMediaSecond: number;
  /** Guest for sources up to 1080p, and the larger one above. */
  readonly guest: MachineGuest;
  readonly largeSourceGuest: MachineGuest;
}

// About 7 % headroom for maxrate, 1.5 s of buffer: the usual constrained-VBR shape for ABR ladders.
const rung = (longSide: number, shortSide: number, videoKbps: number, audioKbps: number): HlsRung => ({
  longSide,
  shortSide,
  videoKbps,
  maxrateKbps: Math.round(videoKbps * 1.07),
  bufsizeKbps: Math.round(videoKbps * 1.5),
  audioKbps,
});

export const HLS_LADDER: readonly HlsRung[] = [
  rung(1920, 1080, 5000, 128),
  rung(1280, 720, 2800, 128),
  rung(854, 480, 1400, 96),
  rung(640, 360, 800, 96),
  rung(426, 240, 400, 64),
];

// Shared CPUs run at full speed for a ~5 s burst, then at 6.25 % of a core: every encode gets performance
// CPUs (Fly sells them with at least 2 GB per CPU). Stream copy is I/O bound and fits shared-cpu-1x.
const performance = (cpus: number): MachineGuest => ({ cpuKind: "performance", cpus, memoryMb: cpus * 2048 });

export const PRESETS: Readonly<Record<PresetName, PresetSpec>> = {
  "web-optimized": {
    // 4K UHD: the largest frame H.264 level 5.1/5.2 decoders take (36864 macroblocks); 8K would need level 6.
    recipe: {
      kind: "mp4",
      x264Preset: "fast",
      crf: 23,
      profile: "high",
      maxFrame: { longSide: 3840, shortSide: 2160 },
      audioKbps: 128,
    },
    secondsPerMediaSecond: 1.5,
    guest: performance(2),
    largeSourceGuest: performance(4),
  },
  mobile: {
    recipe: {
      kind: "mp4",
      x264Preset: "fast",
      crf: 26,
      profile: "main",
      // "480p": at most 854x480 (or 480x854), so ultrawide sources do not grow past what 480p decoders take.
      maxFrame: { longSide: 854, shortSide: 480 },
      maxrateKbps: 1500,
      bufsizeKbps: 3000,
      audioKbps: 96,
    },
    secondsPerMediaSecond: 1,
    guest: performance(1),
    largeSourceGuest: performance(2),
  },
  hls: {
    // veryfast: five simultaneous encodes; the ladder's bitrates, not the preset, set the quality bar.
    recipe: { kind: "hls", x264Preset: "veryfast", profile: "high", segmentSec: 4, ladder: HLS_LADDER },
    secondsPerMediaSecond: 3,
    guest: performance(4),
    largeSourceGuest: performance(8),
  },
  default: {
    recipe: { kind: "copy" },
    secondsPerMediaSecond: 0.05,
    guest: { cpuKind: "shared", cpus: 1, memoryMb: 512 },
    largeSourceGuest: { cpuKind: "shared", cpus: 1, memoryMb: 512 },
  },
};

/** Pixels of a 1080p frame: sources above this get the preset's larger guest. */
export const LARGE_SOURCE_PIXELS = 1920 * 1080;

export const guestFor = (preset: PresetName, sourcePixels: number): MachineGuest => {
  const spec = PRESETS[preset];
  return sourcePixels > LARGE_SOURCE_PIXELS ? spec.largeSourceGuest : spec.guest;
};
