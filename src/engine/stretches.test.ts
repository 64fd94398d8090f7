/**
 * Where huge PMDs are possible, the fault walk decides table by table (huge PMD path or PTE path),
 * but it takes whole stretches of tables in one step (fault.ts faultByPiece: a stretch of PTE-path
 * tables as one piece; huge_memory.ts hugeFaultRun(): a stretch of huge PMDs, when no memory limit
 * has to be priced). Both must record exactly what the walk table by table records:
 *
 * - a limit that is never reached changes nothing (with a limit, huge PMDs go table by table);
 * - a fault split into one range per page table (each range its own piece) does what the whole
 *   range does: the same effects in the same order, footprint, steps, tables and page tables.
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import type { KernelEvent } from "./events.ts";
import { geometryOf } from "./geometry.ts";
import { hugeFaultsPossible } from "./huge_memory.ts";
import { applyEvent } from "./kernel.ts";
import type { MmConfig } from "./mm.ts";
import { Simulation } from "./simulation.ts";
import { setupArb } from "./test-support/arbitraries.ts";
import { worldDigest } from "./test-support/dump.ts";
import { traceHash } from "./trace.ts";
import { VARIANT_IDS, VARIANTS } from "./variants.ts";
import { World } from "./world.ts";

const RUNS = Number(process.env.FC_RUNS ?? 120);

function run(cfg: MmConfig, events: readonly KernelEvent[]): { hash: string; digest: string } {
  const sim = new Simulation([cfg]);
  for (const e of events) sim.apply(e);
  return { hash: traceHash(sim.finish()), digest: worldDigest(sim.world) };
}

describe.each(VARIANT_IDS)("stretches and table by table agree: %s", (variant) => {
  test("no memory limit (stretches) gives what a limit never reached (table by table) gives", () => {
    fc.assert(
      fc.property(setupArb(variant), ({ cfg, events }) => {
        const unlimited = { ...cfg, host: { ...cfg.host, memLimitBytes: Number.POSITIVE_INFINITY } };
        const roomy = { ...cfg, host: { ...cfg.host, memLimitBytes: 2 ** 50 } };
        expect(run(unlimited, events)).toEqual(run(roomy, events));
      }),
      { numRuns: RUNS },
    );
  });
});

/** `ranges` cut at every page-table boundary. */
function perTable(ranges: readonly number[], ptes: number, offset: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < ranges.length; i += 2) {
    let page = ranges[i]!;
    const end = page + ranges[i + 1]!;
    while (page < end) {
      const next = Math.min(end, (Math.floor((page + offset) / ptes) + 1) * ptes - offset);
      out.push(page, next - page);
      page = next;
    }
  }
  return out;
}

describe.each(VARIANT_IDS.filter((v) => VARIANTS[v].arch === "x86_64"))(
  "a fault in stretches and the same fault table by table: %s",
  (variant) => {
    test("effects, footprint, steps, tables and page tables agree event by event", () => {
      fc.assert(
        fc.property(setupArb(variant), ({ cfg, events }) => {
          const ptes = geometryOf(VARIANTS[cfg.variant].arch).ptesPerTable;
          const a = new World([cfg]);
          const b = new World([cfg]);
          const offset = a.mms[0]!.pt.ptes.pageOffset;
          for (const [i, e] of events.entries()) {
            const split =
              e.kind === "fault" && e.mm === 0 && hugeFaultsPossible(a.mms[0]!)
                ? { ...e, ranges: perTable(e.ranges, ptes, offset) }
                : e;
            const ra = applyEvent(a, e);
            const rb = applyEvent(b, split);
            const where = `event ${i} ${JSON.stringify(e)}`;
            expect([ra.ok, ra.errno, ra.failedAt], where).toEqual([rb.ok, rb.errno, rb.failedAt]);
            expect(ra.rec.effects, where).toEqual(rb.rec.effects);
            expect(ra.rec.footprint, where).toEqual(rb.rec.footprint);
            expect(ra.rec.steps, where).toEqual(rb.rec.steps);
            expect([ra.rec.tablesAllocated, ra.rec.userfaultAt], where).toEqual([
              rb.rec.tablesAllocated,
              rb.rec.userfaultAt,
            ]);
            expect(worldDigest(a), where).toBe(worldDigest(b));
          }
        }),
        { numRuns: RUNS },
      );
    });
  },
);
