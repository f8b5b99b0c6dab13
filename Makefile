# TCoder: `make dev` runs the pipeline locally, `make test` runs every test tier. Both install what they need.
SHELL := /bin/bash
.DEFAULT_GOAL := help
VITEST := npx vitest run
REPORT := .tmp/vitest-report.json

.PHONY: help deps test test-unit test-integration test-e2e check lua dashboard fixtures bench simulate dev deploy

help:
	@echo "make dev | test | test-unit | test-integration | check | lua | dashboard | fixtures | bench | simulate | deploy"

deps:
	@bash scripts/ensure-deps.sh

## Every tier: unit (pure core), integration (real redis-server, S3 server, FFmpeg), end-to-end.
test: deps
	@mkdir -p .tmp
	@status=0; $(VITEST) --reporter=default --reporter=json --outputFile.json=$(REPORT) || status=$$?; \
	  node scripts/print-test-summary.mjs $(REPORT); exit $$status

test-unit: deps
	@$(VITEST) --project unit

test-integration: deps
	@$(VITEST) --project integration

## The whole pipeline as make dev runs it (the Worker in workerd, worker processes as machines), about 2 minutes.
test-e2e: deps
	@$(VITEST) --project e2e --project e2e-waiting

## Typecheck (whole repo, core/ alone with no runtime types, sdk/ and dashboard/ with only the web platform's), lint,
## and the generated Lua and dashboard modules are current.
check: deps
	npx tsc -p tsconfig.json --noEmit
	npx tsc -p core/tsconfig.json --noEmit
	npx tsc -p sdk/tsconfig.json --noEmit
	npx tsc -p dashboard/tsconfig.json --noEmit
	npx biome check .
	node scripts/build-lua.mjs --check
	node scripts/build-dashboard.mjs --check

## Rebuild shell/redis/generated/lua-scripts.ts from shell/redis/lua/*.lua.
lua:
	node scripts/build-lua.mjs

## Rebuild shell/control-plane/http/generated/dashboard-assets.ts from dashboard/ (bundled with the SDK) and hls.js.
dashboard:
	node scripts/build-dashboard.mjs

## Sample videos for tests, generated deterministically with FFmpeg's test sources (cached in fixtures/media/).
fixtures: deps
	npx bun scripts/make-fixtures.ts

## RWOS vs BullMQ 6.7 on a dedicated redis-server, under Bun like the Fly worker, then the worker, API, quality,
## split-and-stitch and pipeline benches (see bench/README.md, ~25 min: split.ts encodes a 10-minute source twice).
bench: deps
	npx bun bench/rwos.ts
	npx bun bench/worker.ts
	npx bun bench/api.ts
	npx bun bench/cron-idle.ts
	npx bun bench/quality.ts
	npx bun bench/split.ts
	npx bun bench/encode-rate.ts
	npx bun bench/e2e.ts
	npx bun bench/idle-machines.ts

## A month of uploads through the core's own policies on a simulated clock: cost, p50/p95 and refusals per workload,
## volume and policy variant, an SVG chart in .tmp/simulate/ (see README, "make simulate"). SIMULATE_ARGS: e.g. --days 7.
simulate: deps
	npx bun scripts/simulate.ts $(SIMULATE_ARGS)

## The pipeline on this machine, in the foreground: API on http://localhost:8787 (PORT), key TCODER_API_KEY (or a
## printed dev default), data in .tmp/dev. Ctrl-C stops everything. See shell/dev/run-dev.ts.
dev: deps
	@node_modules/.bin/bun shell/dev/run-dev.ts

## Deploy the Worker (wrangler) and the worker image (fly, content-tagged). DRY_RUN=1: offline, prints the steps.
deploy: deps
	@DRY_RUN=$(DRY_RUN) npx bun scripts/deploy.ts
