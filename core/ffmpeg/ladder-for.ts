// Decides an HLS ladder's rungs for one source: sizes from the display size, the source's own size on top.
import { evenSize, type FrameSize, fitBox, fitsInBox, shortSideOf } from "./display-size.ts";
import type { HlsRung } from "./presets.ts";

export interface LadderRung {
  /** The short side of the encoded size: "720p", "800p" for a 1920x800 film. */
  readonly name: string;
  readonly size: FrameSize;
  readonly videoKbps: number;
  readonly maxrateKbps: number;
  readonly bufsizeKbps: number;
  readonly audioKbps: number;
}

/** A rung barely smaller than the source adds little beside it: the source's own rung takes its place. */
const MIN_AREA_STEP = 1.25;

const areaOf = (size: { width: number; height: number }): number => size.width * size.height;
const boxArea = (rung: HlsRung): number => rung.longSide * rung.shortSide;

const rungAt = (rung: HlsRung, size: FrameSize): LadderRung => ({
  name: `${shortSideOf(size)}p`,
  size,
  videoKbps: rung.videoKbps,
  maxrateKbps: rung.maxrateKbps,
  bufsizeKbps: rung.bufsizeKbps,
  audioKbps: rung.audioKbps,
});

/**
 * The source at its own size, between the smallest box that holds it (`upper`) and the next one down: bitrates
 * are interpolated by pixel area, so a 1600x900 source gets between the 720p and 1080p rungs' rates.
 */
const ownRung = (source: FrameSize, upper: HlsRung, next: HlsRung | undefined): LadderRung => {
  if (next === undefined) return rungAt(upper, source);
  const t = Math.min(1, Math.max(0, (areaOf(source) - boxArea(next)) / (boxArea(upper) - boxArea(next))));
  const between = (high: number, low: number) => Math.round(low + t * (high - low));
  return {
    name: `${shortSideOf(source)}p`,
    size: source,
    videoKbps: between(upper.videoKbps, next.videoKbps),
    maxrateKbps: between(upper.maxrateKbps, next.maxrateKbps),
    bufsizeKbps: between(upper.bufsizeKbps, next.bufsizeKbps),
    audioKbps: upper.audioKbps,
  };
};

/**
 * Rungs for a source shown at `display` (rotation and pixel aspect applied), highest first. Each rung's box is
 * turned like the picture. Boxes too small for the source give downscales; when one holds the source whole, the
 * source at its own even size is the top rung (never upscaled): a 1600x900 source tops out at 900p, a 1920x800
 * film at 800p. A source larger than the top box is capped by it. Names (short sides) strictly decrease.
 */
export const ladderFor = (display: FrameSize, ladder: readonly HlsRung[]): LadderRung[] => {
  const source = evenSize(display);
  // Boxes nest from the top down, so those that hold the source whole come first.
  const holding = ladder.filter((r) => fitsInBox(source, r)).length;
  const upper = ladder[holding - 1];
  const next = ladder[holding];
  const below = ladder.slice(holding).map((r) => rungAt(r, fitBox(display, r)));
  const [first, ...rest] = below;
  const rungs =
    upper === undefined
      ? below
      : [
          ownRung(source, upper, next),
          ...(first !== undefined && areaOf(first.size) * MIN_AREA_STEP > areaOf(source) ? rest : below),
        ];
  // Extreme shapes (a 4000x2 strip) can round several boxes to the same size: keep the first of each.
  const kept: LadderRung[] = [];
  for (const rung of rungs) {
    const last = kept.at(-1);
    if (last === undefined || shortSideOf(rung.size) < shortSideOf(last.size)) kept.push(rung);
  }
  return kept;
};
