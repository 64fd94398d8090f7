/**
 * Property tests over random event sequences on small guests, for every kernel variant:
 *
 * - no counter goes negative, and the running counts equal a recount of the PTEs;
 * - host memory = (anonymous pages + KSM pages_shared) × 4 KiB + page-table memory;
 * - the zeropage PTE count equals the number of PTEs in a zeropage state (huge PMDs excluded);
 * - a failed event (ok = false) changes nothing, and records no footprint;
 * - the same input gives the same trace hash;
 * - worldAt(cursor) for random cursors equals a fresh replay of the prefix, and replaying a whole
 *   event's footprint as fine steps ends where the event ends.
 *
 * The compact-engine-vs-oracle comparison lives in oracle.test.ts.
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { PAGE_SIZE } from "../base/units.ts";
import { Positions } from "./cursor.ts";
import type { KernelEvent } from "./events.ts";
import { applyEvent } from "./kernel.ts";
import type { MmConfig } from "./mm.ts";
import { snapshotCounters } from "./proc/status.ts";
import { isZeropage, PTE_STATES } from "./pte.ts";
import { Simulation } from "./simulation.ts";
import { setupArb } from "./test-support/arbitraries.ts";
import { checkConsistency, STATE_CHARS, worldDigest } from "./test-support/dump.ts";
import { traceHash } from "./trace.ts";
import { VARIANT_IDS } from "./variants.ts";
import { World } from "./world.ts";

const RUNS = Number(process.env.FC_RUNS ?? 120);
function run(cfg: MmConfig, events: readonly KernelEvent[]): Simulation {
  const sim = new Simulation([cfg]);
  for (const e of events) sim.apply(e);
  return sim;
}

/** Fresh replay: every event before `event` in full, then `done` pages of event `event`. */
function replay(cfg: MmConfig, events: readonly KernelEvent[], event: number, done: number): World {
  const w = new World([cfg]);
  for (let i = 0; i < event; i++) applyEvent(w, events[i]!);
  if (event < events.length && done > 0) applyEvent(w, events[event]!, done);
  return w;
}

describe.each(VARIANT_IDS)("invariants over random event sequences: %s", (variant) => {
  test("counters: never negative; host memory and zeropage PTEs agree with the PTE states", () => {
    fc.assert(
      fc.property(setupArb(variant), ({ cfg, events }) => {
        const sim = new Simulation([cfg]);
        const mm = sim.world.mms[0]!;
        for (const [i, e] of events.entries()) {
          sim.apply(e);
          const where = `event ${i} ${JSON.stringify(e)}`;
          expect(checkConsistency(mm), where).toEqual([]);
          const c = snapshotCounters(mm);
          for (const [k, v] of Object.entries(c)) expect(v, `${where}: ${k}`).toBeGreaterThanOrEqual(0);
          // Recount from the PTEs themselves, one page at a time.
          let anon = 0;
          let ksm = 0;
          let zeroPtes = 0;
          let shmemMapped = 0;
          let cachedOnly = 0;
          for (let p = 0; p < mm.pages; p++) {
            const s = mm.pt.ptes.get(p);
            if (s >= 4 && s <= 7) anon++;
            if (s === 8) ksm++;
            if (s === 9 || s === 10) shmemMapped++;
            if (s === 11 || s === 12) cachedOnly++;
            if (isZeropage(s) && !mm.pt.huge[mm.pt.tableOf(p)]) zeroPtes++;
          }
          expect(c.anonPages, where).toBe(anon);
          // A memfd page costs memory while the page cache holds it, mapped or not.
          expect(c.hostMemBytes, where).toBe(
            (anon + c.ksmPagesShared + shmemMapped + cachedOnly) * PAGE_SIZE + c.pageTableBytes,
          );
          expect(c.rssShmemBytes, where).toBe(shmemMapped * PAGE_SIZE);
          expect(c.shmemBytes, where).toBe((shmemMapped + cachedOnly) * PAGE_SIZE);
          expect(c.ksmPagesShared, where).toBe(Math.ceil(ksm / 256));
          expect(c.zeropagePtes, where).toBe(zeroPtes);
          // RssAnon is the kernel's counter: it follows the PTEs except for the pages ksmd replaced by
          // the zeropage before a38c015f3156 (v4.17), which it keeps counting (Mm.rssAnonKept).
          expect(c.rssAnonBytes, where).toBe((anon + ksm + mm.rssAnonKept) * PAGE_SIZE);
          if (mm.has("ksmZeroPageRss")) expect(mm.rssAnonKept, where).toBe(0);
        }
      }),
      { numRuns: RUNS },
    );
  });

  test("a failed event changes nothing and leaves no footprint", () => {
    fc.assert(
      fc.property(setupArb(variant), ({ cfg, events }) => {
        const w = new World([cfg]);
        for (const e of events) {
          const before = worldDigest(w);
          const r = applyEvent(w, e);
          if (r.ok) continue;
          expect(r.errno, JSON.stringify(e)).not.toBeNull();
          expect(worldDigest(w), JSON.stringify(e)).toBe(before);
          expect(r.rec.footprint, JSON.stringify(e)).toEqual([]);
          expect(r.rec.effects, JSON.stringify(e)).toEqual([]);
        }
      }),
      { numRuns: RUNS },
    );
  });

  test("the same input gives the same trace hash; worldAt(cursor) equals a fresh replay", () => {
    fc.assert(
      fc.property(
        setupArb(variant),
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 4 }),
        ({ cfg, events }, picks) => {
          const a = run(cfg, events);
          const b = run(cfg, events);
          const trace = a.finish();
          expect(traceHash(trace)).toBe(traceHash(b.finish()));
          const pos = new Positions(trace);
          for (const [i, pick] of picks.entries()) {
            const g = (["action", "table", "pte"] as const)[i % 3]!;
            const p = Math.round(pick * pos.count(g));
            const c = pos.toCursor(g, p);
            const where = `${g} position ${p} → ${JSON.stringify(c)}`;
            expect(worldDigest(a.worldAt(c)), where).toBe(worldDigest(replay(cfg, events, c.event, c.done)));
            expect(pos.fromCursor(g, c), where).toBe(p);
          }
        },
      ),
      { numRuns: RUNS },
    );
  });

  test("fine steps: every PTE prefix of an event is consistent, and the full footprint is the event", () => {
    fc.assert(
      fc.property(setupArb(variant, 10), fc.nat(), ({ cfg, events }, pick) => {
        const sim = run(cfg, events);
        const trace = sim.finish();
        const e = pick % events.length;
        const pages = trace.footprintPages[e]!;
        const whole = worldDigest(sim.worldAt({ event: e + 1, done: 0 }));
        if (pages > 0) {
          expect(worldDigest(sim.worldAt({ event: e, done: pages })), `event ${e}`).toBe(whole);
        }
        for (const done of [1, Math.floor(pages / 2), pages - 1]) {
          if (done <= 0 || done >= pages) continue;
          const w = sim.worldAt({ event: e, done });
          expect(checkConsistency(w.mms[0]!), `event ${e} done ${done}`).toEqual([]);
        }
      }),
      { numRuns: RUNS },
    );
  });
});

test("PTE state numbering covers the thirteen states the dumps and oracle use", () => {
  expect(PTE_STATES).toBe(13);
  expect(STATE_CHARS).toHaveLength(PTE_STATES);
});
