// The create body TCoder sends: run-once settings, guest from the preset, tag in metadata, valid per Fly's spec.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { buildCreateMachineBody } from "../../../shell/fly/build-create-machine-body.ts";
import { validateOpenApiSchema } from "../../../shell/fly-fake/validate-openapi-schema.ts";

const spec: unknown = JSON.parse(
  readFileSync(new URL("../../../fixtures/fly/machines-openapi.json", import.meta.url), "utf8"),
);
const request = {
  image: "registry.fly.io/tcoder-worker:abc",
  region: "ord",
  guest: { cpuKind: "performance", cpus: 2, memoryMb: 4096 },
  env: { JOB_ID: "job-1" },
  tag: "job-1.attempt-1",
} as const;

describe("buildCreateMachineBody", () => {
  it("sets auto_destroy with restart policy no, the stop signal and timeout, the guest, env and the tag", () => {
    expect(buildCreateMachineBody(request)).toEqual({
      region: "ord",
      config: {
        image: "registry.fly.io/tcoder-worker:abc",
        env: { JOB_ID: "job-1" },
        guest: { cpu_kind: "performance", cpus: 2, memory_mb: 4096 },
        metadata: { tcoder_tag: "job-1.attempt-1", tcoder_guest: "performance-2x-4096" },
        auto_destroy: true,
        restart: { policy: "no" },
        stop_config: { signal: "SIGTERM", timeout: "60s" },
      },
    });
  });

  it("adds a name when given, and extra metadata cannot override the tag", () => {
    const body = buildCreateMachineBody({
      ...request,
      name: "w-1",
      metadata: { tcoder_tag: "other", team: "a" },
    });
    expect(body.name).toBe("w-1");
    expect(body.config.metadata).toEqual({
      team: "a",
      tcoder_tag: "job-1.attempt-1",
      tcoder_guest: "performance-2x-4096",
    });
  });

  it("conforms to CreateMachineRequest in Fly's OpenAPI document", () => {
    const body = buildCreateMachineBody({ ...request, name: "w-1" });
    expect(validateOpenApiSchema({ $ref: "#/components/schemas/CreateMachineRequest" }, body, spec)).toEqual(
      [],
    );
  });

  it.each(["", "has space", "a/b", "x".repeat(129), "-leading-dash"])("throws on the tag %j", (tag) => {
    expect(() => buildCreateMachineBody({ ...request, tag })).toThrow(/bad tag/);
  });
});
