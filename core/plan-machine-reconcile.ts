// The cron's reconcile plan (pure): Fly's machines (by TCoder tag) against Redis's leases and reservations.
// A machine's tag is the id of the reservation or lease that pays for its slot.

export interface TaggedMachine {
  readonly id: string;
  readonly tag: string;
  readonly state: string;
  /** Fly's created_at (ISO 8601), when it gave one. */
  readonly createdAt?: string | null;
}

export interface SlotView {
  readonly now: number;
  readonly leases: readonly { readonly machineId: string; readonly expiresAt: number }[];
  readonly reservations: readonly { readonly reservationId: string; readonly expiresAt: number }[];
  /** Machines that released their slot and are stopping; past `until` one still running is an orphan. */
  readonly exiting: readonly { readonly machineId: string; readonly until: number }[];
}

export interface ReconcileTimings {
  /** A reservation's expiresAt is its reservation time plus this. */
  readonly bootDeadlineMs: number;
  /** A reservation with no machine this long after it was made is spawned again (tag looked up first). */
  readonly respawnAfterMs: number;
}

const GONE = new Set(["destroyed", "destroying"]);

const liveTags = (machines: readonly TaggedMachine[]): Set<string> =>
  new Set(machines.filter((m) => !GONE.has(m.state)).map((m) => m.tag));

/**
 * Reservations with no machine: past the boot deadline their slot is freed at no cost (nothing ran); earlier, once
 * old enough that the first create has surely ended, the machine is created again. `machines` must have been
 * listed before `slots` was read, so a reservation made after the listing is never judged machine-less.
 */
export const planReservationRepair = (
  machines: readonly TaggedMachine[],
  slots: SlotView,
  timings: ReconcileTimings,
): { readonly free: readonly string[]; readonly respawn: readonly string[] } => {
  const tags = liveTags(machines);
  const free: string[] = [];
  const respawn: string[] = [];
  for (const { reservationId, expiresAt } of slots.reservations) {
    if (tags.has(reservationId)) continue;
    if (expiresAt <= slots.now) free.push(reservationId);
    else if (slots.now - (expiresAt - timings.bootDeadlineMs) >= timings.respawnAfterMs)
      respawn.push(reservationId);
  }
  return { free: free.sort(), respawn: respawn.sort() };
};

/**
 * Machines to destroy: those no live lease, reservation or stop grace accounts for (orphans), and all but the oldest
 * of the machines sharing one tag (an ambiguous create that landed after every look-up made a twin, which would
 * run past the cap on the same slot). `machines` must have been listed before `slots` was read (a machine is
 * created after its reservation, so a listed machine's slot is in the later read).
 */
export const findOrphanMachines = (
  machines: readonly TaggedMachine[],
  slots: SlotView,
): readonly string[] => {
  const owned = new Set([
    ...slots.leases.filter((l) => l.expiresAt > slots.now).map((l) => l.machineId),
    ...slots.reservations.filter((r) => r.expiresAt > slots.now).map((r) => r.reservationId),
    ...slots.exiting.filter((e) => e.until > slots.now).map((e) => e.machineId),
  ]);
  const live = machines.filter((m) => !GONE.has(m.state));
  const orphans = live.filter((m) => !owned.has(m.tag));
  // ISO 8601 times order as strings; a machine without one sorts last, ids break ties.
  const age = (m: TaggedMachine) => `${m.createdAt ?? "~"} ${m.id}`;
  const oldestFirst = live.filter((m) => owned.has(m.tag)).sort((a, b) => (age(a) < age(b) ? -1 : 1));
  const kept = new Set<string>();
  const twins = oldestFirst.filter((m) => {
    if (kept.has(m.tag)) return true;
    kept.add(m.tag);
    return false;
  });
  return [...orphans, ...twins].map((m) => m.id).sort();
};
