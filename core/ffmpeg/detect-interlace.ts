// Decides whether a video is interlaced, and so must be deinterlaced before it is scaled and encoded progressive.
import type { ProbeStream } from "./probe-summary.ts";

/**
 * - `progressive`: nothing to do.
 * - `interlaced`: the stream says so (field order tt/bb/tb/bt): deinterlace every frame.
 * - `maybe-interlaced`: the stream states no field order but looks like broadcast or camcorder material;
 *   deinterlace only the frames the decoder flags as interlaced, so progressive ones pass untouched.
 */
export type ScanType = "progressive" | "interlaced" | "maybe-interlaced";

// Codecs that carry interlaced pictures in practice (broadcast, DV camcorders, captures).
const INTERLACE_CODECS: ReadonlySet<string> = new Set(["mpeg2video", "h264", "dvvideo", "mpeg4", "vc1"]);

const near = (fps: number, target: number): boolean => Math.abs(fps - target) < 0.01;
const PAL = 25;
const NTSC = 30000 / 1001;

/** Frame sizes and rates that are interlaced by convention: 576i25, 480i29.97 and 1080i25/29.97. */
const isInterlacedRaster = (width: number, height: number, fps: number): boolean => {
  const sdWidth = width === 704 || width === 720;
  if (height === 576) return sdWidth && near(fps, PAL);
  if (height === 480 || height === 486) return sdWidth && near(fps, NTSC);
  if (height === 1080) return (width === 1440 || width === 1920) && (near(fps, PAL) || near(fps, NTSC));
  return false;
};

export const detectInterlace = (video: ProbeStream): ScanType => {
  switch (video.fieldOrder) {
    case "progressive":
      return "progressive";
    case "tt":
    case "bb":
    case "tb":
    case "bt":
      return "interlaced";
    case undefined: {
      // ffprobe states no field order for DV, MPEG-4 Part 2 and other codecs its parsers do not read it from.
      const { width, height, frameRate } = video;
      if (width === undefined || height === undefined || frameRate === undefined) return "progressive";
      const broadcast = INTERLACE_CODECS.has(video.codec) && isInterlacedRaster(width, height, frameRate);
      return broadcast ? "maybe-interlaced" : "progressive";
    }
    default: {
      const unreachable: never = video.fieldOrder;
      throw new Error(`unknown field order ${String(unreachable)}`);
    }
  }
};
