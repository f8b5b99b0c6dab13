// The cron's reconcile plan: machine-less reservations freed or respawned, orphans and twins destroyed.
import { describe, expect, it } from "vitest";
import { findOrphanMachines, planReservationRepair } from "../../../core/plan-machine-reconcile.ts";

describe("the reconcile plan", () => {
  const boot = 180_000;
  const now = 1_000_000;
  const slots = {
    now,
    leases: [
      { machineId: "m_live", expiresAt: now + 10_000 },
      { machineId: "m_dead", expiresAt: now - 1 },
    ],
    reservations: [
      { reservationId: "m_booting", expiresAt: now + boot - 5_000 }, // reserved 5 s ago, machine exists
      { reservationId: "m_fresh", expiresAt: now + boot - 5_000 }, // reserved 5 s ago, no machine yet
      { reservationId: "m_stuck", expiresAt: now + boot - 90_000 }, // reserved 90 s ago, no machine
      { reservationId: "m_lapsed", expiresAt: now - 1 }, // past its boot deadline, no machine
    ],
    exiting: [
      { machineId: "m_stopping", until: now + 1_000 }, // released its slot a moment ago, still stopping
      { machineId: "m_overstayed", until: now - 1 }, // its stop grace is over, yet it runs
    ],
  };
  const machines = [
    { id: "f1", tag: "m_live", state: "started" },
    { id: "f2", tag: "m_dead", state: "started" },
    { id: "f3", tag: "m_booting", state: "created" },
    { id: "f4", tag: "m_unknown", state: "started" },
    { id: "f5", tag: "m_gone", state: "destroyed" },
    { id: "f6", tag: "m_stopping", state: "started" },
    { id: "f7", tag: "m_overstayed", state: "started" },
  ];

  it("frees lapsed machine-less reservations and respawns only those old enough", () => {
    expect(planReservationRepair(machines, slots, { bootDeadlineMs: boot, respawnAfterMs: 60_000 })).toEqual({
      free: ["m_lapsed"],
      respawn: ["m_stuck"],
    });
  });

  it("calls orphans the live machines without a live lease, reservation or stop grace", () => {
    expect(findOrphanMachines(machines, slots)).toEqual(["f2", "f4", "f7"]);
  });

  it("destroys all but the oldest of the machines sharing a slot's tag (a late ambiguous create's twin)", () => {
    const twins = [
      ...machines,
      { id: "f8", tag: "m_live", state: "created", createdAt: "2026-11-23T10:00:05Z" },
      { id: "f9", tag: "m_booting", state: "started", createdAt: "2026-11-23T10:00:01Z" },
      { id: "f10", tag: "m_booting", state: "destroyed", createdAt: "2026-11-23T10:00:00Z" },
    ].map((m) => (m.id === "f1" ? { ...m, createdAt: "2026-11-23T10:00:00Z" } : m));
    // m_live: f1 is older than f8. m_booting: f9 is the oldest live one (f3 has no time; f10 is gone already).
    expect(findOrphanMachines(twins, slots)).toEqual(["f2", "f3", "f4", "f7", "f8"]);
  });
});
