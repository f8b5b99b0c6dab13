// Plays a finished job in the page's <video>: an MP4 (or another video file) straight from its URL, HLS through
// hls.js (loaded only when needed, from /app/hls.mjs) wherever Media Source Extensions exist, and the browser's own
// HLS where they do not (older iPhones). The poster shows until it plays.
import type { JobView } from "../sdk/index.ts";

type HlsModule = typeof import("hls.js");

/** The vendored hls.js (node_modules/hls.js/dist/hls.light.min.mjs), served by the control plane. */
const HLS_MODULE_URL = "/app/hls.mjs";

export interface Playback {
  /** How it plays: also the video element's data-player, which the browser tests read. */
  readonly kind: "file" | "hls.js" | "native-hls" | "none";
  /** Why it does not play, or what went wrong since. */
  readonly note: string;
  stop(): void;
}

type Output = JobView["outputs"][number];

export const playOutputs = async (
  video: HTMLVideoElement,
  outputs: readonly Output[],
  onNote: (note: string) => void,
): Promise<Playback> => {
  const poster = outputs.find((output) => output.type === "poster");
  if (poster) video.poster = poster.url;
  const master = outputs.find((output) => output.type === "hls-master");
  const file = outputs.find((output) => output.type === "video");
  const started = (kind: Playback["kind"], stop: () => void = () => undefined): Playback => {
    video.dataset.player = kind;
    video.hidden = kind === "none" && !poster;
    return { kind, note: "", stop };
  };
  const none = (note: string): Playback => ({ ...started("none"), note });

  if (master) {
    const { default: Hls } = (await import(HLS_MODULE_URL)) as HlsModule;
    if (Hls.isSupported()) {
      // No Web Worker: the page's Content-Security-Policy allows no blob: workers, and one video needs none.
      const hls = new Hls({ enableWorker: false });
      hls.on(Hls.Events.ERROR, (_event, data) => {
        if (data.fatal) onNote(`HLS playback failed: ${data.details}`);
      });
      hls.loadSource(master.url);
      hls.attachMedia(video);
      return started("hls.js", () => hls.destroy());
    }
    if (video.canPlayType("application/vnd.apple.mpegurl") !== "") {
      video.src = master.url;
      return started("native-hls", () => clear(video));
    }
    return none("This browser cannot play HLS: the playlists are listed below.");
  }
  if (file) {
    if (video.canPlayType(file.contentType) === "")
      return none(`This browser cannot play ${file.contentType}: download it below.`);
    video.src = file.url;
    return started("file", () => clear(video));
  }
  return none("This job has no video to play.");
};

const clear = (video: HTMLVideoElement): void => {
  video.removeAttribute("src");
  video.load();
};
