// The `make simulate` chart: cost per month and p95 upload-to-ready against uploads a day, one line per policy
// variant, both on log scales. A hand-written SVG string: no dependencies.

export interface ChartPoint {
  readonly variant: string;
  readonly jobsPerDay: number;
  readonly costUsd: number;
  readonly p95S: number;
  /** Over 1 % of uploads refused: drawn hollow. */
  readonly overloaded: boolean;
}

const PANEL = { width: 470, height: 320, left: 64, top: 44, right: 16, bottom: 46 };
const COLORS = [
  "#000000",
  "#1f77b4",
  "#ff7f0e",
  "#2ca02c",
  "#d62728",
  "#9467bd",
  "#8c564b",
  "#e377c2",
  "#7f7f7f",
  "#bcbd22",
  "#17becf",
];

const escapeXml = (text: string): string =>
  text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;").replaceAll('"', "&quot;");

/** Powers of ten spanning the values. */
const decades = (values: readonly number[]): [number, number] => {
  const positive = values.filter((v) => v > 0 && Number.isFinite(v));
  const lo = Math.floor(Math.log10(Math.min(...positive)));
  const hi = Math.ceil(Math.log10(Math.max(...positive)));
  return [lo, hi === lo ? lo + 1 : hi];
};

const compact = (x: number): string =>
  x >= 1e6 ? `${x / 1e6}M` : x >= 1e3 ? `${x / 1e3}k` : x >= 1 ? String(x) : x.toPrecision(1);
const money = (x: number): string => `$${compact(x)}`;
/** Tick marks on the time axis: round durations rather than powers of ten. */
const TIME_TICKS = [1, 10, 60, 600, 3600, 6 * 3600, 24 * 3600, 7 * 24 * 3600];

const seconds = (s: number): string =>
  s < 60 ? `${s} s` : s < 3600 ? `${(s / 60).toFixed(0)} min` : `${(s / 3600).toFixed(0)} h`;

interface Panel {
  readonly x0: number;
  readonly title: string;
  readonly value: (p: ChartPoint) => number;
  readonly label: (v: number) => string;
  /** Candidate ticks; powers of ten when absent. */
  readonly ticks?: readonly number[];
}

