/**
 * UFFDIO_MOVE (uffd-move.ts): each outcome of move_pages() the model follows, the zeropage's own
 * history (-EBUSY in v6.8, moved since eb1521dad8f3 in v6.9, never checked against
 * mm_forbids_zeropage()), and what each kernel variant has at the source to move.
 */
import { describe, expect, test } from "vitest";
import { KiB } from "../base/units.ts";
import type { KernelEvent } from "./events.ts";
import { variantPath } from "./kernel-names.ts";
import { VmFlag } from "./mm.ts";
import { formatPath, ruleById } from "./rules.ts";
import { dumpMm, setPtes } from "./test-support/dump.ts";
import { Guest, type GuestOptions, rulesOf } from "./test-support/guest.ts";
import type { VariantId } from "./variants.ts";

const move = (src: number, dst: number, count: number): KernelEvent => ({
  kind: "uffd_move",
  mm: 0,
  src,
  dst,
  count,
});

/** A guest whose pages [dst, dst+count) are registered, as UFFDIO_MOVE needs. */
function guest(variant: VariantId, pages: number, o: GuestOptions = {}): Guest {
  return new Guest(variant, pages, o);
}

describe("UFFDIO_MOVE of 4 KiB pages", () => {
  test("an exclusive anonymous page moves: its PTE changes address, nothing is allocated or freed", () => {
    const g = guest("x86_64", 1024);
    g.write(0, 4);
    g.uffdRegister(600, 4);
    const before = g.c;
    const r = g.apply(move(0, 600, 4));
    expect(r.ok).toBe(true);
    expect(r.errno).toBeNull();
    expect(rulesOf(r)).toEqual(["move_present_ptes"]);
    expect(g.text(0, 4)).toBe("....");
    expect(g.text(600, 4)).toBe("WWWW");
    // Same mm: RssAnon stays; only the destination's new page table costs memory.
    expect(g.c.rssAnonBytes).toBe(before.rssAnonBytes);
    expect(g.c.pteTables).toBe(before.pteTables + 1);
    expect(r.rec.footprint).toEqual([600, 4]);
  });

  test("a read-only exclusive page (after an unshare) arrives writable (pte_mkwrite)", () => {
    const g = guest("x86_64", 1024);
    g.read(0, 2);
    g.unshare(0, 2);
    expect(g.text(0, 2)).toBe("rr");
    g.uffdRegister(10, 2);
    expect(rulesOf(g.apply(move(0, 10, 2)))).toEqual(["move_present_ptes"]);
    expect(g.text(10, 2)).toBe("ww");
  });

  test("-EEXIST: the destination is populated; after some progress the call returns -EAGAIN with it", () => {
    const g = guest("x86_64", 1024);
    g.write(0, 4);
    g.uffdRegister(100, 8);
    g.uffdZeropage(102, 1);
    const none = g.apply(move(0, 102, 2));
    expect(none).toMatchObject({ ok: false, errno: "EEXIST", failedAt: 102 });
    expect(rulesOf(none)).toEqual(["move_pages_ptes.eexist"]);
    const part = g.apply(move(0, 100, 4));
    expect(part).toMatchObject({ ok: true, errno: "EAGAIN" });
    expect(part.message).toContain("moved 2 of 4 pages");
    expect(g.text(0, 4)).toBe("..WW");
    expect(g.text(100, 4)).toBe("WWu.");
  });

  test("-ENOENT: a hole at the source (no PTE, or no page table at all)", () => {
    const g = guest("x86_64", 2048);
    g.write(0, 2);
    g.uffdRegister(1500, 8);
    const part = g.apply(move(0, 1500, 4));
    expect(part).toMatchObject({ ok: true, errno: "EAGAIN" });
    expect(rulesOf(part)).toEqual(["move_present_ptes", "move_pages_ptes.enoent"]);
    const none = g.apply(move(600, 1504, 2)); // table 1 was never allocated
    expect(none).toMatchObject({ ok: false, errno: "ENOENT", failedAt: 600 });
  });

  test("-EBUSY: a KSM page is not exclusive to this process", () => {
    const g = guest("x86_64", 1024, { host: { ksmRun: true, ksmUseZeroPages: false } });
    g.madvise("mergeable");
    g.write(0, 2, "zero");
    g.ksmScan();
    expect(g.text(0, 2)).toBe("KK");
    g.uffdRegister(100, 2);
    const r = g.apply(move(0, 100, 2));
    expect(r).toMatchObject({ ok: false, errno: "EBUSY", failedAt: 0 });
    expect(rulesOf(r)).toEqual(["move_pages_ptes.ebusy"]);
    expect(g.text(0, 2)).toBe("KK");
  });

  test("-EINVAL: the destination not registered, a range over two VMAs, a read-only VMA, zero bytes", () => {
    const g = guest("x86_64", 1024);
    g.write(0, 4);
    const notRegistered = g.apply(move(0, 100, 4));
    expect(notRegistered).toMatchObject({ ok: false, errno: "EINVAL" });
    expect(notRegistered.message).toContain("not registered");
    expect(rulesOf(notRegistered)).toEqual(["move_pages.einval"]);
    g.uffdRegister(2, 200);
    expect(g.apply(move(0, 100, 4)).message).toContain("source range");
    expect(g.apply(move(2, 200, 4)).message).toContain("destination range");
    expect(g.apply(move(2, 300, 4)).message).toContain("not registered");
    expect(g.apply(move(0, 100, 0)).message).toContain("zero bytes");
    const ro = guest("x86_64", 1024, { vmaFlags: VmFlag.COW });
    ro.read(0, 2);
    ro.uffdRegister(100, 2);
    expect(ro.apply(move(0, 100, 2)).message).toContain("not writable");
  });

  test("-ENOMEM: no memory left for the destination's page table; nothing changes", () => {
    // Exactly what two written pages and their page tables take: a second PTE table does not fit.
    const probe = guest("x86_64", 1024);
    probe.write(0, 2);
    const g = guest("x86_64", 1024, { host: { memLimitBytes: probe.c.hostMemBytes } });
    g.write(0, 2);
    g.uffdRegister(600, 2);
    const before = dumpMm(g.mm);
    const r = g.apply(move(0, 600, 2));
    expect(r).toMatchObject({ ok: false, errno: "ENOMEM", failedAt: 600 });
    expect(dumpMm(g.mm)).toBe(before);
  });

  test("overlapping ranges move as the kernel's page-by-page walk does", () => {
    const g = guest("s390-06201e00", 256);
    g.uffdRegister(0, 16);
    setPtes(g.mm, 4, "WWww");
    const r = g.apply(move(4, 2, 4));
    expect(r.ok && r.errno === null).toBe(true);
    expect(g.text(0, 10)).toBe("..WWww....");
  });
});

