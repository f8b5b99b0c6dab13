// Given / when / then for the fake's machine lifecycle and its fault queues (no HTTP).
import { describe, expect, it } from "vitest";
import { createFaultQueue } from "../../../shell/fly-fake/fake-fly-faults.ts";
import {
  createFakeMachineStore,
  type FakeMachineConfig,
} from "../../../shell/fly-fake/fake-machine-store.ts";

const RUN_ONCE: FakeMachineConfig = {
  image: "i",
  auto_destroy: true,
  restart: { policy: "no" },
  metadata: { t: "1" },
};
const KEEP: FakeMachineConfig = { image: "i", restart: { policy: "no" } };

const storeWith = (config: FakeMachineConfig) => {
  const store = createFakeMachineStore({ now: () => Date.UTC(2026, 10, 23), defaultRegion: "local" });
  const { id } = store.create({ config });
  return { store, id };
};

describe("fake machine lifecycle", () => {
  it.each([
    { given: RUN_ONCE, when: ["start", "exit"], then: "destroyed" },
    { given: KEEP, when: ["start", "exit"], then: "stopped" },
    { given: KEEP, when: ["exit"], then: "stopped" },
    { given: KEEP, when: ["start", "exit", "start"], then: "started" },
    { given: KEEP, when: ["start", "destroy!"], then: "destroyed" },
    { given: KEEP, when: ["start", "exit", "destroy"], then: "destroyed" },
  ] as const)("$when → $then", ({ given, when, then }) => {
    const { store, id } = storeWith(given);
    for (const step of when) {
      const result =
        step === "start"
          ? store.markStarted(id)
          : step === "exit"
            ? store.markExited(id, 0)
            : store.destroy(id, step === "destroy!");
      expect(result.ok).toBe(true);
    }
    expect(store.find(id)?.state).toBe(then);
    expect(store.get(id)).toEqual(then === "destroyed" ? null : expect.objectContaining({ state: then }));
  });

  type Store = ReturnType<typeof createFakeMachineStore>;
  it.each([
    {
      when: "destroy without force while started",
      given: KEEP,
      steps: (s: Store, id: string) => [s.markStarted(id), s.destroy(id, false)],
      then: "illegal-transition",
    },
    {
      when: "exit a stopped machine",
      given: KEEP,
      steps: (s: Store, id: string) => [s.markStarted(id), s.markExited(id, 1), s.markExited(id, 1)],
      then: "illegal-transition",
    },
    {
      when: "start an auto-destroyed machine",
      given: RUN_ONCE,
      steps: (s: Store, id: string) => [s.markStarted(id), s.markExited(id, 0), s.markStarted(id)],
      then: "unknown-machine",
    },
    {
      when: "exit a machine that never existed",
      given: KEEP,
      steps: (s: Store) => [s.markExited("f1nope", 0)],
      then: "unknown-machine",
    },
  ])("$when → $then", ({ given, steps, then }) => {
    const { store, id } = storeWith(given);
    const results = steps(store, id);
    expect(results.slice(0, -1).every((result) => result.ok)).toBe(true);
    expect(results.at(-1)).toMatchObject({ ok: false, reason: then });
  });

  it("lists by metadata, state and region, hiding destroyed machines unless asked", () => {
    const { store, id } = storeWith(RUN_ONCE);
    const other = store.create({ config: KEEP, region: "ams" }).id;
    store.destroy(other, true);
    const all = { includeDeleted: false, region: null, states: null, metadata: [] };
    expect(store.list(all).map((m) => m.id)).toEqual([id]);
    expect(store.list({ ...all, includeDeleted: true }).map((m) => m.id)).toEqual([id, other]);
    expect(store.list({ ...all, metadata: [["t", "1"]] }).map((m) => m.id)).toEqual([id]);
    expect(store.list({ ...all, metadata: [["t", "2"]] })).toEqual([]);
    expect(store.list({ ...all, includeDeleted: true, region: "ams" }).map((m) => m.id)).toEqual([other]);
    expect(store.list({ ...all, states: ["started"] })).toEqual([]);
  });

  it("resolves a waiter on the transition it waits for, and settled on any settled state", async () => {
    const { store, id } = storeWith(RUN_ONCE);
    const started = store.waitFor(id, ["settled"], 5_000);
    store.markStarted(id);
    expect(await started).toMatchObject({ kind: "reached", machine: { state: "started" } });
    expect(await store.waitFor(id, ["destroyed"], 1)).toEqual({ kind: "timed-out" });
  });
});

describe("fault queues", () => {
  it("hands out each operation's faults in order, then null", () => {
    const queue = createFaultQueue({
      create: [{ kind: "capacity" }, { kind: "rate-limited", retryAfterSeconds: 1 }],
    });
    expect(queue.pending()).toEqual({ create: 2, get: 0, list: 0, destroy: 0, wait: 0, signal: 0, stop: 0 });
    expect(queue.next("get")).toBeNull();
    expect(queue.next("create")).toEqual({ kind: "capacity" });
    expect(queue.next("create")).toEqual({ kind: "rate-limited", retryAfterSeconds: 1 });
    expect(queue.next("create")).toBeNull();
  });

  it.each([
    { given: { launch: [{ kind: "capacity" }] }, then: /unknown operation "launch"/ },
    { given: { get: [{ kind: "hang", effect: "applied-after-next-list" }] }, then: /only applies to create/ },
  ])("throws on $given", ({ given, then }) => {
    expect(() => createFaultQueue(given as never)).toThrow(then);
  });
});
