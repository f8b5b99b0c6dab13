// Decides whether a video is HDR (PQ or HLG) and how to read it: from its transfer, or from Dolby Vision signalling.
import type { ProbeStream } from "./probe-summary.ts";

/** PQ (SMPTE ST 2084: HDR10, HDR10+, most Dolby Vision) or HLG (ARIB STD-B67: broadcast, phones). */
export type HdrTransfer = "smpte2084" | "arib-std-b67";

export interface HdrSource {
  readonly transfer: HdrTransfer;
  /** zscale names for the input primaries and matrix: the stream's own, or BT.2020 when it states none. */
  readonly primaries: string;
  readonly matrix: string;
  /** What told us: the stream's transfer, or (when that is missing) its Dolby Vision signalling. */
  readonly signalledBy: "transfer" | "dolby-vision";
}

const isHdrTransfer = (transfer: string | undefined): transfer is HdrTransfer =>
  transfer === "smpte2084" || transfer === "arib-std-b67";

// Primaries and matrices zscale (zimg) can convert from; anything else is read as BT.2020, what HDR uses.
const ZSCALE_PRIMARIES: ReadonlySet<string> = new Set(["bt2020", "bt709", "smpte431", "smpte432"]);
const ZSCALE_MATRICES: ReadonlySet<string> = new Set(["bt2020nc", "bt2020c", "bt709", "ictcp"]);

// Sample-entry tags of Dolby Vision streams (HEVC, AVC, AV1) in MP4.
const DOLBY_VISION_TAGS: ReadonlySet<string> = new Set(["dvh1", "dvhe", "dva1", "dvav", "dav1"]);

/**
 * The base layer's transfer from a Dolby Vision configuration record's compatibility id: 1 and 6 are HDR10
 * (PQ), 4 is HLG, 2 is SDR. 0 (profile 5) has no compatible base layer: its PQ-coded IPT picture has no exact
 * reshaping in ffmpeg 5.1, so it is tone-mapped as PQ (colours approximate).
 */
const dolbyVisionTransfer = (video: ProbeStream): HdrTransfer | "sdr" | undefined => {
  const record = video.dolbyVision;
  if (record !== undefined) {
    if (record.compatibilityId === 4) return "arib-std-b67";
    if (record.compatibilityId === 2) return "sdr";
    return "smpte2084";
  }
  // A Dolby Vision tag without its record: every profile but the SDR-compatible ones is PQ, and those say BT.709.
  if (video.codecTag !== undefined && DOLBY_VISION_TAGS.has(video.codecTag)) {
    return video.colorPrimaries === "bt2020" ? "smpte2084" : undefined;
  }
  return undefined;
};

export const detectHdr = (video: ProbeStream): HdrSource | undefined => {
  // The stream's own transfer wins; Dolby Vision signalling speaks only when that is missing or SDR.
  const stated = video.colorTransfer;
  const fromDolbyVision = dolbyVisionTransfer(video);
  const found: Pick<HdrSource, "transfer" | "signalledBy"> | undefined = isHdrTransfer(stated)
    ? { transfer: stated, signalledBy: "transfer" }
    : isHdrTransfer(fromDolbyVision)
      ? { transfer: fromDolbyVision, signalledBy: "dolby-vision" }
      : undefined;
  if (found === undefined) return undefined;
  const { colorPrimaries: primaries, colorMatrix: matrix } = video;
  return {
    ...found,
    primaries: primaries !== undefined && ZSCALE_PRIMARIES.has(primaries) ? primaries : "bt2020",
    matrix: matrix !== undefined && ZSCALE_MATRICES.has(matrix) ? matrix : "bt2020nc",
  };
};
