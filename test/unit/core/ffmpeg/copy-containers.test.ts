// copy-containers: which containers hold which codecs, and the sentence that says why the one asked for cannot.
import { describe, expect, it } from "vitest";
import {
  type CopyContainer,
  containersHolding,
  describeCopyMismatch,
} from "../../../../core/ffmpeg/copy-containers.ts";

describe("containersHolding", () => {
  it.each<{ video: string; audio?: string; then: CopyContainer[] }>([
    { video: "h264", audio: "aac", then: ["mp4", "matroska"] },
    { video: "vp9", audio: "opus", then: ["webm", "matroska"] },
    { video: "av1", audio: "opus", then: ["mp4", "webm", "matroska"] },
    { video: "hevc", audio: "flac", then: ["matroska"] },
    { video: "h264", then: ["mp4", "matroska"] },
    { video: "mpeg2video", audio: "mp2", then: ["matroska"] },
    { video: "h264", audio: "smv", then: [] },
  ])("$video + $audio → $then", ({ video, audio, then }) => {
    expect(containersHolding(video, audio)).toEqual(then);
  });
});

describe("describeCopyMismatch", () => {
  it.each<{ container: CopyContainer; video: string; audio?: string; then: string }>([
    {
      container: "mp4",
      video: "hevc",
      audio: "flac",
      then: "the output URL ends in .mp4, which cannot hold the source's FLAC audio stream by copy; use .mkv or a re-encoding preset",
    },
    {
      container: "mp4",
      video: "vp9",
      audio: "opus",
      then: "the output URL ends in .mp4, which cannot hold the source's VP9 video stream by copy; use .webm or .mkv, or a re-encoding preset",
    },
    {
      container: "webm",
      video: "h264",
      audio: "aac",
      then: "the output URL ends in .webm, which cannot hold the source's H.264 video and AAC audio streams by copy; use .mp4 or .mkv, or a re-encoding preset",
    },
    {
      container: "webm",
      video: "mpeg2video",
      audio: "pcm_s16le",
      then: "the output URL ends in .webm, which cannot hold the source's MPEG-2 video and PCM (pcm_s16le) audio streams by copy; use .mkv or a re-encoding preset",
    },
  ])("$container ← $video + $audio", ({ container, video, audio, then }) => {
    expect(describeCopyMismatch(container, video, audio)).toBe(then);
  });
});
