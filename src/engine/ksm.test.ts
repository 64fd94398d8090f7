/**
 * KSM (mm/ksm.c, research Q3): merging with and without
 * use_zero_pages, the pages_shared / pages_sharing arithmetic, and unmerging per variant.
 */
import { describe, expect, test } from "vitest";
import { KiB } from "../base/units.ts";
import { Guest, rulesOf } from "./test-support/guest.ts";
import { VARIANT_IDS, type VariantId } from "./variants.ts";

function merged(variant: VariantId, useZero: boolean, zeroPages: number, pages = 1024): Guest {
  const g = new Guest(variant, pages, { host: { ksmUseZeroPages: useZero } });
  g.madvise("mergeable");
  g.write(0, zeroPages, "zero");
  return g;
}

describe("ksmd merge pass", () => {
  test("try_to_merge_with_zero_page: use_zero_pages=1 maps KSM zeropages; RssAnon falls, ksm_zero_pages counts", () => {
    const g = merged("x86_64", true, 8);
    g.write(8, 4, "data");
    g.read(12, 4);
    const r = g.ksmScan();
    expect(g.text(0, 17)).toBe("kkkkkkkkWWWWzzzz.");
    expect(g.c.ksmZeroPages).toBe(8);
    expect(g.c.zeropagePtes).toBe(12);
    expect(g.c.rssAnonBytes).toBe(16 * KiB);
    expect(g.c.ksmPagesShared).toBe(0);
    expect(rulesOf(r)).toEqual(["try_to_merge_with_zero_page"]);
  });

  test.each([
    [2, 1],
    [256, 1],
    [257, 2],
    [600, 3],
  ])(
    "try_to_merge_two_pages: %i zero-filled pages with use_zero_pages=0 → pages_shared = ceil(n/256) = %i",
    (n, shared) => {
      const g = merged("s390-06201e00", false, n);
      const mem = g.c.hostMemBytes;
      const r = g.ksmScan();
      expect(rulesOf(r)).toEqual(["try_to_merge_two_pages"]);
      expect(g.c.ksmPages).toBe(n);
      expect(g.c.ksmPagesShared).toBe(shared);
      expect(g.c.ksmPagesSharing).toBe(n - shared);
      // Every mapping still counts in RssAnon (kernel-check ksm-no-zero-pages); the host keeps one
      // page per KSM page.
      expect(g.c.rssAnonBytes).toBe(n * 4 * KiB);
      expect(g.c.hostMemBytes).toBe(mem - (n - shared) * 4 * KiB);
    },
  );

  test("unstable_tree_search_insert: a lone zero-filled page has no twin, so with use_zero_pages=0 nothing merges", () => {
    const g = merged("s390-06201e00", false, 1);
    const r = g.ksmScan();
    expect(rulesOf(r)).toEqual([]);
    expect(g.c.ksmPages).toBe(0);
    expect(g.c.ksmPagesShared).toBe(0);
  });

  test("ksm_do_scan: only zero-filled anon pages in VM_MERGEABLE areas merge; data pages are distinct", () => {
    const g = new Guest("s390-06201e00", 512);
    g.madvise("mergeable", 0, 8);
    g.write(0, 16, "zero");
    g.write(4, 2, "data");
    g.ksmScan();
    expect(g.text(0, 16)).toBe("KKKKWWKKwwwwwwww");
  });

  test("ksm.not_running: with /sys/kernel/mm/ksm/run = 0 nothing merges", () => {
    const g = new Guest("x86_64", 512, { host: { ksmRun: false } });
    g.madvise("mergeable");
    g.write(0, 4, "zero");
    const r = g.ksmScan();
    expect(g.text(0, 4)).toBe("wwww");
    expect(rulesOf(r)).toEqual(["ksm.not_running"]);
  });

  test("try_to_merge_with_zero_page has no mm_forbids_zeropage() check: KSM zeropages in a forbidding B mm", () => {
    const g = new Guest("s390-fa41ba0d", 512, { host: { ksmUseZeroPages: true } });
    g.createVm();
    g.madvise("mergeable");
    g.read(0, 4); // forbidden: zero-filled anon pages
    expect(g.text(0, 4)).toBe("wwww");
    g.ksmScan();
    expect(g.text(0, 4)).toBe("kkkk");
    expect(g.mm.forbidsZeropage()).toBe(true);
  });

  test("ksm_do_scan: pages already mapped to the zeropage get no rmap_item and stay as they are", () => {
    const g = new Guest("x86_64", 512, { host: { ksmUseZeroPages: true } });
    g.madvise("mergeable");
    g.read(0, 4);
    g.ksmScan();
    expect(g.text(0, 4)).toBe("zzzz");
    expect(g.c.ksmZeroPages).toBe(0);
  });
});

