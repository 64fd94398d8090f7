/**
 * Stepping positions (cursor.ts) and seeking (Simulation.worldAt with checkpoints): positions at
 * the action, table and PTE granularities round-trip through cursors, and the world at any
 * position equals applying the prefix from scratch.
 */
import { describe, expect, test } from "vitest";
import { GiB, KiB } from "../base/units.ts";
import { GRANULARITIES, Positions } from "./cursor.ts";
import type { KernelEvent } from "./events.ts";
import { applyEvent } from "./kernel.ts";
import type { MmConfig } from "./mm.ts";
import { CHECKPOINT_WORK, Simulation } from "./simulation.ts";
import { worldDigest } from "./test-support/dump.ts";
import { guestConfig } from "./test-support/guest.ts";
import { World } from "./world.ts";

function simulate(cfg: MmConfig, events: readonly KernelEvent[], actions: number[] = []): Simulation {
  const sim = new Simulation([cfg]);
  events.forEach((e, i) => {
    if (i === 0 || actions.includes(i)) sim.beginAction(`action at ${i}`, "test");
    sim.apply(e);
  });
  return sim;
}

function fresh(cfg: MmConfig, events: readonly KernelEvent[], event: number, done: number): World {
  const w = new World([cfg]);
  for (let i = 0; i < event; i++) applyEvent(w, events[i]!);
  if (event < events.length && done > 0) applyEvent(w, events[event]!, done);
  return w;
}

// An odd start (guest RAM begins 100 pages into a table), footprints of several runs, a userfault,
// a flag change (empty footprint) and a failed event.
const ODD = guestConfig("s390-06201e00", 700, { baseVpn: 2 ** 19 + 100 });
const EVENTS: KernelEvent[] = [
  { kind: "fault", mm: 0, access: "read", ranges: [0, 300, 500, 60] },
  { kind: "madvise", mm: 0, advice: "dontneed", ranges: [120, 200] },
  { kind: "kvm_create_vm", mm: 0 },
  { kind: "uffd_register", mm: 0, ranges: [600, 100] },
  { kind: "fault", mm: 0, access: "write", ranges: [590, 30], content: "data" },
  { kind: "fault", mm: 0, access: "read", ranges: [699, 5] },
  { kind: "enable_skeys", mm: 0, via: "set_skeys" },
];

describe("Positions", () => {
  const sim = simulate(ODD, EVENTS, [2, 5]);
  const trace = sim.finish();
  const pos = new Positions(trace);

  test("Positions.count: one step per action; per table piece / per page of each footprint, at least one per event", () => {
    expect(pos.count("action")).toBe(3);
    let pte = 0;
    let table = 0;
    for (let e = 0; e < trace.events; e++) {
      pte += Math.max(1, trace.footprintPages[e]!);
      table += Math.max(1, trace.footprintTables[e]!);
    }
    expect(pos.count("pte")).toBe(pte);
    expect(pos.count("table")).toBe(table);
    // Event 0 reads [0, 300) and [500, 560): table 0 (pages 0..155), table 1 (to 299), table 2.
    expect(trace.footprintTables[0]).toBe(3);
    // Event 4 stops at the userfault on page 600: the footprint is 590..600 inclusive.
    expect(trace.footprintPages[4]).toBe(11);
  });

  test.each(GRANULARITIES)("Positions.toCursor/fromCursor round-trip every %s position", (g) => {
    for (let p = 0; p <= pos.count(g); p++) {
      const c = pos.toCursor(g, p);
      expect(pos.fromCursor(g, c), `${g} ${p} → ${JSON.stringify(c)}`).toBe(p);
    }
  });

  test("Positions.toCursor: table steps end on table boundaries of the footprint", () => {
    const first = pos.fromCursor("table", { event: 0, done: 0 });
    expect(pos.toCursor("table", first + 1)).toEqual({ event: 0, done: 156 });
    expect(pos.toCursor("table", first + 2)).toEqual({ event: 0, done: 156 + 144 });
    expect(pos.toCursor("table", first + 3)).toEqual({ event: 1, done: 0 });
  });

  test("Positions.locate: event and step within it, for narration", () => {
    const p = pos.fromCursor("pte", { event: 1, done: 10 });
    expect(pos.locate("pte", p)).toEqual({ event: 1, step: 10, steps: 200 });
    expect(pos.locate("pte", 0)).toEqual({ event: -1, step: 0, steps: 0 });
  });

  test.each(GRANULARITIES)(
    "Simulation.worldAt: the world at every %s position equals applying the prefix from scratch",
    (g) => {
      const n = pos.count(g);
      const stride = g === "pte" ? 7 : 1;
      for (let p = 0; p <= n; p += stride) {
        const c = pos.toCursor(g, p);
        expect(worldDigest(sim.worldAt(c)), `${g} ${p}`).toBe(
          worldDigest(fresh(ODD, EVENTS, c.event, c.done)),
        );
      }
      expect(worldDigest(sim.worldAt(pos.toCursor(g, n)))).toBe(worldDigest(sim.world));
    },
  );
});

describe("Simulation checkpoints", () => {
  test("Simulation: checkpoints bound the replay; a seek from a checkpoint equals a fresh replay", () => {
    // 64 GiB on s390 is 65,536 page tables: every full-range event is more work than CHECKPOINT_WORK.
    const pages = (64 * GiB) / (4 * KiB);
    expect(pages / 256).toBeGreaterThan(CHECKPOINT_WORK);
    const cfg = guestConfig("s390-06201e00", pages);
    const events: KernelEvent[] = [
      { kind: "fault", mm: 0, access: "read", ranges: [0, pages] },
      { kind: "madvise", mm: 0, advice: "dontneed", ranges: [1000, 5000], callPages: 1 },
      { kind: "fault", mm: 0, access: "write", ranges: [3000, 100_000], content: "data" },
      { kind: "enable_skeys", mm: 0, via: "instruction" },
      { kind: "madvise", mm: 0, advice: "dontneed", ranges: [0, pages] },
      { kind: "fault", mm: 0, access: "read", ranges: [12345, 4321] },
    ];
    const sim = simulate(cfg, events);
    expect(sim.checkpointCount).toBeGreaterThan(2);
    for (const c of [
      { event: 2, done: 0 },
      { event: 3, done: 12_345 },
      { event: 4, done: 7_000_000 },
      { event: 5, done: 4000 },
      { event: 6, done: 0 },
    ]) {
      expect(worldDigest(sim.worldAt(c)), JSON.stringify(c)).toBe(
        worldDigest(fresh(cfg, events, c.event, c.done)),
      );
    }
  });
});
