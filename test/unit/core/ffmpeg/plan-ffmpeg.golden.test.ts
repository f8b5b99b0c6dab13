// Golden argv: planFfmpeg over every committed ffprobe JSON (with the worker's facts where it has them), for every
// preset, against fixtures/golden/.
// Regenerate after an intended change with `UPDATE_GOLDEN=1 npx vitest run --project unit test/unit/core/ffmpeg`.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DEFAULT_PLAN_LIMITS } from "../../../../core/ffmpeg/check-input.ts";
import { type PlanFfmpegInput, planFfmpeg } from "../../../../core/ffmpeg/plan-ffmpeg.ts";
import { type ProbeDepth, parseProbe } from "../../../../core/ffmpeg/probe-summary.ts";
import type { StreamSpan } from "../../../../core/ffmpeg/stream-spans.ts";
import { PRESET_NAMES, type PresetName } from "../../../../core/preset-names.ts";

const FIXTURES = join(import.meta.dirname, "../../../../fixtures");
const PROBES = join(FIXTURES, "probes");
const GOLDEN = join(FIXTURES, "golden");
const UPDATE = process.env.UPDATE_GOLDEN === "1";

const probeStems = readdirSync(PROBES)
  .filter((f) => f.endsWith(".json"))
  .map((f) => f.replace(/\.json$/, ""))
  .sort();

/** What the worker learned beyond the probe (fixtures/worker-facts/, written by make-fixtures), as plan input. */
const workerFacts = (stem: string): Pick<PlanFfmpegInput, "probeDepth" | "measured"> => {
  const path = join(FIXTURES, "worker-facts", `${stem}.json`);
  if (!existsSync(path)) return {};
  const facts = JSON.parse(readFileSync(path, "utf8")) as {
    probeDepth?: ProbeDepth;
    measured?: Record<string, StreamSpan>;
  };
  return {
    ...(facts.probeDepth !== undefined ? { probeDepth: facts.probeDepth } : {}),
    ...(facts.measured !== undefined
      ? { measured: new Map(Object.entries(facts.measured).map(([index, span]) => [Number(index), span])) }
      : {}),
  };
};

/** The golden document: the whole plan, or the rejection and the stage that produced it. */
const goldenFor = (preset: PresetName, stem: string): unknown => {
  const json: unknown = JSON.parse(readFileSync(join(PROBES, `${stem}.json`), "utf8"));
  const facts = workerFacts(stem);
  return parseProbe(json).match(
    (probe) =>
      planFfmpeg({
        preset,
        probe,
        inputPath: "input",
        outDir: "out",
        limits: DEFAULT_PLAN_LIMITS,
        ...facts,
      }).match(
        (plan) => ({ plan }),
        (rejection) => ({ rejection: { stage: "plan", ...rejection } }),
      ),
    (rejection) => ({ rejection: { stage: "probe", ...rejection } }),
  );
};

describe("planFfmpeg golden files", () => {
  it("has committed probes to plan from", () => {
    expect(probeStems.length).toBeGreaterThanOrEqual(7);
  });

  for (const preset of PRESET_NAMES) {
    describe(preset, () => {
      it.each(probeStems)("%s", (stem) => {
        const path = join(GOLDEN, preset, `${stem}.json`);
        const actual = goldenFor(preset, stem);
        if (UPDATE) {
          mkdirSync(join(GOLDEN, preset), { recursive: true });
          writeFileSync(path, `${JSON.stringify(actual, null, 2)}\n`);
        }
        expect(existsSync(path), `missing ${path}: run with UPDATE_GOLDEN=1`).toBe(true);
        expect(actual).toEqual(JSON.parse(readFileSync(path, "utf8")));
      });

      it("has no golden file without a probe", () => {
        const stale = existsSync(join(GOLDEN, preset))
          ? readdirSync(join(GOLDEN, preset)).filter((f) => !probeStems.includes(f.replace(/\.json$/, "")))
          : [];
        expect(stale).toEqual([]);
      });
    });
  }
});
