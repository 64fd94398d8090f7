/**
 * Golden numbers for `commit-06201e00-postcopy`: the commit's story with postcopy (
 * events 8, 9, 16). Nothing is sent before the switch, so after it the destination places every
 * page: 15,728,640 data pages with UFFDIO_COPY (+1 RSS each, event 9) and 10,485,760 zero pages
 * with UFFDIO_ZEROPAGE (event 8), which
 *   - maps the shared zeropage where allowed (C, X), and also under B before 90a7592da149 although
 *     mm_forbids_zeropage() is true there (the historical bug);
 *   - allocates a zeroed page where forbidden with 90a7592da149 (B'): +40 GiB.
 * The source reads every page to send it (event 14) exactly as in precopy: +40 GiB under B and B'.
 */
import { describe, expect, test } from "vitest";
import { GiB } from "../../base/units.ts";
import { FLAG_HAS_PGSTE, flagsAt, type VariantId } from "../../engine/index.ts";
import { DESTINATION, finalCounters, finalExtra, pages, runPreset, SOURCE } from "../test-support/golden.ts";

const ID = "commit-06201e00-postcopy";
const BALLOON = pages(40 * GiB); // 10,485,760
const USED = pages(60 * GiB); // 15,728,640

describe("commit-06201e00-postcopy: QEMU places every page after the switch", () => {
  test.each<VariantId>(["s390-fa41ba0d-90a7592d", "s390-fa41ba0d", "s390-06201e00", "x86_64"])(
    "%s: 10,485,760 UFFDIO_ZEROPAGE and 15,728,640 UFFDIO_COPY pages",
    (kernel) => {
      const run = runPreset(ID, kernel);
      expect(run.outcome).toBe("completed");
      expect(finalExtra(run, "migUffdZeropage")).toBe(BALLOON);
      expect(finalExtra(run, "migUffdCopy")).toBe(USED);
      expect(finalExtra(run, "migDuplicate")).toBe(BALLOON);
      expect(finalExtra(run, "migNormal")).toBe(USED);
    },
  );
});

test("s390-fa41ba0d-90a7592d (B'): UFFDIO_ZEROPAGE allocates, +40 GiB on the destination", () => {
  const run = runPreset(ID, "s390-fa41ba0d-90a7592d");
  for (const mm of [SOURCE, DESTINATION]) {
    const c = finalCounters(run, mm);
    expect(c.rssAnonBytes).toBe(100 * GiB);
    expect(c.zeropagePtes).toBe(0);
  }
});

test("s390-fa41ba0d (B): the UFFDIO_ZEROPAGE bug keeps the destination at 60 GiB", () => {
  const run = runPreset(ID, "s390-fa41ba0d");
  expect(finalCounters(run, SOURCE).rssAnonBytes).toBe(100 * GiB);
  const dst = finalCounters(run, DESTINATION);
  expect(dst.rssAnonBytes).toBe(60 * GiB);
  expect(dst.zeropagePtes).toBe(BALLOON);
  // ...in an mm that forbids the zeropage: has_pgste is set from KVM_CREATE_VM.
  expect(flagsAt(run.trace, run.trace.events - 1, DESTINATION) & FLAG_HAS_PGSTE).toBe(FLAG_HAS_PGSTE);
});

test.each<VariantId>(["s390-06201e00", "x86_64"])(
  "%s: 60 GiB and 40 GiB of zeropages on both hosts",
  (kernel) => {
    const run = runPreset(ID, kernel);
    for (const mm of [SOURCE, DESTINATION]) {
      const c = finalCounters(run, mm);
      expect(c.rssAnonBytes).toBe(60 * GiB);
      expect(c.zeropagePtes).toBe(BALLOON);
    }
  },
);

test("x86_64: postcopy's MADV_NOHUGEPAGE keeps THPs off the destination; 51,200 PTE tables", () => {
  // postcopy_ram_prepare_discard → nhp_range: the destination places 4 KiB pages only, so
  // unlike precopy no 2 MiB range is rounded up to a THP: exactly 60 GiB.
  const dst = finalCounters(runPreset(ID, "x86_64"), DESTINATION);
  expect(dst.thpPmds).toBe(0);
  expect(dst.hugeZeroPmds).toBe(0);
  expect(dst.pteTables).toBe((100 * GiB) / (2 * 1024 * 1024));
});
