/**
 * Golden numbers for `pagemap-optimization` (, the user-space alternative in 06201e00's
 * message): QEMU consults /proc/self/pagemap before reading a page on the source and before the
 * zero check on the destination. The ballooned 40 GiB are not present on the source, so they are
 * sent as zero pages without being read, and the destination never reads fresh RAM: nothing is
 * allocated and no table is filled with zeropages, whatever the variant. Under fa41ba0d that keeps
 * both hosts at the 60 GiB the guest uses.
 *
 * The destination's page tables are only those of the ranges holding data, which depends on where
 * the PRNG put the guest's extents: counted from the guest's page set.
 */
import { describe, expect, test } from "vitest";
import { GiB, MiB } from "../../base/units.ts";
import type { VariantId } from "../../engine/index.ts";
import {
  DESTINATION,
  finalCounters,
  finalExtra,
  pages,
  rangeCounts,
  runPreset,
  SOURCE,
} from "../test-support/golden.ts";

const ID = "pagemap-optimization";
const BALLOON = pages(40 * GiB);
const USED = pages(60 * GiB);

describe.each<VariantId>(["s390-fa41ba0d", "s390-06201e00"])("%s", (kernel) => {
  test("60 GiB on both hosts, no zeropage, the ballooned pages never present", () => {
    const run = runPreset(ID, kernel);
    expect(run.outcome).toBe("completed");
    for (const mm of [SOURCE, DESTINATION]) {
      const c = finalCounters(run, mm);
      expect(c.rssAnonBytes).toBe(60 * GiB);
      expect(c.zeropagePtes).toBe(0);
      expect(c.presentPages).toBe(USED);
    }
  });

  test("the zero pages are still sent (as duplicates) without being read", () => {
    const run = runPreset(ID, kernel);
    expect(finalExtra(run, "migDuplicate")).toBe(BALLOON);
    expect(finalExtra(run, "migNormal")).toBe(USED);
  });

  test("the destination has page tables only where data arrived", () => {
    const run = runPreset(ID, kernel);
    expect(finalCounters(run, DESTINATION).pteTables).toBe(rangeCounts(run, 256).withUsed);
    // The source's tables all exist: the guest wrote 100 GiB before ballooning.
    expect(finalCounters(run, SOURCE).pteTables).toBe((100 * GiB) / MiB);
  });
});

test("x86_64: no zeropage and no huge zero page anywhere; THPs only where data arrived", () => {
  const run = runPreset(ID, "x86_64");
  const ranges = rangeCounts(run, 512);
  const src = finalCounters(run, SOURCE);
  expect(src.rssAnonBytes).toBe(60 * GiB);
  expect(src.zeropagePtes).toBe(0);
  const dst = finalCounters(run, DESTINATION);
  expect(dst.zeropagePtes).toBe(0);
  expect(dst.hugeZeroPmds).toBe(0);
  // Each 2 MiB range receiving data becomes a THP (QEMU's MADV_HUGEPAGE, see commit-06201e00).
  expect(dst.thpPmds).toBe(ranges.withUsed);
  expect(dst.rssAnonBytes).toBe(ranges.withUsed * 2 * MiB);
  expect(dst.pteTables).toBe(ranges.withUsed);
});