const renderPanel = (panel: Panel, points: readonly ChartPoint[], variants: readonly string[]): string => {
  const [xLo, xHi] = decades(points.map((p) => p.jobsPerDay));
  const values = points.map(panel.value).filter((v) => v > 0 && Number.isFinite(v));
  const [lo, hi] = decades(values);
  const candidates = panel.ticks ?? Array.from({ length: hi - lo + 1 }, (_, i) => 10 ** (lo + i));
  // The ticks just outside the data, and every one between.
  const below = candidates.filter((t) => t <= Math.min(...values)).at(-1) ?? (candidates[0] as number);
  const above = candidates.find((t) => t >= Math.max(...values)) ?? (candidates.at(-1) as number);
  const ticks = candidates.filter((t) => t >= below && t <= above);
  const [yLo, yHi] = [Math.log10(below), Math.log10(above === below ? above * 10 : above)];
  const plotW = PANEL.width - PANEL.left - PANEL.right;
  const plotH = PANEL.height - PANEL.top - PANEL.bottom;
  const left = panel.x0 + PANEL.left;
  const x = (v: number) => left + ((Math.log10(v) - xLo) / (xHi - xLo)) * plotW;
  const y = (v: number) => PANEL.top + plotH - ((Math.log10(v) - yLo) / (yHi - yLo)) * plotH;
  const parts: string[] = [
    `<text x="${left + plotW / 2}" y="${PANEL.top - 14}" text-anchor="middle" font-weight="bold">${escapeXml(panel.title)}</text>`,
    `<rect x="${left}" y="${PANEL.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#999"/>`,
  ];
  for (let d = xLo; d <= xHi; d++) {
    const px = x(10 ** d).toFixed(1);
    parts.push(`<line x1="${px}" y1="${PANEL.top}" x2="${px}" y2="${PANEL.top + plotH}" stroke="#eee"/>`);
    parts.push(
      `<text x="${px}" y="${PANEL.top + plotH + 16}" text-anchor="middle">${compact(10 ** d)}</text>`,
    );
  }
  for (const tick of ticks) {
    const py = y(tick).toFixed(1);
    parts.push(`<line x1="${left}" y1="${py}" x2="${left + plotW}" y2="${py}" stroke="#eee"/>`);
    parts.push(
      `<text x="${left - 6}" y="${py}" text-anchor="end" dominant-baseline="middle">${escapeXml(panel.label(tick))}</text>`,
    );
  }
  parts.push(
    `<text x="${left + plotW / 2}" y="${PANEL.top + plotH + 36}" text-anchor="middle">uploads a day</text>`,
  );
  for (const [i, variant] of variants.entries()) {
    const color = COLORS[i % COLORS.length] as string;
    const dash = variant.includes("split") ? ' stroke-dasharray="6 3"' : "";
    const line = points
      .filter((p) => p.variant === variant && panel.value(p) > 0)
      .sort((a, b) => a.jobsPerDay - b.jobsPerDay);
    const path = line.map(
      (p, j) => `${j === 0 ? "M" : "L"}${x(p.jobsPerDay).toFixed(1)},${y(panel.value(p)).toFixed(1)}`,
    );
    parts.push(`<path d="${path.join(" ")}" fill="none" stroke="${color}" stroke-width="1.5"${dash}/>`);
    for (const p of line) {
      const fill = p.overloaded ? "white" : color;
      parts.push(
        `<circle cx="${x(p.jobsPerDay).toFixed(1)}" cy="${y(panel.value(p)).toFixed(1)}" r="3.5" fill="${fill}" stroke="${color}" stroke-width="1.5"/>`,
      );
    }
  }
  return parts.join("\n");
};

export const renderCostP95Chart = (
  points: readonly ChartPoint[],
  options: { readonly title: string },
): string => {
  const variants = [...new Set(points.map((p) => p.variant))];
  const legendRows = Math.ceil(variants.length / 3);
  const width = 2 * PANEL.width;
  const height = PANEL.height + 30 + legendRows * 20 + 24;
  const legend = variants.map((variant, i) => {
    const lx = 40 + (i % 3) * 310;
    const ly = PANEL.height + 30 + Math.floor(i / 3) * 20;
    const color = COLORS[i % COLORS.length] as string;
    const dash = variant.includes("split") ? ' stroke-dasharray="6 3"' : "";
    return (
      `<line x1="${lx}" y1="${ly}" x2="${lx + 28}" y2="${ly}" stroke="${color}" stroke-width="2"${dash}/>` +
      `<text x="${lx + 36}" y="${ly}" dominant-baseline="middle">${escapeXml(variant)}</text>`
    );
  });
  const note = `hollow: over 1 % of uploads refused (the cap or the spawn rate cannot keep up); dashed: split on`;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<title>${escapeXml(`${options.title}: machine cost per month and p95 upload to ready against uploads a day`)}</title>`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="${width / 2}" y="16" text-anchor="middle" font-size="14" font-weight="bold">${escapeXml(options.title)}</text>`,
    renderPanel(
      { x0: 0, title: "Machine cost per month (USD)", value: (p) => p.costUsd, label: money },
      points,
      variants,
    ),
    renderPanel(
      {
        x0: PANEL.width,
        title: "p95 upload to ready",
        value: (p) => p.p95S,
        label: seconds,
        ticks: TIME_TICKS,
      },
      points,
      variants,
    ),
    ...legend,
    `<text x="40" y="${height - 10}" fill="#555">${escapeXml(note)}</text>`,
    "</svg>",
    "",
  ].join("\n");
};
