// Frame-size arithmetic: the size a viewer sees, and even-sized downscales of it (into boxes) that never upscale.
import type { ProbeStream } from "./probe-summary.ts";

export interface FrameSize {
  readonly width: number;
  readonly height: number;
}

/** A bounding box that turns with the picture: 3840x2160 also holds a 2160x3840 portrait clip. */
export interface FrameBox {
  readonly longSide: number;
  readonly shortSide: number;
}

/** Largest even number ≤ n, at least 2 (4:2:0 chroma needs even sizes). */
export const floorEven = (n: number): number => Math.max(2, Math.floor(n / 2) * 2);

const roundEven = (n: number): number => Math.max(2, Math.round(n / 2) * 2);

/**
 * What the viewer sees: coded size stretched by the sample aspect ratio, then turned by the rotation.
 * ffmpeg's autorotate turns the picture before our filters run, so filter sizes are in display terms.
 */
export const displaySize = (video: ProbeStream): FrameSize => {
  const codedWidth = video.width ?? 0;
  const codedHeight = video.height ?? 0;
  const width = Math.round(codedWidth * (video.sampleAspectRatio ?? 1));
  const turned = video.rotation === 90 || video.rotation === 270;
  return turned ? { width: codedHeight, height: width } : { width, height: codedHeight };
};

/** The source size made even (trims at most one pixel per side). */
export const evenSize = (size: FrameSize): FrameSize => ({
  width: floorEven(size.width),
  height: floorEven(size.height),
});

const scaleBy = (size: FrameSize, factor: number): FrameSize => ({
  width: Math.min(roundEven(size.width * factor), floorEven(size.width)),
  height: Math.min(roundEven(size.height * factor), floorEven(size.height)),
});

/**
 * Downscale so the short side is at most `maxShortSide` ("480p" means the short side, so portrait video
 * keeps its shape); never upscales. Both sides come out even.
 */
export const fitShortSide = (size: FrameSize, maxShortSide: number): FrameSize => {
  const shortSide = Math.min(size.width, size.height);
  if (shortSide <= maxShortSide) return evenSize(size);
  const scaled = scaleBy(size, maxShortSide / shortSide);
  // Pin the short side exactly so rung labels ("720p") match the encoded size.
  return size.width <= size.height
    ? { width: floorEven(maxShortSide), height: scaled.height }
    : { width: scaled.width, height: floorEven(maxShortSide) };
};

/** Downscale so the width is at most `maxWidth`; never upscales. Both sides come out even. */
export const fitWidth = (size: FrameSize, maxWidth: number): FrameSize => {
  if (size.width <= maxWidth) return evenSize(size);
  const scaled = scaleBy(size, maxWidth / size.width);
  return { width: floorEven(maxWidth), height: scaled.height };
};

/** Downscale so the long side is at most `maxLongSide`; never upscales. Both sides come out even. */
export const fitLongSide = (size: FrameSize, maxLongSide: number): FrameSize => {
  const longSide = longSideOf(size);
  if (longSide <= maxLongSide) return evenSize(size);
  const scaled = scaleBy(size, maxLongSide / longSide);
  return size.width >= size.height
    ? { width: floorEven(maxLongSide), height: scaled.height }
    : { width: scaled.width, height: floorEven(maxLongSide) };
};

/**
 * Downscale to fit inside the box turned like the picture, keeping its shape; never upscales. The short side
 * is pinned when it is what limits (16:9 and narrower), the long side otherwise (wider than the box).
 */
export const fitBox = (size: FrameSize, box: FrameBox): FrameSize => {
  const byShortSide = fitShortSide(size, box.shortSide);
  return longSideOf(byShortSide) <= box.longSide ? byShortSide : fitLongSide(size, box.longSide);
};

/** Does the picture fit inside the box (turned like the picture) without scaling? */
export const fitsInBox = (size: FrameSize, box: FrameBox): boolean =>
  shortSideOf(size) <= box.shortSide && longSideOf(size) <= box.longSide;

export const shortSideOf = (size: FrameSize): number => Math.min(size.width, size.height);

export const longSideOf = (size: FrameSize): number => Math.max(size.width, size.height);
