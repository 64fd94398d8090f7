/**
 * Golden numbers for `teaching-small`, a 64 MiB guest (16,384 pages):
 *   s390: 64 MiB / 1 MiB = 64 PTE tables (4 KiB each in memory, 2 KiB in VmPTE) and one 16 KiB
 *   segment table: 278,528 bytes of page-table memory, 147,456 of VmPTE, on each host.
 * The guest writes 32 MiB (8,192 pages) of data, the balloon takes 16 MiB of free pages, the guest
 * reads [48 MiB, 56 MiB) (skipping balloon pages), and a precopy migration reads everything.
 * Every page the guest never wrote is zero: 8,192 pages.
 *   A, C: reads map the zeropage: 32 MiB RSS and 8,192 zeropage PTEs on both hosts.
 *   B, B': every read allocates: 64 MiB on both hosts.
 *   X: THPs (QEMU's MADV_HUGEPAGE, see commit-06201e00.test.ts); counted per 2 MiB range.
 */
import { describe, expect, test } from "vitest";
import { KiB, MiB, PAGE_SIZE } from "../../base/units.ts";
import type { VariantId } from "../../engine/index.ts";
import {
  actionIndex,
  afterAction,
  DESTINATION,
  finalCounters,
  guestCounts,
  pages,
  rangeCounts,
  runPreset,
  SOURCE,
} from "../test-support/golden.ts";

const ID = "teaching-small";
const GUEST = pages(64 * MiB); // 16,384
const DATA = pages(32 * MiB); // 8,192
const S390_PT_MEMORY = 64 * 4 * KiB + 16 * KiB;
const S390_VMPTE = 64 * 2 * KiB + 16 * KiB;

/** Pages of the read region the guest neither wrote nor gave to the balloon. */
function readsNever(kernel: VariantId): number {
  return guestCounts(runPreset(ID, kernel), pages(48 * MiB), pages(8 * MiB)).free;
}

test.each<VariantId>(["s390-06201e00", "s390-2faee8ff"])(
  "%s: zeropages everywhere the guest did not write",
  (kernel) => {
    const run = runPreset(ID, kernel);
    expect(run.outcome).toBe("completed");
    const read = afterAction(run, actionIndex(run, /guest reads/), SOURCE);
    expect(read.zeropagePtes).toBe(readsNever(kernel));
    expect(read.rssAnonBytes).toBe(32 * MiB);
    for (const mm of [SOURCE, DESTINATION]) {
      const c = finalCounters(run, mm);
      expect(c.rssAnonBytes).toBe(32 * MiB);
      expect(c.zeropagePtes).toBe(GUEST - DATA);
      expect(c.pteTables).toBe(64);
      expect(c.pageTableBytes).toBe(S390_PT_MEMORY);
      expect(c.vmPteBytes).toBe(S390_VMPTE);
    }
  },
);

test.each<VariantId>(["s390-fa41ba0d", "s390-fa41ba0d-90a7592d"])("%s: every read allocates", (kernel) => {
  const run = runPreset(ID, kernel);
  expect(run.outcome).toBe("completed");
  const read = afterAction(run, actionIndex(run, /guest reads/), SOURCE);
  expect(read.zeropagePtes).toBe(0);
  expect(read.rssAnonBytes).toBe(32 * MiB + readsNever(kernel) * PAGE_SIZE);
  for (const mm of [SOURCE, DESTINATION]) {
    const c = finalCounters(run, mm);
    expect(c.rssAnonBytes).toBe(64 * MiB);
    expect(c.zeropagePtes).toBe(0);
    expect(c.pageTableBytes).toBe(S390_PT_MEMORY);
  }
});

describe("x86_64: THPs where the guest wrote, the huge zero page where it did not", () => {
  // Source: the guest's first write into a 2 MiB range allocates a THP; the balloon's 4 KiB
  // discards split the THPs they hit and free those pages; the migration's read of a freed page
  // maps a small zeropage (the range has a PTE table now). A range the guest never wrote has no
  // table (discarding there zaps nothing), so the first read maps the huge zero page.
  // Destination: a THP per range with data, the huge zero page elsewhere.
  const ranges = () => rangeCounts(runPreset(ID, "x86_64"), 512);

  test("source", () => {
    const c = finalCounters(runPreset(ID, "x86_64"), SOURCE);
    const r = ranges();
    expect(c.thpPmds).toBe(r.usedNoBalloon);
    expect(c.hugeZeroPmds).toBe(r.withoutUsed);
    expect(c.zeropagePtes).toBe(r.balloonPagesBesideUsed);
    expect(c.anonPages).toBe(r.withUsed * 512 - r.balloonPagesBesideUsed);
    expect(c.pteTables).toBe(GUEST / 512);
    expect(c.presentPages).toBe(GUEST);
  });

  test("destination", () => {
    const c = finalCounters(runPreset(ID, "x86_64"), DESTINATION);
    const r = ranges();
    expect(c.thpPmds).toBe(r.withUsed);
    expect(c.hugeZeroPmds).toBe(r.withoutUsed);
    expect(c.zeropagePtes).toBe(0);
    expect(c.rssAnonBytes).toBe(r.withUsed * 2 * MiB);
  });
});