describe("UFFDIO_MOVE and the zeropage", () => {
  test("v6.8 refuses a zeropage PTE (-EBUSY); v6.9 (eb1521dad8f3) moves it, adding no zeropage", () => {
    const old = guest("x86_64", 1024, { kernelVersion: "6.8" });
    old.read(0, 4);
    old.uffdRegister(100, 4);
    const r8 = old.apply(move(0, 100, 4));
    expect(r8).toMatchObject({ ok: false, errno: "EBUSY", failedAt: 0 });
    expect(rulesOf(r8)).toEqual(["move_pages_ptes.zeropage_ebusy"]);
    const g = guest("x86_64", 1024, { kernelVersion: "6.9" });
    g.read(0, 4);
    g.uffdRegister(100, 4);
    const r9 = g.apply(move(0, 100, 4));
    expect(rulesOf(r9)).toEqual(["move_zeropage_pte"]);
    expect(g.text(0, 4) + g.text(100, 4)).toBe("....zzzz");
    expect(g.c).toMatchObject({ zeropagePtes: 4, rssAnonBytes: 0 });
  });

  test("no UFFDIO_MOVE before v6.8: -EINVAL from userfaultfd_ioctl() (variant A, an x86_64 6.5 host)", () => {
    for (const [variant, kernelVersion] of [
      ["s390-2faee8ff", undefined],
      ["x86_64", "6.5"],
    ] as const) {
      const g = guest(variant, 512, kernelVersion ? { kernelVersion } : {});
      g.write(0, 1);
      g.uffdRegister(10, 1);
      const r = g.apply(move(0, 10, 1));
      expect(r).toMatchObject({ ok: false, errno: "EINVAL" });
      expect(rulesOf(r)).toEqual(["userfaultfd_ioctl.no_move"]);
    }
  });

  test("fa41ba0d: a zeropage UFFDIO_ZEROPAGE placed despite the ban moves, unchecked; with 90a7592da149 there is none", () => {
    const b = guest("s390-fa41ba0d", 256);
    b.createVm();
    b.uffdRegister(0, 4);
    b.uffdZeropage(0, 4);
    b.uffdUnregister(0, 4);
    expect(b.text(0, 4)).toBe("uuuu");
    expect(b.mm.forbidsZeropage()).toBe(true);
    b.uffdRegister(100, 4);
    const r = b.apply(move(0, 100, 4));
    expect(rulesOf(r)).toEqual(["move_zeropage_pte.forbidden_mm"]);
    expect(b.text(100, 4)).toBe("uuuu");
    expect(b.c).toMatchObject({ zeropagePtes: 4, rssAnonBytes: 0 });

    const bp = guest("s390-fa41ba0d-90a7592d", 256);
    bp.createVm();
    bp.uffdRegister(0, 4);
    bp.uffdZeropage(0, 4);
    bp.uffdUnregister(0, 4);
    bp.uffdRegister(100, 4);
    expect(rulesOf(bp.apply(move(0, 100, 4)))).toEqual(["move_present_ptes"]);
    expect(bp.c).toMatchObject({ zeropagePtes: 0, rssAnonBytes: 4 * 4 * KiB });
  });

  test("06201e00: a fault-time zeropage moves before storage keys; after them only real pages are left", () => {
    const c = guest("s390-06201e00", 256);
    c.createVm();
    c.read(0, 4);
    c.uffdRegister(100, 8);
    expect(rulesOf(c.apply(move(0, 100, 2)))).toEqual(["move_zeropage_pte"]);
    c.enableSkeys();
    expect(c.text(2, 2)).toBe("rr");
    expect(rulesOf(c.apply(move(2, 104, 2)))).toEqual(["move_present_ptes"]);
    expect(c.text(100, 6)).toBe("rr..ww");
  });

  test("a KSM-placed zeropage arrives as a plain one; ksm_zero_pages keeps counting it", () => {
    const g = guest("s390-06201e00", 256, { host: { ksmRun: true, ksmUseZeroPages: true } });
    g.madvise("mergeable");
    g.write(0, 2, "zero");
    g.ksmScan();
    expect(g.text(0, 2)).toBe("kk");
    g.uffdRegister(100, 2);
    const r = g.apply(move(0, 100, 2));
    expect(rulesOf(r)).toEqual(["move_zeropage_pte.ksm"]);
    expect(g.text(100, 2)).toBe("zz");
    expect(g.c).toMatchObject({ zeropagePtes: 2, ksmZeroPages: 2 });
    expect(ruleById("move_zeropage_pte.ksm")!.assumption).toContain("ksm_might_unmap_zero_page");
  });
});

