// detectHdr: PQ and HLG from the stream's transfer, or from Dolby Vision signalling when the transfer is missing.
import { describe, expect, it } from "vitest";
import { detectHdr } from "../../../../core/ffmpeg/detect-hdr.ts";
import { type FakeInput, fakeProbe } from "./ffprobe-json.ts";

const hdrOf = (given: FakeInput) => {
  const video = fakeProbe(given).video;
  if (video === undefined) throw new Error("fake probe has no video");
  return detectHdr(video);
};

const BT2020 = { colorPrimaries: "bt2020", colorSpace: "bt2020nc", pixFmt: "yuv420p10le" } as const;

describe("detectHdr", () => {
  it.each<{ name: string; given: FakeInput; then: ReturnType<typeof detectHdr> }>([
    { name: "untagged SDR", given: {}, then: undefined },
    {
      name: "BT.709 SDR",
      given: { colorTransfer: "bt709", colorPrimaries: "bt709", colorSpace: "bt709" },
      then: undefined,
    },
    {
      name: "BT.2020 SDR (10-bit, wide gamut, no HDR transfer)",
      given: { ...BT2020, videoCodec: "hevc", colorTransfer: "bt2020-10" },
      then: undefined,
    },
    {
      name: "HLG HEVC",
      given: { ...BT2020, videoCodec: "hevc", colorTransfer: "arib-std-b67" },
      then: { transfer: "arib-std-b67", primaries: "bt2020", matrix: "bt2020nc", signalledBy: "transfer" },
    },
    {
      name: "PQ (HDR10) HEVC",
      given: { ...BT2020, videoCodec: "hevc", colorTransfer: "smpte2084" },
      then: { transfer: "smpte2084", primaries: "bt2020", matrix: "bt2020nc", signalledBy: "transfer" },
    },
    {
      name: "PQ VP9 profile 2",
      given: { ...BT2020, videoCodec: "vp9", colorTransfer: "smpte2084" },
      then: { transfer: "smpte2084", primaries: "bt2020", matrix: "bt2020nc", signalledBy: "transfer" },
    },
    {
      name: "HLG AV1",
      given: { ...BT2020, videoCodec: "av1", colorTransfer: "arib-std-b67" },
      then: { transfer: "arib-std-b67", primaries: "bt2020", matrix: "bt2020nc", signalledBy: "transfer" },
    },
    {
      name: "HLG H.264 High 10",
      given: { ...BT2020, colorTransfer: "arib-std-b67" },
      then: { transfer: "arib-std-b67", primaries: "bt2020", matrix: "bt2020nc", signalledBy: "transfer" },
    },
    {
      name: "PQ in Display P3 primaries keeps them",
      given: { colorTransfer: "smpte2084", colorPrimaries: "smpte432", colorSpace: "bt2020nc" },
      then: { transfer: "smpte2084", primaries: "smpte432", matrix: "bt2020nc", signalledBy: "transfer" },
    },
    {
      name: "PQ stating no primaries or matrix: read as BT.2020",
      given: { colorTransfer: "smpte2084", colorPrimaries: "unknown" },
      then: { transfer: "smpte2084", primaries: "bt2020", matrix: "bt2020nc", signalledBy: "transfer" },
    },
    {
      name: "Dolby Vision 8.4 (iPhone): HLG base layer, HLG transfer",
      given: {
        ...BT2020,
        videoCodec: "hevc",
        codecTag: "dvh1",
        colorTransfer: "arib-std-b67",
        dolbyVision: { profile: 8, compatibilityId: 4 },
      },
      then: { transfer: "arib-std-b67", primaries: "bt2020", matrix: "bt2020nc", signalledBy: "transfer" },
    },
    {
      name: "Dolby Vision 8.4 with no transfer stated: HLG from the record",
      given: { videoCodec: "hevc", codecTag: "dvh1", dolbyVision: { profile: 8, compatibilityId: 4 } },
      then: {
        transfer: "arib-std-b67",
        primaries: "bt2020",
        matrix: "bt2020nc",
        signalledBy: "dolby-vision",
      },
    },
    {
      name: "Dolby Vision 8.1 with no transfer stated: HDR10 base layer",
      given: { videoCodec: "hevc", codecTag: "dvhe", dolbyVision: { profile: 8, compatibilityId: 1 } },
      then: { transfer: "smpte2084", primaries: "bt2020", matrix: "bt2020nc", signalledBy: "dolby-vision" },
    },
    {
      name: "Dolby Vision 7 (Blu-ray, compatibility 6): HDR10 base layer",
      given: { videoCodec: "hevc", dolbyVision: { profile: 7, compatibilityId: 6 } },
      then: { transfer: "smpte2084", primaries: "bt2020", matrix: "bt2020nc", signalledBy: "dolby-vision" },
    },
    {
      name: "Dolby Vision 5 (no compatible base layer): tone-mapped as PQ",
      given: { videoCodec: "hevc", codecTag: "dvh1", dolbyVision: { profile: 5, compatibilityId: 0 } },
      then: { transfer: "smpte2084", primaries: "bt2020", matrix: "bt2020nc", signalledBy: "dolby-vision" },
    },
    {
      name: "Dolby Vision 8.4 in AV1 (dav1)",
      given: { videoCodec: "av1", codecTag: "dav1", dolbyVision: { profile: 10, compatibilityId: 4 } },
      then: {
        transfer: "arib-std-b67",
        primaries: "bt2020",
        matrix: "bt2020nc",
        signalledBy: "dolby-vision",
      },
    },
    {
      name: "Dolby Vision 9 (AVC, SDR base layer): SDR",
      given: {
        codecTag: "dvav",
        colorTransfer: "bt709",
        colorPrimaries: "bt709",
        dolbyVision: { profile: 9, compatibilityId: 2 },
      },
      then: undefined,
    },
    {
      name: "Dolby Vision tag without a record, BT.2020: PQ",
      given: { videoCodec: "hevc", codecTag: "dvh1", colorPrimaries: "bt2020" },
      then: { transfer: "smpte2084", primaries: "bt2020", matrix: "bt2020nc", signalledBy: "dolby-vision" },
    },
    {
      name: "Dolby Vision tag without a record, BT.709: SDR",
      given: { videoCodec: "hevc", codecTag: "dvh1", colorPrimaries: "bt709" },
      then: undefined,
    },
  ])("$name", ({ given, then }) => {
    expect(hdrOf(given)).toEqual(then);
  });
});
