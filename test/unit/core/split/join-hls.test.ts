// Given chunk playlists and a chunk master as ffmpeg writes them, then: the joined package, or why it is refused.
import { describe, expect, it } from "vitest";
import {
  checkJoinedHls,
  joinMediaPlaylists,
  type MediaPlaylist,
  parseMediaPlaylist,
  renderMediaPlaylist,
  splitHlsMaster,
} from "../../../../core/split/join-hls.ts";
import { workFileDestination } from "../../../../core/split/plan-task-commands.ts";

const chunkPlaylist = (first: number, durations: readonly number[], ended = true): string =>
  [
    "#EXTM3U",
    "#EXT-X-VERSION:6",
    `#EXT-X-TARGETDURATION:${Math.max(...durations.map(Math.round))}`,
    `#EXT-X-MEDIA-SEQUENCE:${first}`,
    "#EXT-X-PLAYLIST-TYPE:VOD",
    "#EXT-X-INDEPENDENT-SEGMENTS",
    ...durations.flatMap((d, i) => [
      `#EXTINF:${d.toFixed(6)},`,
      `seg_${String(first + i).padStart(3, "0")}.ts`,
    ]),
    ...(ended ? ["#EXT-X-ENDLIST"] : []),
    "",
  ].join("\n");
const parsed = (text: string): MediaPlaylist => parseMediaPlaylist(text)._unsafeUnwrap();

describe("joinMediaPlaylists", () => {
  it("keeps every chunk's segments, numbers and durations, in order, as one VOD playlist", () => {
    const joined = joinMediaPlaylists([
      parsed(chunkPlaylist(0, [4, 4, 4])),
      parsed(chunkPlaylist(3, [4, 4, 4])),
      parsed(chunkPlaylist(6, [4, 1.5])),
    ])._unsafeUnwrap();
    expect(joined.segments.map((s) => s.uri)).toEqual([0, 1, 2, 3, 4, 5, 6, 7].map((n) => `seg_00${n}.ts`));
    const text = renderMediaPlaylist(joined);
    expect(text).toContain("#EXT-X-TARGETDURATION:4\n#EXT-X-MEDIA-SEQUENCE:0\n#EXT-X-PLAYLIST-TYPE:VOD");
    expect(text.trimEnd().endsWith("seg_007.ts\n#EXT-X-ENDLIST")).toBe(true);
    // What it renders reads back the same.
    expect(parsed(text)).toEqual(joined);
  });

  it.each([
    [
      "a gap in the numbering",
      [chunkPlaylist(0, [4, 4]), chunkPlaylist(3, [4])],
      "seg_003.ts breaks the numbering",
    ],
    ["an overlap", [chunkPlaylist(0, [4, 4]), chunkPlaylist(1, [4])], "seg_001.ts breaks the numbering"],
    ["an unfinished chunk", [chunkPlaylist(0, [4], false), chunkPlaylist(1, [4])], "not finished"],
    ["an empty chunk", [chunkPlaylist(0, [4]), "#EXTM3U\n#EXT-X-ENDLIST\n"], "has no segments"],
  ])("refuses %s", (_, texts, reason) => {
    const joined = joinMediaPlaylists(texts.map(parsed));
    expect(joined._unsafeUnwrapErr()).toContain(reason);
  });

  it("refuses no chunks, and a file that is not a playlist", () => {
    expect(joinMediaPlaylists([]).isErr()).toBe(true);
    expect(parseMediaPlaylist("<html>").isErr()).toBe(true);
    expect(parseMediaPlaylist("#EXTM3U\nseg_000.ts\n")._unsafeUnwrapErr()).toContain("no #EXTINF");
  });
});