describe("UFFDIO_MOVE and transparent huge pages (x86_64)", () => {
  const thp = (kernelVersion = "6.18") => {
    const g = guest("x86_64", 2048, { host: { thp: "always" }, kernelVersion });
    g.madvise("hugepage");
    return g;
  };

  test("a whole, aligned huge PMD moves as one with its deposited table (move_pages_huge_pmd)", () => {
    const g = thp();
    g.write(0, 512);
    g.uffdRegister(1024, 512);
    const before = g.c;
    const r = g.apply(move(0, 1024, 512));
    expect(rulesOf(r)).toEqual(["move_pages_huge_pmd"]);
    expect(g.tables()).toBe("- - ^W -");
    expect(g.c).toMatchObject({
      thpPmds: 1,
      rssAnonBytes: before.rssAnonBytes,
      pteTables: before.pteTables,
      vmPteBytes: before.vmPteBytes,
    });
  });

  test("the huge zero page: -EBUSY on v6.8, moved whole since v6.9", () => {
    const old = thp("6.8");
    old.read(0, 512);
    old.uffdRegister(1024, 512);
    expect(old.apply(move(0, 1024, 512))).toMatchObject({ ok: false, errno: "EBUSY" });
    const g = thp();
    g.read(0, 512);
    g.uffdRegister(1024, 512);
    expect(rulesOf(g.apply(move(0, 1024, 512)))).toEqual(["move_pages_huge_pmd"]);
    expect(g.c).toMatchObject({ hugeZeroPmds: 1 });
  });

  test("a move that would split a THP is refused (not modelled), and says so", () => {
    const g = thp();
    g.write(0, 512);
    g.uffdRegister(1024, 512);
    const before = dumpMm(g.mm);
    const r = g.apply(move(0, 1024, 100));
    expect(r).toMatchObject({ ok: false, errno: "EINVAL" });
    expect(rulesOf(r)).toEqual(["move_pages.thp_not_modelled"]);
    expect(r.message).toContain("split_huge_pmd");
    expect(dumpMm(g.mm)).toBe(before);
    expect(ruleById("move_pages.thp_not_modelled")!.assumption).toContain("not modelled");
  });

  test("a huge PMD at the destination: -EEXIST", () => {
    const g = thp();
    g.write(512, 1);
    g.uffdRegister(512, 512);
    setPtes(g.mm, 1100, "W");
    expect(g.apply(move(1100, 512, 1))).toMatchObject({ ok: false, errno: "EEXIST", failedAt: 512 });
  });
});

describe("UFFDIO_MOVE names by kernel", () => {
  test("the PTE path is move_pages_pte()/move_present_pte() until the v6.18 batching", () => {
    const r = ruleById("move_present_ptes")!;
    expect(formatPath(variantPath(r, "s390-06201e00"))).toContain("move_pages_pte → move_present_pte");
    expect(formatPath(variantPath(r, "x86_64"))).toContain("move_pages_ptes → move_present_ptes");
  });
});
