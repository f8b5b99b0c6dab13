// Plans the video filters every encode shares: deinterlace, scale, tone-map HDR to SDR BT.709, square pixels.
import type { CheckedInput } from "./check-input.ts";
import { detectHdr, type HdrSource } from "./detect-hdr.ts";
import { detectInterlace } from "./detect-interlace.ts";
import type { FrameSize } from "./display-size.ts";

type Source = Pick<CheckedInput, "video">;

/**
 * bwdif (motion-adaptive, better than yadif on edges) runs first, on whole frames as decoded, before any scaling
 * mixes the fields. One frame out per frame in (25i → 25p); parity from each frame's own flags.
 */
const deinterlaceFilters = (source: Source): string[] => {
  const scan = detectInterlace(source.video);
  switch (scan) {
    case "progressive":
      return [];
    case "interlaced":
      return ["bwdif=mode=send_frame:parity=auto:deint=all"];
    case "maybe-interlaced":
      return ["bwdif=mode=send_frame:parity=auto:deint=interlaced"];
    default: {
      const unreachable: never = scan;
      throw new Error(`unknown scan type ${String(unreachable)}`);
    }
  }
};

type SdrOutput = { readonly matrix: "bt709" | "bt470bg"; readonly range: "tv" | "full" };

/**
 * The usual zimg recipe: to linear light (1.0 = 100 nits), BT.2020 → BT.709 primaries in float RGB, compress
 * highlights, then BT.709 transfer and matrix in 8-bit 4:2:0. The input transfer is stated, not read from the
 * frames, so a Dolby Vision stream known only by its record is decoded as its base layer; for HLG zimg applies
 * the display OOTF of a 1000-nit screen. tonemap's peak comes from the frames' HDR10 metadata, else 1000 nits.
 * Mobius, not the often-quoted hable: it keeps tones up to SDR brightness and their colours, rolling off only
 * what lies above. On our HDR fixtures hable's frames came out 25–30 levels (of 255) darker than the SDR picture
 * they were made from, mobius's within 9.
 */
const toneMapFilters = (hdr: HdrSource, out: SdrOutput): string[] => [
  `zscale=tin=${hdr.transfer}:pin=${hdr.primaries}:min=${hdr.matrix}:t=linear:npl=100`,
  "format=gbrpf32le",
  "zscale=p=bt709",
  "tonemap=tonemap=mobius:desat=0",
  `zscale=t=bt709:m=${out.matrix}:r=${out.range}`,
  "format=yuv420p",
];

const VIDEO_SDR: SdrOutput = { matrix: "bt709", range: "tv" };
// JPEG (JFIF) decoders read YCbCr as full-range BT.601.
const JPEG_SDR: SdrOutput = { matrix: "bt470bg", range: "full" };

const scaleTo = (size: FrameSize): string => `scale=${size.width}:${size.height}`;

/** The -vf of a single-file encode. HDR is scaled first (in 10-bit YUV), so the costly float stage runs on fewer pixels. */
export const planVideoFilter = (source: Source, size: FrameSize): string => {
  const hdr = detectHdr(source.video);
  return [
    ...deinterlaceFilters(source),
    scaleTo(size),
    ...(hdr !== undefined ? toneMapFilters(hdr, VIDEO_SDR) : []),
    "setsar=1",
  ].join(",");
};

/**
 * The -filter_complex of a ladder: video stream → [v0] … [vN-1], one per size (highest first). Deinterlacing and
 * tone-mapping run once, at the top size, before the split.
 */
export const planLadderFilter = (source: Source, sizes: readonly FrameSize[]): string => {
  const hdr = detectHdr(source.video);
  const top = sizes[0];
  if (top === undefined) throw new Error("a ladder without sizes");
  const shared = [
    ...deinterlaceFilters(source),
    ...(hdr !== undefined ? [scaleTo(top), ...toneMapFilters(hdr, VIDEO_SDR)] : []),
  ];
  const head = `[0:${source.video.index}]${shared.map((f) => `${f},`).join("")}`;
  const scaled = (size: FrameSize, i: number, from: string) => `${from}${scaleTo(size)},setsar=1[v${i}]`;
  if (sizes.length === 1) return scaled(top, 0, head);
  const split = `${head}split=${sizes.length}${sizes.map((_, i) => `[s${i}]`).join("")}`;
  return [split, ...sizes.map((size, i) => scaled(size, i, `[s${i}]`))].join(";");
};

/**
 * The -vf of the JPEG poster: full-range BT.601 YCbCr, handed to mjpeg as yuv420p. Without out_color_matrix,
 * swscale keeps a BT.709 source's matrix and every JPEG viewer decodes it as BT.601: saturated colours shift.
 */
export const planPosterFilter = (source: Source, size: FrameSize): string => {
  const hdr = detectHdr(source.video);
  const convert =
    hdr !== undefined
      ? [scaleTo(size), ...toneMapFilters(hdr, JPEG_SDR), "setsar=1"]
      : [`${scaleTo(size)}:out_color_matrix=bt601:out_range=full`, "setsar=1", "format=yuv420p"];
  return [...deinterlaceFilters(source), ...convert].join(",");
};

/** Output tags for what planVideoFilter made: BT.709 after tone-mapping; an SDR source's own tags otherwise. */
export const colourTagArgs = (source: Source): string[] =>
  detectHdr(source.video) !== undefined
    ? ["-color_primaries", "bt709", "-color_trc", "bt709", "-colorspace", "bt709"]
    : [];
