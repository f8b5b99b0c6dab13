// The simulator's job time model against `make bench` on this machine: its encode figures are the measured ones
// (within 15 %), and it predicts the worker's transcode phase of the pipeline bench (within 25 %), which it was not
// built from. Also: the simulated settings default to what a deploy ships with.
import { readFileSync } from "node:fs";
import * as v from "valibot";
import { describe, expect, it } from "vitest";
import { guestKey } from "../../../../core/machine-guest.ts";
import { PRESET_NAMES } from "../../../../core/preset-names.ts";
import {
  audioSeconds,
  chunkSeconds,
  DEFAULT_JOB_TIME_MODEL,
  encodeRateKey,
  encodeSecondsPerMediaSecond,
  jobTimeModelFromBench,
  PIXELS_720P,
  PIXELS_1080P,
  splitStepSeconds,
  stitchSeconds,
  taskSeconds,
} from "../../../../core/simulate/job-time-model.ts";
import {
  REPO_DEFAULTS,
  SHIPPED_SPLIT,
  simulationSettings,
} from "../../../../core/simulate/simulation-settings.ts";
import { splitSettings } from "../../../../core/split/plan-chunks.ts";
import { EnvSchema } from "../../../../shell/control-plane/config/control-plane-env.ts";

const bench = JSON.parse(
  readFileSync(new URL("../../../../bench/results.json", import.meta.url), "utf8"),
) as Record<string, number>;
const MODEL_TOLERANCE = 0.15;
const E2E_TOLERANCE = 0.25;

const relativeError = (model: number, measured: number) => Math.abs(model - measured) / measured;

describe("the job time model against bench/results.json", () => {
  it.each(
    PRESET_NAMES.flatMap((preset) => (["720p", "1080p"] as const).map((size) => [preset, size] as const)),
  )("%s at %s encodes at the measured speed", (preset, size) => {
    const measured = bench[encodeRateKey(preset, size)];
    expect(
      measured,
      `bench key ${encodeRateKey(preset, size)}: run npx bun bench/encode-rate.ts`,
    ).toBeDefined();
    const model = DEFAULT_JOB_TIME_MODEL.encode[preset][size === "720p" ? "p720" : "p1080"];
    // Stream copy takes milliseconds: compare it in absolute terms.
    if (preset === "default") expect(Math.abs(model - (measured as number))).toBeLessThan(0.005);
    else expect(relativeError(model, measured as number)).toBeLessThanOrEqual(MODEL_TOLERANCE);
  });

  it.each([
    ["keyframe_scan_ms_per_media_s", DEFAULT_JOB_TIME_MODEL.keyframeScanSPerMediaS * 1000],
    ["encode_rtf_audio", DEFAULT_JOB_TIME_MODEL.audioSPerMediaS],
    ["stitch_ms_per_media_s", DEFAULT_JOB_TIME_MODEL.stitchSPerMediaS * 1000],
  ] as const)("a split job's own pass, %s, runs at the measured speed", (key, model) => {
    const measured = bench[key];
    expect(measured, `bench key ${key}: run npx bun bench/encode-rate.ts`).toBeDefined();
    expect(relativeError(model, measured as number)).toBeLessThanOrEqual(MODEL_TOLERANCE);
  });

  it("predicts the pipeline bench's transcode phase (10 s 720p, web-optimized) from the encode figures", () => {
    const measuredS = (bench.e2e_transcode_ms as number) / 1000;
    // On this machine nothing moves over a network: no per-task overheads, only the encode and its checks.
    const local = { ...jobTimeModelFromBench(bench), taskFixedS: 0, transferSPerMediaS: 0 };
    const predictedS = taskSeconds({ preset: "web-optimized", pixels: PIXELS_720P, durationS: 10 }, local);
    expect(relativeError(predictedS, measuredS)).toBeLessThanOrEqual(E2E_TOLERANCE);
  });

  it("takes every bench figure it knows, and keeps its defaults for the rest", () => {
    const model = jobTimeModelFromBench({ encode_rtf_hls_720p: 0.9, stitch_fixed_ms: 250 });
    expect(model.encode.hls).toEqual({ p720: 0.9, p1080: DEFAULT_JOB_TIME_MODEL.encode.hls.p1080 });
    expect(model.stitchFixedS).toBe(0.25);
    expect(model.encode.mobile).toEqual(DEFAULT_JOB_TIME_MODEL.encode.mobile);
  });

  it("times a split job's passes: chunks without the SSIM checks, the scan and the audio read the input once", () => {
    const model = { ...DEFAULT_JOB_TIME_MODEL, taskFixedS: 2, transferSPerMediaS: 0.01 };
    const span = { preset: "web-optimized", pixels: PIXELS_720P, durationS: 60 } as const;
    const rate = model.encode["web-optimized"].p720;
    expect(chunkSeconds(span, model)).toBeCloseTo(2 + 60 * (rate + 0.01), 9);
    expect(taskSeconds(span, model) - chunkSeconds(span, model)).toBeCloseTo(
      60 * rate * model.qualityCheckOverhead,
      9,
    );
    expect(splitStepSeconds(600, true, model)).toBeCloseTo(
      2 + 600 * (model.keyframeScanSPerMediaS + 0.005),
      9,
    );
    // HLS chunks are cut on the segment grid: no scan; its stitch joins playlists, no media.
    expect(splitStepSeconds(600, false, model)).toBe(2);
    expect(stitchSeconds(600, false, model)).toBe(2);
    expect(stitchSeconds(600, true, model)).toBeCloseTo(
      2 + model.stitchFixedS + 600 * (model.stitchSPerMediaS + 0.01),
      9,
    );
    expect(audioSeconds(600, model)).toBeCloseTo(2 + 600 * (model.audioSPerMediaS + 0.005), 9);
  });

  it("scales encode time with pixels: through both figures, proportional below 720p", () => {
    const rates = { p720: 0.5, p1080: 1.1 };
    expect(encodeSecondsPerMediaSecond(rates, PIXELS_720P)).toBeCloseTo(0.5);
    expect(encodeSecondsPerMediaSecond(rates, PIXELS_1080P)).toBeCloseTo(1.1);
    expect(encodeSecondsPerMediaSecond(rates, PIXELS_720P / 2)).toBeCloseTo(0.25);
    expect(encodeSecondsPerMediaSecond(rates, 3840 * 2160)).toBeGreaterThan(3);
  });
});

