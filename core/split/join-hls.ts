// The HLS stitch, on playlists only: each rung's chunk playlists joined into one VOD playlist (the segments keep the
// numbers and timestamps their chunks gave them, so none is re-muxed), a master naming the audio rendition, and the
// check that the joined package covers the source to the frame with every segment the target length but the last.
import { err, ok, type Result } from "neverthrow";

export interface HlsSegment {
  readonly durationS: number;
  readonly uri: string;
}

export interface MediaPlaylist {
  readonly version: number;
  readonly mediaSequence: number;
  readonly segments: readonly HlsSegment[];
  readonly ended: boolean;
}

/** The audio rendition's group in a split package's master. */
export const AUDIO_GROUP = "audio";
/** RFC 6381 codec of the AAC-LC audio the audio task writes. */
const AAC_LC = "mp4a.40.2";
/** ffmpeg's own headroom on a variant's stated bandwidth (as in the masters it writes). */
const BANDWIDTH_HEADROOM = 1.1;

const SEGMENT_NUMBER = /(\d+)\.ts$/;

export const parseMediaPlaylist = (text: string): Result<MediaPlaylist, string> => {
  const lines = text.split(/\r?\n/).map((l) => l.trim());
  if (lines[0] !== "#EXTM3U") return err("not an HLS playlist (no #EXTM3U)");
  let version = 3;
  let mediaSequence = 0;
  let ended = false;
  let pending: number | null = null;
  const segments: HlsSegment[] = [];
  for (const line of lines.slice(1)) {
    if (line === "") continue;
    if (line.startsWith("#EXT-X-VERSION:")) version = Number(line.slice(15));
    else if (line.startsWith("#EXT-X-MEDIA-SEQUENCE:")) mediaSequence = Number(line.slice(22));
    else if (line === "#EXT-X-ENDLIST") ended = true;
    else if (line.startsWith("#EXTINF:")) pending = Number.parseFloat(line.slice(8));
    else if (!line.startsWith("#")) {
      if (pending === null || !Number.isFinite(pending))
        return err(`segment ${line} has no #EXTINF duration`);
      segments.push({ durationS: pending, uri: line });
      pending = null;
    }
  }
  if (!Number.isInteger(version) || !Number.isInteger(mediaSequence))
    return err("a malformed playlist header");
  return ok({ version, mediaSequence, segments, ended });
};

const segmentNumber = (uri: string): number | null => {
  const found = SEGMENT_NUMBER.exec(uri);
  return found?.[1] === undefined ? null : Number(found[1]);
};

/** One rung's chunk playlists, in chunk order, as one VOD playlist; refuses a gap or overlap in the numbering. */
export const joinMediaPlaylists = (parts: readonly MediaPlaylist[]): Result<MediaPlaylist, string> => {
  const first = parts[0];
  if (first === undefined) return err("no chunk playlists to join");
  const segments = parts.flatMap((p) => p.segments);
  for (const [i, part] of parts.entries()) {
    if (!part.ended) return err(`chunk ${i}'s playlist is not finished (no #EXT-X-ENDLIST)`);
    if (part.segments.length === 0) return err(`chunk ${i}'s playlist has no segments`);
  }
  let expected = segmentNumber(segments[0]?.uri ?? "");
  for (const segment of segments) {
    const number = segmentNumber(segment.uri);
    if (number === null || number !== expected) {
      return err(`segment ${segment.uri} breaks the numbering (expected number ${expected ?? "?"})`);
    }
    expected = number + 1;
  }
  return ok({ version: first.version, mediaSequence: first.mediaSequence, segments, ended: true });
};

export const renderMediaPlaylist = (playlist: MediaPlaylist): string =>
  [
    "#EXTM3U",
    `#EXT-X-VERSION:${playlist.version}`,
    `#EXT-X-TARGETDURATION:${Math.max(1, ...playlist.segments.map((s) => Math.round(s.durationS)))}`,
    `#EXT-X-MEDIA-SEQUENCE:${playlist.mediaSequence}`,
    "#EXT-X-PLAYLIST-TYPE:VOD",
    "#EXT-X-INDEPENDENT-SEGMENTS",
    ...playlist.segments.flatMap((s) => [`#EXTINF:${s.durationS.toFixed(6)},`, s.uri]),
    ...(playlist.ended ? ["#EXT-X-ENDLIST"] : []),
    "",
  ].join("\n");

