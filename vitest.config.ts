// Test tiers: unit (pure core, milliseconds), integration (real redis-server, S3 server, FFmpeg), e2e (whole pipeline).
import { cloudflareTest } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    reporters: ["default"],
    projects: [
      {
        test: {
          name: "unit",
          include: ["test/unit/**/*.test.ts"],
          environment: "node",
        },
      },
      {
        test: {
          name: "integration",
          include: ["test/integration/**/*.test.ts"],
          environment: "node",
          globalSetup: ["test/services/global-setup.ts"],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        // The whole pipeline as `make dev` runs it (test/e2e/e2e-stack.ts starts one stack per file). Files run
        // one at a time, after the other projects, so FFmpeg and workerd do not fight them for the 2 cores.
        test: {
          name: "e2e",
          include: ["test/e2e/**/*.test.ts"],
          exclude: ["test/e2e/stranded-upload.test.ts"],
          environment: "node",
          fileParallelism: false,
          sequence: { groupOrder: 1 },
          testTimeout: 180_000,
          hookTimeout: 180_000,
        },
      },
      {
        // An e2e file that spends most of its time waiting out a 100 s Redis freeze: it runs beside the other tiers
        // instead of in the one-at-a-time e2e queue, where its idle minutes would add to the whole run.
        test: {
          name: "e2e-waiting",
          include: ["test/e2e/stranded-upload.test.ts"],
          environment: "node",
          testTimeout: 180_000,
          hookTimeout: 180_000,
        },
      },
      {
        // The control plane's Worker entry inside workerd (Miniflare), against the same kind of real services.
        plugins: [
          cloudflareTest(({ inject }) => ({
            wrangler: { configPath: "./wrangler.toml" },
            miniflare: { bindings: inject("workerEnv") },
          })),
        ],
        test: {
          name: "workers",
          include: ["test/workers/**/*.test.ts"],
          globalSetup: ["test/workers/global-setup.ts"],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
