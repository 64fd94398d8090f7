/**
 * x86_64 transparent huge pages (mm/huge_memory.c, research Q2): the huge zero
 * page, THP faults, write faults on the huge zero page per kernel version, zapping and splitting.
 */
import { describe, expect, test } from "vitest";
import { KiB, MiB } from "../base/units.ts";
import { Guest, rulesOf } from "./test-support/guest.ts";

/** An x86_64 guest with THP in madvise mode and MADV_HUGEPAGE on all of its RAM. */
function thpGuest(pages = 2048, version = "6.18", limit = Number.POSITIVE_INFINITY): Guest {
  const g = new Guest("x86_64", pages, {
    kernelVersion: version,
    host: { thp: "madvise", memLimitBytes: limit },
  });
  g.madvise("hugepage");
  return g;
}

describe("do_huge_pmd_anonymous_page", () => {
  test("set_huge_zero_folio: a read maps the huge zero page; VmPTE +4 KiB for the deposited table (+PMD, PUD)", () => {
    const g = thpGuest();
    const r = g.read(0, 1);
    expect(rulesOf(r)).toEqual(["do_huge_pmd_anonymous_page.huge_zero"]);
    expect(g.tables()).toBe("^z - - -");
    expect(g.c).toMatchObject({
      hugeZeroPmds: 1,
      zeropagePtes: 0,
      presentPages: 512,
      rssAnonBytes: 0,
      vmPteBytes: 12 * KiB,
    });
    g.read(512, 512);
    expect(g.c.vmPteBytes).toBe(16 * KiB);
  });

  test("__do_huge_pmd_anonymous_page: a write to an untouched 2 MiB allocates a THP (RssAnon +2 MiB, VmPTE +4 KiB)", () => {
    const g = thpGuest();
    const r = g.write(0, 1);
    expect(rulesOf(r)).toEqual(["do_huge_pmd_anonymous_page.thp"]);
    expect(g.text(0, 3)).toBe("Www");
    expect(g.c).toMatchObject({ thpPmds: 1, rssAnonBytes: 2 * MiB, vmPteBytes: 12 * KiB });
  });

  test("do_huge_pmd_anonymous_page: a 2 MiB range that already has a PTE table gets small zeropages", () => {
    const g = new Guest("x86_64", 2048, { host: { thp: "madvise" } });
    g.write(1536, 1);
    g.dontneed(1536, 1, 1);
    g.madvise("hugepage");
    g.read(1536, 512);
    expect(g.c).toMatchObject({ zeropagePtes: 512, hugeZeroPmds: 0 });
  });

  test("thp_vma_allowable_order: THP 'never', MADV_NOHUGEPAGE and a table not wholly in the VMA take the PTE path", () => {
    const never = new Guest("x86_64", 1024, { host: { thp: "never" } });
    never.madvise("hugepage");
    never.read(0, 1);
    expect(never.c.hugeZeroPmds).toBe(0);
    const always = new Guest("x86_64", 1024, { host: { thp: "always" } });
    always.read(0, 1);
    expect(always.c.hugeZeroPmds).toBe(1);
    always.madvise("nohugepage", 512, 512);
    always.read(512, 1);
    expect(always.tables()).toBe("^z *");
    const part = thpGuest(1024);
    part.madvise("nohugepage", 600, 1);
    part.read(512, 1);
    expect(part.tables()).toBe("- *");
  });

  test("do_huge_pmd_anonymous_page: in a MISSING-registered VMA the huge path frees its table and raises the userfault", () => {
    const g = thpGuest(1024);
    g.uffdRegister();
    const r = g.read(0, 1);
    expect(r.rec.userfaultAt).toBe(0);
    expect(rulesOf(r)).toEqual(["do_huge_pmd_anonymous_page.userfault"]);
    // pud_alloc/pmd_alloc ran in __handle_mm_fault; the PTE table prepared for the PMD was freed.
    expect(g.c).toMatchObject({ pteTables: 0, vmPteBytes: 8 * KiB, presentPages: 0 });
    // A write takes the same path (the THP is allocated and freed again).
    expect(g.write(600, 1).rec.userfaultAt).toBe(600);
    expect(g.c.pteTables).toBe(0);
    // The 4 KiB UFFDIO_ZEROPAGE that answers it brings an ordinary PTE table, no huge zero PMD.
    g.uffdZeropage(0, 1);
    expect(g.c).toMatchObject({ hugeZeroPmds: 0, zeropagePtes: 1, pteTables: 1, vmPteBytes: 12 * KiB });
  });
});

