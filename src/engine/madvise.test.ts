/**
 * madvise() (mm/madvise.c): MADV_DONTNEED with and without PT
 * reclaim, per variant, and the VMA-flag advices.
 */
import { describe, expect, test } from "vitest";
import { KiB } from "../base/units.ts";
import { Guest, rulesOf } from "./test-support/guest.ts";
import type { VariantId } from "./variants.ts";

const S390: VariantId[] = ["s390-2faee8ff", "s390-fa41ba0d", "s390-fa41ba0d-90a7592d", "s390-06201e00"];

describe("zap_pte_range: MADV_DONTNEED", () => {
  test("zap_pte_range: anon pages are freed (RssAnon −), zeropages and KSM mappings cleared, the table stays (s390)", () => {
    const g = new Guest("s390-06201e00", 512);
    g.madvise("mergeable");
    g.write(0, 4, "zero");
    g.ksmScan();
    g.read(4, 4);
    g.write(8, 4);
    expect(g.text(0, 13)).toBe("KKKKzzzzWWWW.");
    const r = g.dontneed(0, 12);
    expect(g.text(0, 13)).toBe(".............");
    expect(g.c.rssAnonBytes).toBe(0);
    expect(g.c.pteTables).toBe(1);
    expect(rulesOf(r).sort()).toEqual(
      [
        "madvise_dontneed_single_vma",
        "zap_pte_range.ksm",
        "zap_pte_range.zeropage",
        "zap_pte_range.anon",
        "zap_pte_range.table_kept",
      ].sort(),
    );
  });

  test("zap_pte_range → ksm_might_unmap_zero_page: zapping a KSM-placed zeropage leaves ksm_zero_pages", () => {
    const g = new Guest("x86_64", 512, { host: { ksmUseZeroPages: true } });
    g.madvise("mergeable");
    g.write(0, 32, "zero");
    g.ksmScan();
    g.dontneed(16, 16);
    expect(g.c.ksmZeroPages).toBe(16);
    expect(g.c.zeropagePtes).toBe(16);
  });

  test("zap_pte_range: after MADV_DONTNEED in a MISSING range the next read raises a userfault again", () => {
    const g = new Guest("s390-06201e00", 512);
    g.uffdRegister();
    g.uffdZeropage(0, 16);
    expect(g.read(0, 16).rec.userfaultAt).toBe(-1);
    g.dontneed(0, 16);
    expect(g.read(0, 16).rec.userfaultAt).toBe(0);
  });

  test("madvise_dontneed_single_vma: an unmapped range is outside guest RAM: -EINVAL from the range check", () => {
    const g = new Guest("x86_64", 512);
    const r = g.dontneed(500, 20);
    expect(r.ok).toBe(false);
    expect(r.errno).toBe("EINVAL");
  });
});

describe("PT reclaim (CONFIG_PT_RECLAIM, x86_64 >= 6.14): reclaim_pt_is_enabled() and free_pte()", () => {
  function filled(version: string): Guest {
    const g = new Guest("x86_64", 2048, { kernelVersion: version });
    g.write(0, 2048);
    return g;
  }

  test("pt_reclaim: x86_64 6.14 frees a table when ONE call covers its whole 2 MiB (VmPTE −4 KiB)", () => {
    const g = filled("6.14");
    expect(g.c.vmPteBytes).toBe(4 * 4 * KiB + 8 * KiB);
    const r = g.dontneed(0, 512);
    expect(rulesOf(r)).toContain("pt_reclaim.free_pte");
    expect(g.c.pteTables).toBe(3);
    expect(g.c.vmPteBytes).toBe(3 * 4 * KiB + 8 * KiB);
    expect(r.rec.tablesFreed).toBe(1);
    expect(g.tables()).toBe("- W W W");
  });

  test("pt_reclaim: zeropage-only tables are reclaimed too; PMD and PUD tables are never reclaimed", () => {
    const g = new Guest("x86_64", 1024, { kernelVersion: "6.18" });
    g.read(0, 1024);
    g.dontneed(0, 1024);
    expect(g.c.pteTables).toBe(0);
    expect(g.c.vmPteBytes).toBe(8 * KiB);
  });

  test("pt_reclaim: x86_64 6.13 keeps every table", () => {
    const g = filled("6.13");
    const r = g.dontneed(0, 2048);
    expect(g.c.pteTables).toBe(4);
    expect(rulesOf(r)).toContain("zap_pte_range.table_kept");
  });

  test("pt_reclaim: one page per call (callPages = 1, the balloon) never frees a table, even when it ends empty", () => {
    const g = filled("6.18");
    g.dontneed(0, 512, 1);
    expect(g.tables()).toBe(". W W W");
    expect(g.c.pteTables).toBe(4);
    // A later whole-table call frees the already empty table (kernel-check dontneed-each step 5).
    g.dontneed(0, 512);
    expect(g.c.pteTables).toBe(3);
  });

  test("pt_reclaim: a partial range never frees, even once the table is all none", () => {
    const g = filled("6.18");
    g.dontneed(100, 200);
    g.dontneed(0, 100);
    g.dontneed(300, 212);
    expect(g.tables()).toBe(". W W W");
    expect(g.c.pteTables).toBe(4);
  });

  test("pt_reclaim: a range straddling tables frees only the fully covered ones", () => {
    const g = filled("6.18");
    g.dontneed(256, 1024);
    expect(g.tables()).toBe("* - * W");
  });

  test("pt_reclaim: a table whose 2 MiB is not all guest RAM (odd start) is never freed", () => {
    const g = new Guest("x86_64", 1000, { kernelVersion: "6.18", baseVpn: 2 ** 27 + 100 });
    g.read(0, 1000);
    g.dontneed(0, 1000);
    expect(g.tables()).toBe(". - .");
  });

  test.each(S390)("zap_pte_range on %s: s390 never frees PTE tables, whatever the range", (variant) => {
    const g = new Guest(variant, 1024);
    g.write(0, 1024);
    const r = g.dontneed(0, 1024);
    expect(g.c.pteTables).toBe(4);
    expect(g.c.vmPteBytes).toBe(4 * 2 * KiB + 16 * KiB);
    expect(rulesOf(r)).not.toContain("pt_reclaim.free_pte");
  });
});