describe("splitHlsMaster", () => {
  const chunkMaster = [
    "#EXTM3U",
    "#EXT-X-VERSION:6",
    '#EXT-X-STREAM-INF:BANDWIDTH=880000,RESOLUTION=640x360,CODECS="avc1.64001e"',
    "360p/index.m3u8",
    "",
    '#EXT-X-STREAM-INF:BANDWIDTH=440000,RESOLUTION=426x240,CODECS="avc1.640015"',
    "240p/index.m3u8",
    "",
  ].join("\n");

  it("adds the audio rendition to every variant: its group, its codec and its bandwidth", () => {
    const master = splitHlsMaster(chunkMaster, { kbps: 128, uri: "audio/index.m3u8" })._unsafeUnwrap();
    expect(master.split("\n")).toEqual([
      "#EXTM3U",
      "#EXT-X-VERSION:6",
      "#EXT-X-INDEPENDENT-SEGMENTS",
      '#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="audio",NAME="audio",DEFAULT=YES,AUTOSELECT=YES,CHANNELS="2",URI="audio/index.m3u8"',
      '#EXT-X-STREAM-INF:BANDWIDTH=1020800,RESOLUTION=640x360,CODECS="avc1.64001e,mp4a.40.2",AUDIO="audio"',
      "360p/index.m3u8",
      '#EXT-X-STREAM-INF:BANDWIDTH=580800,RESOLUTION=426x240,CODECS="avc1.640015,mp4a.40.2",AUDIO="audio"',
      "240p/index.m3u8",
      "",
    ]);
  });

  it("leaves the variants as they are for a source without audio, and refuses a master without variants", () => {
    const master = splitHlsMaster(chunkMaster, null)._unsafeUnwrap();
    expect(master).not.toContain("AUDIO");
    expect(master).toContain('BANDWIDTH=880000,RESOLUTION=640x360,CODECS="avc1.64001e"\n360p/index.m3u8');
    expect(splitHlsMaster("#EXTM3U\n#EXT-X-VERSION:6\n", null)._unsafeUnwrapErr()).toContain("no variant");
  });
});

describe("checkJoinedHls", () => {
  const source = { videoS: 20, frameS: 1 / 30, segmentS: 4 };
  const rung = (name: string, durations: number[]) => ({
    name,
    playlist: parsed(chunkPlaylist(0, durations)),
  });

  it("accepts rungs that last the source's video to the frame, cut alike, with the audio spanning them", () => {
    const audio = parsed(chunkPlaylist(0, [4.011, 3.989, 4.011, 3.989, 4.01]));
    expect(
      checkJoinedHls([rung("360p", [4, 4, 4, 4, 4]), rung("240p", [4, 4, 4, 4, 4])], audio, source).isOk(),
    ).toBe(true);
    expect(
      checkJoinedHls([rung("360p", [4, 4, 4, 4, 3.99])], null, { ...source, videoS: 19.99 }).isOk(),
    ).toBe(true);
  });

  it.each([
    ["a lost chunk", [rung("360p", [4, 4, 4, 4])], null, "lasts 16.000 s"],
    ["a frame too many", [rung("360p", [4, 4, 4, 4, 4.0667])], null, "lasts 20.067 s"],
    ["a short segment mid-file", [rung("360p", [4, 4, 2, 6, 4])], null, "seg_002.ts lasts 2 s"],
    [
      "rungs cut apart",
      [rung("360p", [4, 4, 4, 4, 4]), rung("240p", [4, 4, 4, 4.02, 3.98])],
      null,
      "not cut where",
    ],
    [
      "short audio",
      [rung("360p", [4, 4, 4, 4, 4])],
      parsed(chunkPlaylist(0, [4, 4, 4, 4])),
      "the audio lasts 16.000",
    ],
  ])("refuses %s", (_, rungs, audio, reason) => {
    expect(checkJoinedHls(rungs, audio, source)._unsafeUnwrapErr()).toContain(reason);
  });
});

describe("workFileDestination", () => {
  it.each([
    ["hls", "c003/720p/seg_045.ts", { kind: "output", path: "720p/seg_045.ts" }],
    ["hls", "audio/seg_007.ts", { kind: "output", path: "audio/seg_007.ts" }],
    ["hls", "c003/720p/index.m3u8", { kind: "work", path: "c003/720p/index.m3u8" }],
    ["hls", "c003/master.m3u8", { kind: "work", path: "c003/master.m3u8" }],
    ["web-optimized", "c003.mp4", { kind: "work", path: "c003.mp4" }],
    ["web-optimized", "audio.m4a", { kind: "work", path: "audio.m4a" }],
  ] as const)("%s: %s → %o", (preset, path, to) => {
    expect(workFileDestination(preset, path)).toEqual(to);
  });
});