describe("do_huge_pmd_wp_page: a write to the huge zero page", () => {
  test("do_huge_zero_wp_pmd (>= 6.13): allocates a THP; VmPTE unchanged (the deposited table is reused)", () => {
    const g = thpGuest(2048, "6.13");
    g.read(0, 1024);
    const r = g.write(0, 1);
    expect(rulesOf(r)).toEqual(["do_huge_zero_wp_pmd.thp"]);
    expect(g.c).toMatchObject({
      rssAnonBytes: 2 * MiB,
      thpPmds: 1,
      hugeZeroPmds: 1,
      vmPteBytes: 16 * KiB,
      zeropagePtes: 0,
    });
  });

  test("__split_huge_pmd (< 6.13): the huge zero PMD is split into 512 zeropage PTEs, then one page is COWed", () => {
    const g = thpGuest(2048, "6.12");
    g.read(0, 1);
    const r = g.write(0, 1);
    expect(rulesOf(r)).toEqual(["wp_page_copy.zeropage_write", "__split_huge_pmd"]);
    expect(g.c).toMatchObject({
      rssAnonBytes: 4 * KiB,
      zeropagePtes: 511,
      hugeZeroPmds: 0,
      vmPteBytes: 12 * KiB,
    });
  });

  test("do_huge_zero_wp_pmd: when the host has no 2 MiB left the kernel falls back to the split (VM_FAULT_FALLBACK)", () => {
    const g = thpGuest(1024, "6.18", 12 * KiB + 100 * 4 * KiB);
    g.read(0, 1);
    const r = g.write(0, 1);
    expect(r.ok).toBe(true);
    expect(g.c).toMatchObject({ rssAnonBytes: 4 * KiB, zeropagePtes: 511, thpPmds: 0 });
  });

  test("__do_huge_pmd_anonymous_page: a THP that does not fit falls back to 4 KiB pages; a 4 KiB page that does not fit is -ENOMEM", () => {
    const g = thpGuest(1024, "6.18", 12 * KiB + 2 * 4 * KiB);
    expect(g.write(0, 2).ok).toBe(true);
    expect(g.c).toMatchObject({ thpPmds: 0, anonPages: 2 });
    const r = g.write(2, 1);
    expect(r.errno).toBe("ENOMEM");
    expect(r.failedAt).toBe(2);
  });
});

describe("zap_pmd_range: MADV_DONTNEED on huge PMDs", () => {
  test("zap_huge_pmd: a call covering the whole PMD frees the THP and its deposited table, on every version", () => {
    const g = thpGuest(1024, "6.12");
    g.write(0, 1);
    const r = g.dontneed(0, 512);
    expect(rulesOf(r)).toContain("zap_huge_pmd");
    expect(g.c).toMatchObject({ rssAnonBytes: 0, pteTables: 0, thpPmds: 0, vmPteBytes: 8 * KiB });
  });

  test("__split_huge_pmd: a partial MADV_DONTNEED splits the PMD; the deposited table becomes the PTE table", () => {
    const g = thpGuest(1024);
    g.write(0, 1);
    g.dontneed(1, 1);
    expect(g.c).toMatchObject({
      thpPmds: 0,
      pteTables: 1,
      rssAnonBytes: 2 * MiB - 4 * KiB,
      vmPteBytes: 12 * KiB,
    });
    expect(g.text(0, 3)).toBe("W.w");
  });

  test("vma_adjust_trans_huge: madvise on part of a huge PMD's range splits the VMA and the PMD", () => {
    const g = thpGuest(1024);
    g.read(0, 1);
    const r = g.madvise("mergeable", 100, 10);
    expect(rulesOf(r)).toEqual(["vma_adjust_trans_huge", "madvise.vma_flags"]);
    expect(g.c).toMatchObject({ hugeZeroPmds: 0, zeropagePtes: 512 });
    // Same flags → no VMA split → no PMD split.
    const h = thpGuest(1024);
    h.read(0, 1);
    h.madvise("hugepage", 100, 10);
    expect(h.c.hugeZeroPmds).toBe(1);
  });
});

describe("KSM on transparent huge pages (try_to_merge_one_page → split_huge_page)", () => {
  function ksmThpGuest(version: string, useZeroPages: boolean): Guest {
    const g = new Guest("x86_64", 1024, {
      kernelVersion: version,
      host: { thp: "madvise", ksmRun: true, ksmUseZeroPages: useZeroPages },
    });
    g.madvise("hugepage", 0, 1024);
    g.madvise("mergeable", 0, 1024);
    return g;
  }

  test("try_to_map_unused_to_zeropage (>= 6.12): the split maps zero-filled subpages to the plain zeropage", () => {
    const g = ksmThpGuest("6.18", true);
    g.write(0, 1, "data"); // THP #1: one data subpage, 511 zero-filled
    g.write(512, 512, "data"); // THP #2: data only, nothing to merge
    const r = g.ksmScan();
    expect(rulesOf(r)).toEqual(["split_huge_page.remap_zeropage"]);
    // 511 subpages became zeropages placed by the split, not by KSM: ksm_zero_pages stays 0.
    expect(g.c).toMatchObject({
      zeropagePtes: 511,
      ksmZeroPages: 0,
      thpPmds: 1,
      rssAnonBytes: 513 * 4 * KiB,
    });
  });

  test("split_huge_page (< 6.12): the subpages are split off, then KSM merges the zero-filled ones", () => {
    const g = ksmThpGuest("6.11", true);
    g.write(0, 1, "data");
    const r = g.ksmScan();
    expect(rulesOf(r)).toEqual(["try_to_merge_with_zero_page", "split_huge_page.ksm"]);
    expect(g.c).toMatchObject({ zeropagePtes: 511, ksmZeroPages: 511, thpPmds: 0, rssAnonBytes: 4 * KiB });
  });

  test("a THP split by a partial MADV_DONTNEED is still one folio: KSM splits it the same way", () => {
    const g = ksmThpGuest("6.18", false);
    g.write(0, 1, "data");
    g.dontneed(1, 1);
    g.ksmScan();
    // 510 zero-filled subpages → plain zeropages; unmerge later leaves them alone.
    expect(g.c).toMatchObject({ zeropagePtes: 510, ksmPages: 0, rssAnonBytes: 4 * KiB });
    g.madvise("unmergeable", 0, 1024);
    expect(g.c).toMatchObject({ zeropagePtes: 510, rssAnonBytes: 4 * KiB });
  });
});
