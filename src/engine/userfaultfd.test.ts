/**
 * userfaultfd (mm/userfaultfd.c, fs/userfaultfd.c,
 * research Q4): UFFDIO_ZEROPAGE before and after 90a7592da149, UFFDIO_COPY, -EEXIST, partial
 * progress (-EAGAIN), -ENOENT, -EINVAL and -ENOMEM.
 */
import { describe, expect, test } from "vitest";
import { KiB } from "../base/units.ts";
import { dumpWorld } from "./test-support/dump.ts";
import { Guest, rulesOf } from "./test-support/guest.ts";
import type { VariantId } from "./variants.ts";

/** A KVM guest, registered for MISSING faults over all of its RAM, as a postcopy destination is. */
function destination(variant: VariantId, pages = 1024, limit = Number.POSITIVE_INFINITY): Guest {
  const g = new Guest(variant, pages, { host: { memLimitBytes: limit } });
  g.createVm();
  g.uffdRegister();
  return g;
}

describe("mfill_atomic_pte_zeropage: UFFDIO_ZEROPAGE per variant", () => {
  const cases: [VariantId, string, string, string][] = [
    ["x86_64", "never forbidden", "u", "mfill_atomic_pte_zeropage"],
    ["s390-2faee8ff", "A, keys off", "u", "mfill_atomic_pte_zeropage"],
    [
      "s390-fa41ba0d",
      "B, forbidden since KVM_CREATE_VM, before 90a7592da149",
      "u",
      "mfill_atomic_pte_zeropage.ignores_forbids",
    ],
    ["s390-fa41ba0d-90a7592d", "B with 90a7592da149", "w", "mfill_atomic_pte_zeroed_folio"],
    ["s390-06201e00", "C, keys off (zeropage allowed)", "u", "mfill_atomic_pte_zeropage"],
  ];
  test.each(cases)("UFFDIO_ZEROPAGE on %s (%s) places %s via %s", (variant, _what, state, rule) => {
    const g = destination(variant);
    const r = g.uffdZeropage(0, 4);
    expect(r.ok).toBe(true);
    expect(r.errno).toBeNull();
    expect(g.text(0, 5)).toBe(`${state.repeat(4)}.`);
    expect(g.c.rssAnonBytes).toBe(state === "w" ? 16 * KiB : 0);
    expect(rulesOf(r)).toEqual([rule]);
  });

  test("mfill_atomic_pte_zeroed_folio: C after storage keys installs zeroed pages (06201e00 includes 90a7592da149)", () => {
    const g = destination("s390-06201e00");
    g.enableSkeys();
    g.uffdZeropage(0, 2);
    expect(g.text(0, 2)).toBe("ww");
    expect(g.c.anonPages).toBe(2);
  });

  test("mfill_atomic_pte_zeropage: A ignores mm_forbids_zeropage even after keys (it predates 90a7592da149)", () => {
    const g = destination("s390-2faee8ff");
    g.enableSkeys();
    const r = g.uffdZeropage(0, 2);
    expect(g.text(0, 2)).toBe("uu");
    expect(rulesOf(r)).toEqual(["mfill_atomic_pte_zeropage.ignores_forbids"]);
  });

  test("mfill_atomic: the page table is allocated by the ioctl (VmPTE), before the PTE is filled", () => {
    const g = destination("x86_64");
    expect(g.c.pteTables).toBe(0);
    const r = g.uffdZeropage(600, 1);
    expect(r.rec.tablesAllocated).toBe(1);
    expect(g.c.vmPteBytes).toBe(12 * KiB);
  });
});

describe("mfill_atomic: errors and partial progress", () => {
  test("mfill_atomic: -EEXIST when the first PTE is populated; nothing changes, nobody is woken", () => {
    const g = destination("s390-06201e00");
    g.uffdCopy(0, 16);
    const before = dumpWorld(g.world);
    for (const r of [g.uffdCopy(0, 16), g.uffdZeropage(8, 16)]) {
      expect(r.ok).toBe(false);
      expect(r.errno).toBe("EEXIST");
      expect(rulesOf(r)).toEqual(["mfill_atomic.eexist"]);
    }
    expect(dumpWorld(g.world)).toBe(before);
  });

  test("userfaultfd_zeropage: partial progress returns -EAGAIN with the pages done (kernel-check uffd-copy-eexist)", () => {
    const g = destination("x86_64");
    g.uffdCopy(40, 8, "zero");
    const r = g.uffdZeropage(36, 8);
    expect(r.ok).toBe(true);
    expect(r.errno).toBe("EAGAIN");
    expect(r.message).toContain("filled 4 of 8 pages");
    expect(g.text(34, 8)).toBe("..uuuuww");
  });

  test("mfill_atomic_pte_copy: UFFDIO_COPY makes a real page even for zeros (RssAnon +4 KiB each)", () => {
    const g = destination("x86_64");
    const r = g.uffdCopy(0, 2, "data");
    g.uffdCopy(2, 2, "zero");
    expect(g.text(0, 4)).toBe("WWww");
    expect(g.c.rssAnonBytes).toBe(16 * KiB);
    expect(rulesOf(r)).toEqual(["mfill_atomic_pte_copy"]);
  });

  test("mfill_atomic: a range outside a registered VMA is -ENOENT", () => {
    const g = new Guest("x86_64", 1024);
    g.uffdRegister(0, 100);
    const r = g.uffdZeropage(90, 20);
    expect(r.errno).toBe("ENOENT");
    expect(r.failedAt).toBe(100);
    expect(g.c.presentPages).toBe(0);
  });

  test("validate_range: a zero-length UFFDIO_ZEROPAGE is -EINVAL", () => {
    const g = destination("x86_64");
    const r = g.uffdZeropage(5, 0);
    expect(r.ok).toBe(false);
    expect(r.errno).toBe("EINVAL");
  });

  test("mfill_atomic: -ENOMEM on the first page fails; later, it stops with -EAGAIN and the pages done", () => {
    const tables = 16 * KiB + 4 * KiB;
    const g = destination("s390-fa41ba0d-90a7592d", 512, tables + 3 * 4 * KiB);
    const r = g.uffdZeropage(0, 8);
    expect(r.ok).toBe(true);
    expect(r.errno).toBe("EAGAIN");
    expect(g.text(0, 8)).toBe("www.....");
    const before = dumpWorld(g.world);
    const r2 = g.uffdCopy(3, 1);
    expect(r2.ok).toBe(false);
    expect(r2.errno).toBe("ENOMEM");
    expect(r2.failedAt).toBe(3);
    expect(dumpWorld(g.world)).toBe(before);
  });

  test("userfaultfd_unregister: afterwards a read of none is handled by the kernel again", () => {
    const g = destination("x86_64");
    expect(g.read(0).rec.userfaultAt).toBe(0);
    const r = g.uffdUnregister();
    expect(rulesOf(r)).toEqual(["userfaultfd_unregister"]);
    expect(g.read(0).rec.userfaultAt).toBe(-1);
    expect(g.text(0, 1)).toBe("z");
  });
});
