// Test helper: ffprobe-shaped JSON for made-up inputs (same field names and string-typed numbers as ffprobe 5.1).
import { type ProbeSummary, parseProbe } from "../../../../core/ffmpeg/probe-summary.ts";

export interface FakeInput {
  readonly formatName?: string;
  readonly durationSec?: number | null;
  readonly sizeBytes?: number;
  readonly videoCodec?: string | null;
  readonly width?: number;
  readonly height?: number;
  readonly fps?: string;
  readonly frames?: number;
  readonly sar?: string;
  /** Display-matrix rotation as ffprobe prints it (counter-clockwise; a phone portrait clip says -90). */
  readonly matrixRotation?: number;
  readonly rotateTag?: string;
  readonly audioCodec?: string | null;
  /** Several audio tracks (replaces audioCodec); each lasts as long as the clip unless it says otherwise. */
  readonly audioTracks?: readonly FakeAudioTrack[];
  /** Add a cover-art picture stream, after the others or as stream 0. */
  readonly coverArt?: "last" | "first";
  readonly pixFmt?: string;
  /** ffprobe's color_transfer / color_primaries / color_space / field_order / codec_tag_string, as printed. */
  readonly colorTransfer?: string;
  readonly colorPrimaries?: string;
  readonly colorSpace?: string;
  readonly fieldOrder?: string;
  readonly codecTag?: string;
  /** A "DOVI configuration record" side data entry. */
  readonly dolbyVision?: { readonly profile: number; readonly compatibilityId: number };
  /** The video stream's own duration; by default the clip's (as MP4 states it), null for none (MPEG-PS, raw). */
  readonly videoDurationSec?: number | null;
  readonly videoStartSec?: number;
  /** ffprobe's has_b_frames for the video. */
  readonly reorderDelay?: number;
  /** Add a subtitle stream that ends here (its own duration, as in MP4). */
  readonly subtitleEndSec?: number;
  /** The container's start_time. */
  readonly startSec?: number;
}

const doviRecord = (dv: { profile: number; compatibilityId: number }) => ({
  side_data_type: "DOVI configuration record",
  dv_version_major: 1,
  dv_version_minor: 0,
  dv_profile: dv.profile,
  dv_level: 6,
  rpu_present_flag: 1,
  el_present_flag: 0,
  bl_present_flag: 1,
  dv_bl_signal_compatibility_id: dv.compatibilityId,
});

export interface FakeAudioTrack {
  readonly codec: string;
  readonly isDefault?: boolean;
  readonly durationSec?: number | null;
  readonly startSec?: number;
}

/** Stream timing as ffprobe prints it: strings, absent when unknown. */
const timing = (startSec: number | undefined, durationSec: number | null | undefined) => ({
  ...(startSec !== undefined ? { start_time: startSec.toFixed(6) } : {}),
  ...(durationSec !== undefined && durationSec !== null ? { duration: durationSec.toFixed(6) } : {}),
});

export const ffprobeJson = (input: FakeInput = {}): Record<string, unknown> => {
  const duration = input.durationSec === undefined ? 10 : input.durationSec;
  const streams: Record<string, unknown>[] = [];
  const cover = {
    codec_name: "mjpeg",
    codec_type: "video",
    width: 600,
    height: 600,
    r_frame_rate: "90000/1",
    avg_frame_rate: "0/0",
    disposition: { default: 0, attached_pic: 1 },
  };
  if (input.coverArt === "first") streams.push(cover);
  const videoCodec = input.videoCodec === undefined ? "h264" : input.videoCodec;
  if (videoCodec !== null) {
    streams.push({
      codec_name: videoCodec,
      codec_type: "video",
      width: input.width ?? 1280,
      height: input.height ?? 720,
      sample_aspect_ratio: input.sar ?? "1:1",
      pix_fmt: input.pixFmt ?? "yuv420p",
      codec_tag_string: input.codecTag ?? "[0][0][0][0]",
      ...(input.colorTransfer !== undefined ? { color_transfer: input.colorTransfer } : {}),
      ...(input.colorPrimaries !== undefined ? { color_primaries: input.colorPrimaries } : {}),
      ...(input.colorSpace !== undefined ? { color_space: input.colorSpace } : {}),
      ...(input.fieldOrder !== undefined ? { field_order: input.fieldOrder } : {}),
      r_frame_rate: input.fps ?? "30/1",
      avg_frame_rate: input.fps ?? "30/1",
      ...(input.frames !== undefined ? { nb_frames: String(input.frames) } : {}),
      ...(input.reorderDelay !== undefined ? { has_b_frames: input.reorderDelay } : {}),
      ...timing(
        input.videoStartSec,
        input.videoDurationSec === undefined ? duration : input.videoDurationSec,
      ),
      disposition: { default: 1, attached_pic: 0 },
      tags: input.rotateTag !== undefined ? { rotate: input.rotateTag } : {},
      ...(input.matrixRotation !== undefined || input.dolbyVision !== undefined
        ? {
            side_data_list: [
              ...(input.matrixRotation !== undefined
                ? [{ side_data_type: "Display Matrix", displaymatrix: "…", rotation: input.matrixRotation }]
                : []),
              ...(input.dolbyVision !== undefined ? [doviRecord(input.dolbyVision)] : []),
            ],
          }
        : {}),
    });
  }
  const audioCodec = input.audioCodec === undefined ? "aac" : input.audioCodec;
  const tracks = input.audioTracks ?? (audioCodec === null ? [] : [{ codec: audioCodec, isDefault: true }]);
  for (const track of tracks) {
    streams.push({
      // ffprobe leaves codec_name out for a codec FFmpeg does not know.
      ...(track.codec === "unknown" ? {} : { codec_name: track.codec }),
      codec_type: "audio",
      sample_rate: "48000",
      channels: 2,
      r_frame_rate: "0/0",
      avg_frame_rate: "0/0",
      ...timing(track.startSec, track.durationSec === undefined ? duration : track.durationSec),
      disposition: { default: track.isDefault ? 1 : 0, attached_pic: 0 },
    });
  }
  if (input.subtitleEndSec !== undefined) {
    streams.push({ codec_name: "mov_text", codec_type: "subtitle", ...timing(0, input.subtitleEndSec) });
  }
  if (input.coverArt === "last") streams.push(cover);
  return {
    streams: streams.map((stream, index) => ({ index, ...stream })),
    format: {
      filename: "input",
      nb_streams: streams.length,
      format_name: input.formatName ?? "mov,mp4,m4a,3gp,3g2,mj2",
      ...(input.startSec !== undefined ? { start_time: input.startSec.toFixed(6) } : {}),
      ...(duration !== null ? { duration: duration.toFixed(6) } : {}),
      size: String(input.sizeBytes ?? 5_000_000),
      bit_rate: "4000000",
    },
  };
};

/** A ProbeSummary through the real parser; throws if the fake JSON does not parse (a broken test). */
export const fakeProbe = (input: FakeInput = {}): ProbeSummary =>
  parseProbe(ffprobeJson(input))._unsafeUnwrap();