describe("simulated settings", () => {
  it("default to the shipped settings", () => {
    const shipped = (name: keyof typeof EnvSchema.entries) => v.parse(EnvSchema.entries[name], undefined);
    expect(REPO_DEFAULTS).toEqual({
      maxMachines: shipped("MAX_MACHINES"),
      spawnRateMax: shipped("SPAWN_RATE_MAX"),
      spawnRateWindowMs: shipped("SPAWN_RATE_WINDOW_MS"),
      capacityRetryMs: shipped("CAPACITY_RETRY_MS"),
      monthlyBudgetUsd: shipped("MONTHLY_BUDGET_USD"),
      maxPendingJobs: shipped("MAX_PENDING_JOBS"),
      leaseMs: shipped("LEASE_MS"),
      heartbeatMs: shipped("HEARTBEAT_MS"),
      stopGraceMs: shipped("MACHINE_STOP_GRACE_MS"),
      poolGuest: REPO_DEFAULTS.poolGuest,
    });
    expect(guestKey(REPO_DEFAULTS.poolGuest)).toBe(shipped("POOL_GUEST"));
    expect(simulationSettings().lifecycle).toEqual({
      ttlMs: shipped("WORKER_TTL_MS"),
      maxJobs: shipped("WORKER_MAX_JOBS"),
      drainBufferMs: shipped("WORKER_DRAIN_MS"),
      idleExitMs: shipped("WORKER_IDLE_EXIT_MS"),
    });
    expect(SHIPPED_SPLIT).toEqual(
      splitSettings({
        splitAfterS: shipped("SPLIT_AFTER_SECONDS") as number,
        chunkS: shipped("SPLIT_CHUNK_SECONDS") as number,
      }),
    );
  });
});
