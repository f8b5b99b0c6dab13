// The HLS argv: the ladder's filter graph, bitrates, aligned keyframes and playlists (rungs: ladder-for.test.ts).
import { describe, expect, it } from "vitest";
import { DEFAULT_PLAN_LIMITS } from "../../../../core/ffmpeg/check-input.ts";
import { matchesPlannedOutput } from "../../../../core/ffmpeg/ffmpeg-plan.ts";
import { planFfmpeg } from "../../../../core/ffmpeg/plan-ffmpeg.ts";
import { HLS_LADDER } from "../../../../core/ffmpeg/presets.ts";
import { type FakeInput, fakeProbe } from "./ffprobe-json.ts";

const hls = (given: FakeInput = {}) =>
  planFfmpeg({
    preset: "hls",
    probe: fakeProbe(given),
    inputPath: "in.mp4",
    outDir: "out",
    limits: DEFAULT_PLAN_LIMITS,
  })._unsafeUnwrap();

const argvOf = (given: FakeInput = {}) => hls(given).commands[0]?.argv ?? [];
const argAfter = (argv: readonly string[], flag: string) => argv[argv.indexOf(flag) + 1];

describe("HLS argv", () => {
  it("splits the video once per rung and scales each to its size", () => {
    expect(argAfter(argvOf(), "-filter_complex")).toBe(
      "[0:0]split=4[s0][s1][s2][s3];[s0]scale=1280:720,setsar=1[v0];[s1]scale=854:480,setsar=1[v1];" +
        "[s2]scale=640:360,setsar=1[v2];[s3]scale=426:240,setsar=1[v3]",
    );
  });

  it("uses no split for a single rung", () => {
    expect(argAfter(argvOf({ width: 320, height: 240 }), "-filter_complex")).toBe(
      "[0:0]scale=320:240,setsar=1[v0]",
    );
  });

  it.each<{ given: FakeInput; map: string }>([
    { given: {}, map: "v:0,a:0,name:720p v:1,a:1,name:480p v:2,a:2,name:360p v:3,a:3,name:240p" },
    { given: { audioCodec: null }, map: "v:0,name:720p v:1,name:480p v:2,name:360p v:3,name:240p" },
  ])("names variants in -var_stream_map: $map", ({ given, map }) => {
    const argv = argvOf(given);
    expect(argAfter(argv, "-var_stream_map")).toBe(map);
    expect(argv.includes("-c:a")).toBe(given.audioCodec !== null);
  });

  it("gives each rung its bitrate cap", () => {
    const argv = argvOf({ width: 1920, height: 1080 });
    expect(HLS_LADDER.map((_, i) => argAfter(argv, `-b:v:${i}`))).toEqual([
      "5000k",
      "2800k",
      "1400k",
      "800k",
      "400k",
    ]);
    HLS_LADDER.forEach((rung, i) => {
      expect(rung.maxrateKbps).toBeGreaterThan(rung.videoKbps);
      expect(argAfter(argv, `-maxrate:v:${i}`)).toBe(`${rung.maxrateKbps}k`);
      expect(argAfter(argv, `-bufsize:v:${i}`)).toBe(`${rung.bufsizeKbps}k`);
    });
  });

  it.each([
    { fps: "30/1", gop: "120" },
    { fps: "25/1", gop: "100" },
    { fps: "30000/1001", gop: "120" },
    { fps: "60/1", gop: "240" },
    { fps: "0/0", gop: "120" },
  ])("aligns keyframes every 4 s: $fps → GOP $gop", ({ fps, gop }) => {
    const argv = argvOf({ fps });
    expect(argAfter(argv, "-g")).toBe(gop);
    expect(argAfter(argv, "-keyint_min")).toBe(gop);
    expect(argAfter(argv, "-sc_threshold")).toBe("0");
    expect(argAfter(argv, "-force_key_frames:v")).toBe("expr:gte(t,n_forced*4)");
  });

  it("writes a VOD playlist per named variant and a master playlist above them", () => {
    const argv = argvOf();
    expect(argAfter(argv, "-f")).toBe("hls");
    expect(argAfter(argv, "-hls_time")).toBe("4");
    expect(argAfter(argv, "-hls_playlist_type")).toBe("vod");
    expect(argAfter(argv, "-hls_segment_filename")).toBe("out/%v/seg_%03d.ts");
    expect(argAfter(argv, "-master_pl_name")).toBe("master.m3u8");
    expect(argv.at(-1)).toBe("out/%v/index.m3u8");
  });

  it("plans the master, each variant playlist and its segments; directories for each rung", () => {
    const p = hls({ width: 641, height: 361 });
    expect(p.outputs.map((o) => [o.type, o.path, o.quality ?? ""])).toEqual([
      ["hls-master", "master.m3u8", ""],
      ["hls-playlist", "360p/index.m3u8", "360p"],
      ["hls-segment", "360p/seg_%03d.ts", "360p"],
      ["hls-playlist", "240p/index.m3u8", "240p"],
      ["hls-segment", "240p/seg_%03d.ts", "240p"],
      ["poster", "poster.jpg", ""],
    ]);
    expect(p.directories).toEqual(["out", "out/360p", "out/240p"]);
    expect(p.expected.renditions).toEqual([
      { quality: "360p", width: 640, height: 360 },
      { quality: "240p", width: 426, height: 240 },
    ]);
  });

  it("turns a rotated source upright: portrait rungs", () => {
    expect(hls({ matrixRotation: -90 }).expected).toMatchObject({ width: 720, height: 1280, rotation: 0 });
  });
});

describe("matchesPlannedOutput", () => {
  const segments = {
    type: "hls-segment",
    path: "720p/seg_%03d.ts",
    isPattern: true,
    contentType: "video/mp2t",
  } as const;
  const master = { type: "hls-master", path: "master.m3u8", isPattern: false, contentType: "x" } as const;
  it.each([
    { output: segments, path: "720p/seg_000.ts", then: true },
    { output: segments, path: "720p/seg_1234.ts", then: true },
    { output: segments, path: "720p/seg_.ts", then: false },
    { output: segments, path: "480p/seg_000.ts", then: false },
    { output: segments, path: "720p/seg_000.tsx", then: false },
    { output: segments, path: "720p/seg_000Xts", then: false },
    { output: master, path: "master.m3u8", then: true },
    { output: master, path: "masterXm3u8", then: false },
  ])("$output.path vs $path → $then", ({ output, path, then }) => {
    expect(matchesPlannedOutput(output, path)).toBe(then);
  });
});