describe("madvise_vma_behavior: VMA flags", () => {
  test("madvise_update_vma: MADV_MERGEABLE on part of the VMA splits it; undoing it merges the VMAs back", () => {
    const g = new Guest("s390-06201e00", 1024);
    g.madvise("mergeable", 100, 50);
    expect(g.mm.vmas.map((v) => [v.first, v.count])).toEqual([
      [0, 100],
      [100, 50],
      [150, 874],
    ]);
    const r = g.madvise("unmergeable", 100, 50);
    expect(rulesOf(r)).toEqual(["madvise.vma_flags"]);
    expect(g.mm.vmas.length).toBe(1);
  });

  test("ksm_madvise(MADV_UNMERGEABLE): break_ksm() unshares KSM pages in the range only", () => {
    const g = new Guest("s390-06201e00", 512);
    g.madvise("mergeable");
    g.write(0, 8, "zero");
    g.ksmScan();
    const r = g.madvise("unmergeable", 0, 4);
    expect(g.text(0, 8)).toBe("rrrrKKKK");
    expect(rulesOf(r)).toEqual(["break_ksm.unshare", "madvise.vma_flags"]);
  });

  test("ksm_madvise(MADV_UNMERGEABLE): -ENOMEM when the copies do not fit; nothing changes", () => {
    const tables = 16 * KiB + 4 * KiB;
    const g = new Guest("s390-06201e00", 512, { host: { memLimitBytes: tables + 8 * 4 * KiB } });
    g.madvise("mergeable");
    g.write(0, 8, "zero");
    g.ksmScan(); // 8 mappings of one KSM page: 7 pages come back to the host
    const r = g.madvise("unmergeable", 0, 8);
    expect(r.errno).toBe("ENOMEM");
    expect(g.text(0, 8)).toBe("KKKKKKKK");
    expect(g.mm.vmas[0]!.flags & 4).toBe(4);
    expect(g.madvise("unmergeable", 0, 7).ok).toBe(true);
  });
});

test("gmap_discard (s390 DIAGNOSE 0x10): KVM zaps like MADV_DONTNEED, under its own entry, never reclaiming tables", () => {
  const g = new Guest("s390-06201e00", 512);
  g.createVm();
  g.write(0, 256);
  const r = g.apply({ kind: "gmap_discard", mm: 0, ranges: [0, 256] });
  expect(rulesOf(r)).toEqual(["zap_pte_range.anon", "gmap_discard", "zap_pte_range.table_kept"]);
  expect(g.c).toMatchObject({ rssAnonBytes: 0, presentPages: 0, pteTables: 1 });
  // x86_64 has no such instruction.
  const x = new Guest("x86_64", 512);
  const rx = x.apply({ kind: "gmap_discard", mm: 0, ranges: [0, 1] });
  expect(rx.errno).toBe("EINVAL");
  expect(rulesOf(rx)).toEqual(["gmap_discard.not_s390"]);
});

test("gmap_discard in a MISSING-registered range empties a placed page: its next read is a userfault again", () => {
  const g = new Guest("s390-06201e00", 256);
  g.createVm();
  g.uffdRegister();
  g.uffdZeropage(0, 8);
  g.apply({ kind: "gmap_discard", mm: 0, ranges: [0, 8] });
  expect(g.read(0, 1).rec.userfaultAt).toBe(0);
});
