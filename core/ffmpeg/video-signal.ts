// Reads a video stream's colour and scan facts from ffprobe's JSON: transfer, primaries, matrix, field order, Dolby Vision.
import * as v from "valibot";

export type FieldOrder = "progressive" | "tt" | "bb" | "tb" | "bt";

export interface DolbyVisionRecord {
  readonly profile: number;
  /** dv_bl_signal_compatibility_id: what the base layer is on its own (1 HDR10, 2 SDR, 4 HLG, 6 HDR10; 0 none). */
  readonly compatibilityId: number;
}

/** Facts ffprobe states about a video stream's signal; absent when ffprobe says "unknown" or nothing. */
export interface VideoSignal {
  /** ffprobe color_transfer, e.g. "bt709", "smpte2084" (PQ), "arib-std-b67" (HLG). */
  readonly colorTransfer?: string;
  /** ffprobe color_primaries, e.g. "bt709", "bt2020". */
  readonly colorPrimaries?: string;
  /** ffprobe color_space (the YCbCr matrix), e.g. "bt709", "bt2020nc". */
  readonly colorMatrix?: string;
  /** ffprobe field_order: "tt"/"bb" top/bottom field first, "tb"/"bt" coded and shown in opposite orders. */
  readonly fieldOrder?: FieldOrder;
  /** Sample-entry or FourCC tag, e.g. "hvc1", "dvh1"; absent when the container has none. */
  readonly codecTag?: string;
  /** From a "DOVI configuration record" (MP4 dvcC/dvvC, Matroska BlockAdditionMapping). */
  readonly dolbyVision?: DolbyVisionRecord;
}

/** The ffprobe stream fields the signal is read from; probe-summary spreads them into its stream schema. */
export const VIDEO_SIGNAL_FIELDS = {
  color_transfer: v.optional(v.string()),
  color_primaries: v.optional(v.string()),
  color_space: v.optional(v.string()),
  field_order: v.optional(v.string()),
  codec_tag_string: v.optional(v.string()),
};

export interface VideoSignalJson {
  readonly color_transfer?: string;
  readonly color_primaries?: string;
  readonly color_space?: string;
  readonly field_order?: string;
  readonly codec_tag_string?: string;
  readonly side_data_list?: readonly { readonly side_data_type?: string; readonly [key: string]: unknown }[];
}

const FIELD_ORDERS: readonly FieldOrder[] = ["progressive", "tt", "bb", "tb", "bt"];

const stated = (text: string | undefined): string | undefined =>
  text === undefined || text === "" || text === "unknown" || text === "unspecified" || text === "reserved"
    ? undefined
    : text;

const dolbyVisionOf = (json: VideoSignalJson): DolbyVisionRecord | undefined => {
  for (const entry of json.side_data_list ?? []) {
    const { dv_profile: profile, dv_bl_signal_compatibility_id: compatibilityId } = entry;
    if (entry.side_data_type !== "DOVI configuration record") continue;
    if (typeof profile === "number" && typeof compatibilityId === "number")
      return { profile, compatibilityId };
  }
  return undefined;
};

// ffprobe prints "[0][0][0][0]" when a container (Matroska, MPEG-TS) has no FourCC for the stream.
const tagOf = (text: string | undefined): string | undefined =>
  text === undefined || text.startsWith("[") ? undefined : text;

export const videoSignalOf = (json: VideoSignalJson): VideoSignal => {
  const transfer = stated(json.color_transfer);
  const primaries = stated(json.color_primaries);
  const matrix = stated(json.color_space);
  const fieldOrder = FIELD_ORDERS.find((f) => f === json.field_order);
  const codecTag = tagOf(json.codec_tag_string);
  const dolbyVision = dolbyVisionOf(json);
  return {
    ...(transfer !== undefined ? { colorTransfer: transfer } : {}),
    ...(primaries !== undefined ? { colorPrimaries: primaries } : {}),
    ...(matrix !== undefined ? { colorMatrix: matrix } : {}),
    ...(fieldOrder !== undefined ? { fieldOrder } : {}),
    ...(codecTag !== undefined ? { codecTag } : {}),
    ...(dolbyVision !== undefined ? { dolbyVision } : {}),
  };
};