describe("KSM zeropages by kernel version (KERNEL_FEATURES)", () => {
  function merge(version: string) {
    const g = new Guest("x86_64", 512, { kernelVersion: version, host: { ksmUseZeroPages: true } });
    g.madvise("mergeable");
    g.write(0, 8, "zero");
    const r = g.ksmScan();
    return { g, rules: rulesOf(r) };
  }

  test("v6.6 on: marked (pte_mkdirty), counted in ksm_zero_pages, unshared by unmerge", () => {
    const { g, rules } = merge("6.6");
    expect(rules).toEqual(["try_to_merge_with_zero_page"]);
    expect(g.c).toMatchObject({ ksmZeroPages: 8, zeropagePtes: 8, rssAnonBytes: 0 });
    g.madvise("unmergeable");
    expect(g.text(0, 8)).toBe("rrrrrrrr");
  });

  test("before v6.6: a plain zeropage, uncounted, left alone by unmerge (79271476b336, e2942062e01d)", () => {
    const { g, rules } = merge("6.5");
    expect(rules).toEqual(["replace_page.zero_unmarked"]);
    expect(g.c).toMatchObject({ ksmZeroPages: 0, zeropagePtes: 8, rssAnonBytes: 0 });
    g.madvise("unmergeable");
    expect(g.text(0, 8)).toBe("zzzzzzzz");
  });

  test("before a38c015f3156 (v4.17): RssAnon keeps counting the pages ksmd freed; host memory drops", () => {
    const a = new Guest("s390-2faee8ff", 256, { host: { ksmUseZeroPages: true } });
    a.madvise("mergeable");
    a.write(0, 8, "zero");
    const before = a.c.hostMemBytes;
    const r = a.ksmScan();
    expect(rulesOf(r)).toEqual(["replace_page.zero_rss_kept"]);
    expect(a.c).toMatchObject({ zeropagePtes: 8, anonPages: 0, rssAnonBytes: 8 * 4096 });
    expect(a.c.hostMemBytes).toBe(before - 8 * 4096);
    // A later write COWs the zeropage and counts the new page on top: RssAnon stays 4 KiB high each.
    a.write(0, 1);
    expect(a.c.rssAnonBytes).toBe(9 * 4096);
  });
});

describe("unmerge: ksm_disable / break_ksm", () => {
  const unsharesKsmZero: Record<VariantId, boolean> = {
    "s390-2faee8ff": false,
    "s390-fa41ba0d": true,
    "s390-fa41ba0d-90a7592d": true,
    "s390-06201e00": true,
    "s390-06201e00-v2": true,
    x86_64: true,
  };
  test.each(VARIANT_IDS)(
    "break_ksm on %s: KSM pages → anon r/o; KSM-placed zeropages per variant; plain zeropages stay",
    (variant) => {
      const zeroPages = new Guest(variant, 1024, { host: { ksmUseZeroPages: true } });
      zeroPages.madvise("mergeable");
      zeroPages.write(0, 4, "zero");
      zeroPages.read(4, 2);
      zeroPages.ksmScan();
      const r = zeroPages.ksmDisable();
      // A (v4.12) predates the marking of KSM zeropages (v6.6): ksmd's four are plain zeropages,
      // which unmerge cannot tell from the two a read mapped.
      expect(zeroPages.text(0, 6)).toBe(unsharesKsmZero[variant] ? "rrrrzz" : "zzzzzz");
      expect(rulesOf(r)).toContain("ksm_disable");
      // VM_MERGEABLE is gone: a later scan merges nothing.
      zeroPages.write(8, 2, "zero");
      zeroPages.ksmScan();
      expect(zeroPages.text(8, 2)).toBe("ww");

      const ksmPages = merged(variant, false, 6);
      ksmPages.ksmScan();
      const r2 = ksmPages.ksmDisable();
      // Before v6.2 (A) break_ksm breaks COW with a write fault: the copies are writable.
      const writeFault = variant === "s390-2faee8ff";
      expect(ksmPages.text(0, 6)).toBe(writeFault ? "wwwwww" : "rrrrrr");
      expect(ksmPages.c.ksmPages).toBe(0);
      expect(ksmPages.c.anonPages).toBe(6);
      expect(rulesOf(r2)).toEqual([
        writeFault ? "break_ksm.write_fault" : "break_ksm.unshare",
        "ksm_disable",
      ]);
    },
  );

  test("ksm_disable: -ENOMEM (VM_FAULT_OOM in break_ksm) when the copies do not fit; nothing changes", () => {
    const g = new Guest("x86_64", 512, { host: { memLimitBytes: 12 * KiB + 4 * 4 * KiB } });
    g.madvise("mergeable");
    g.write(0, 4, "zero");
    g.ksmScan();
    g.write(8, 2, "zero"); // 1 KSM page + 2 pages in use: 3 more do not fit
    const r = g.ksmDisable();
    expect(r.ok).toBe(false);
    expect(r.errno).toBe("ENOMEM");
    expect(g.text(0, 4)).toBe("KKKK");
  });
});
