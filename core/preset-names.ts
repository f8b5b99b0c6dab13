// The names of the transcoding presets a client may ask for; the plans themselves live in core/ffmpeg/.
import * as v from "valibot";

export const PRESET_NAMES = ["web-optimized", "hls", "default", "mobile"] as const;

export type PresetName = (typeof PRESET_NAMES)[number];

export const PresetNameSchema = v.picklist(PRESET_NAMES, "unknown preset");