/**
 * The package's master from the first chunk's (video-only variants as ffmpeg described them: bandwidth, resolution,
 * codecs): each variant gains the audio rendition's codec and bandwidth and names its group.
 */
export const splitHlsMaster = (
  chunkMaster: string,
  audio: { readonly kbps: number; readonly uri: string } | null,
): Result<string, string> => {
  const lines = chunkMaster.split(/\r?\n/).map((l) => l.trim());
  if (lines[0] !== "#EXTM3U") return err("the chunk's master is not an HLS playlist");
  const variants = lines.filter((l) => l.startsWith("#EXT-X-STREAM-INF:")).length;
  if (variants === 0) return err("the chunk's master names no variant");
  const extra = audio === null ? 0 : Math.round(audio.kbps * 1000 * BANDWIDTH_HEADROOM);
  const withAudio = (line: string): string => {
    if (audio === null) return line;
    const bandwidth = line.replace(/BANDWIDTH=(\d+)/, (_, b: string) => `BANDWIDTH=${Number(b) + extra}`);
    const codecs = /CODECS="([^"]*)"/.test(bandwidth)
      ? bandwidth.replace(/CODECS="([^"]*)"/, (_, c: string) => `CODECS="${c},${AAC_LC}"`)
      : bandwidth;
    return `${codecs},AUDIO="${AUDIO_GROUP}"`;
  };
  const media =
    audio === null
      ? []
      : [
          `#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="${AUDIO_GROUP}",NAME="audio",DEFAULT=YES,AUTOSELECT=YES,` +
            `CHANNELS="2",URI="${audio.uri}"`,
        ];
  const body = lines
    .slice(1)
    .filter((l) => l !== "" && !l.startsWith("#EXT-X-VERSION"))
    .map((l) => (l.startsWith("#EXT-X-STREAM-INF:") ? withAudio(l) : l));
  const version = lines.find((l) => l.startsWith("#EXT-X-VERSION")) ?? "#EXT-X-VERSION:6";
  return ok(["#EXTM3U", version, "#EXT-X-INDEPENDENT-SEGMENTS", ...media, ...body, ""].join("\n"));
};

/**
 * The joined package, checked as a player will meet it: each video rung lasts the source's video within a frame,
 * every segment but each rung's last is the target within a frame, the rungs are cut at the same points, and the
 * audio rendition spans the video.
 */
export const checkJoinedHls = (
  rungs: readonly { readonly name: string; readonly playlist: MediaPlaylist }[],
  audio: MediaPlaylist | null,
  source: { readonly videoS: number; readonly frameS: number; readonly segmentS: number },
): Result<void, string> => {
  const slack = source.frameS + 0.0005;
  const total = (p: MediaPlaylist) => p.segments.reduce((sum, s) => sum + s.durationS, 0);
  const first = rungs[0];
  if (first === undefined) return err("the package has no video rung");
  for (const { name, playlist } of rungs) {
    const lasts = total(playlist);
    if (Math.abs(lasts - source.videoS) > slack) {
      return err(
        `rung ${name} lasts ${lasts.toFixed(3)} s, the source's video ${source.videoS.toFixed(3)} s`,
      );
    }
    const odd = playlist.segments.slice(0, -1).find((s) => Math.abs(s.durationS - source.segmentS) > slack);
    if (odd !== undefined) {
      return err(
        `rung ${name}: segment ${odd.uri} lasts ${odd.durationS} s, not the ${source.segmentS} s target`,
      );
    }
    const cuts = playlist.segments.map((s) => s.durationS.toFixed(3)).join(",");
    if (cuts !== first.playlist.segments.map((s) => s.durationS.toFixed(3)).join(",")) {
      return err(`rung ${name} is not cut where rung ${first.name} is`);
    }
  }
  if (audio !== null && total(audio) < source.videoS - slack - 0.05) {
    return err(
      `the audio lasts ${total(audio).toFixed(3)} s, shorter than the video's ${source.videoS.toFixed(3)} s`,
    );
  }
  return ok(undefined);
};
