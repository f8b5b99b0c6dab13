// One file a finished job produced, as recorded on the job and returned to clients.
import * as v from "valibot";

export const OUTPUT_TYPES = ["video", "hls-master", "hls-playlist", "hls-segment", "poster"] as const;
export type OutputType = (typeof OUTPUT_TYPES)[number];

export interface JobOutput {
  readonly type: OutputType;
  /** Object key in the output bucket. */
  readonly key: string;
  /** Rendition label for ladder outputs, e.g. "720p". */
  readonly quality?: string;
  readonly contentType: string;
  readonly size: number;
  /** Hex SHA-256 of the uploaded bytes, when the uploader computed it. */
  readonly sha256?: string;
}

export const JobOutputSchema = v.object({
  type: v.picklist(OUTPUT_TYPES),
  key: v.pipe(v.string(), v.minLength(1), v.maxLength(1024)),
  quality: v.optional(v.string()),
  contentType: v.string(),
  size: v.pipe(v.number(), v.integer(), v.minValue(0)),
  sha256: v.optional(v.pipe(v.string(), v.regex(/^[0-9a-f]{64}$/))),
});
