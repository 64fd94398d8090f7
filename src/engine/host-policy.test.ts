/**
 * The host's zeropage policy (HostConfig.zeropage): one switch per path that maps the shared
 * zeropage. Each switch off sends its path down the branch its kernel function takes when the
 * zero page may not be used, under a rule of its own; the other paths keep upstream behaviour.
 * Expected numbers follow from the geometry: one x86_64 PTE table maps 512 pages (2 MiB) and
 * costs 4 KiB, and the first table of a fresh area also brings a PMD and a PUD table.
 */
import { describe, expect, test } from "vitest";
import { KiB, MiB } from "../base/units.ts";
import {
  describeHostPolicy,
  type HostZeropagePolicy,
  isHostPolicyNonDefault,
  UPSTREAM_ZEROPAGE,
} from "./mm.ts";
import { Guest, rulesOf } from "./test-support/guest.ts";

/** The host measured with pvm_no_zero_page=1: read faults and THP reads allocate, UFFDIO_ZEROPAGE maps. */
const PVM: HostZeropagePolicy = { readFault: false, hugeZeroPage: false, uffdZeropage: true, ksm: true };

function x86(pages: number, zeropage: HostZeropagePolicy, host: Record<string, unknown> = {}): Guest {
  return new Guest("x86_64", pages, { host: { zeropage, ...host } });
}

describe("host zeropage policy", () => {
  test("upstream is the default and reads as such", () => {
    expect(isHostPolicyNonDefault(UPSTREAM_ZEROPAGE)).toBe(false);
    expect(isHostPolicyNonDefault(PVM)).toBe(true);
    expect(describeHostPolicy(PVM)).toBe(
      "read faults allocate (no zeropage), huge zero page off, UFFDIO_ZEROPAGE maps the zeropage, KSM maps the zeropage",
    );
    const plain = new Guest("x86_64", 512);
    plain.read(0, 512);
    expect(plain.c).toMatchObject({ zeropagePtes: 512, rssAnonBytes: 0 });
  });

  test("readFault off: do_anonymous_page() allocates a zero-filled, writable page per read", () => {
    const g = x86(1024, PVM);
    const r = g.read(0, 1024);
    expect(rulesOf(r)).toEqual(["do_anonymous_page.host_no_zeropage"]);
    // 1024 pages × 4 KiB; two PTE tables plus the PMD and PUD table of the fresh area.
    expect(g.c).toMatchObject({ zeropagePtes: 0, presentPages: 1024, rssAnonBytes: 1024 * 4 * KiB });
    expect(g.c.vmPteBytes).toBe((2 + 2) * 4 * KiB);
    // VM_WRITE: the page is mapped writable, so a later write needs no fault and no allocation.
    const w = g.write(0, 8);
    expect(rulesOf(w)).toEqual(["mmu.write_present"]);
    expect(g.c.rssAnonBytes).toBe(1024 * 4 * KiB);
  });

  test("readFault off: an unshare fault on a none PTE allocates too (it is handled as a read)", () => {
    const g = x86(512, PVM);
    const r = g.unshare(0, 4);
    expect(rulesOf(r)).toEqual(["do_anonymous_page.unshare_none"]);
    expect(g.c).toMatchObject({ zeropagePtes: 0, rssAnonBytes: 4 * 4 * KiB });
  });

  test("readFault off does not change a registered MISSING range: the read still becomes a userfault", () => {
    const g = x86(512, PVM);
    g.uffdRegister();
    const r = g.read(0, 1);
    expect(r.rec.userfaultAt).toBe(0);
    expect(g.c.rssAnonBytes).toBe(0);
  });

  test("hugeZeroPage off: a THP read allocates a 2 MiB huge page instead of the huge zero PMD", () => {
    const g = x86(1024, PVM, { thp: "madvise" });
    g.madvise("hugepage");
    const r = g.read(0, 1);
    expect(rulesOf(r)).toEqual(["do_huge_pmd_anonymous_page.no_huge_zero"]);
    expect(g.c).toMatchObject({
      thpPmds: 1,
      hugeZeroPmds: 0,
      rssAnonBytes: 2 * MiB,
      vmPteBytes: 3 * 4 * KiB,
    });
    // The huge page is mapped writable: a write to it needs no fault.
    expect(rulesOf(g.write(0, 1))).toEqual(["mmu.write_present"]);
    expect(g.c.rssAnonBytes).toBe(2 * MiB);
  });

  test("hugeZeroPage off, readFault on (use_zero_page = 0): THP reads allocate, 4 KiB reads map the zeropage", () => {
    const g = x86(1536, { ...UPSTREAM_ZEROPAGE, hugeZeroPage: false }, { thp: "madvise" });
    g.madvise("hugepage", 0, 512);
    g.read(0, 1);
    g.read(512, 1024);
    expect(g.c).toMatchObject({ thpPmds: 1, zeropagePtes: 1024, rssAnonBytes: 2 * MiB });
  });

  test("hugeZeroPage off: a THP that does not fit the host's memory falls back to 4 KiB reads", () => {
    const g = x86(512, { ...UPSTREAM_ZEROPAGE, hugeZeroPage: false }, { thp: "always", memLimitBytes: MiB });
    const r = g.read(0, 1);
    expect(rulesOf(r)).toEqual(["do_anonymous_page.zeropage"]);
    expect(g.c).toMatchObject({ thpPmds: 0, zeropagePtes: 1 });
  });

  test("uffdZeropage off: UFFDIO_ZEROPAGE installs zeroed pages; on the pvm host it maps the zeropage", () => {
    const off = x86(512, { ...UPSTREAM_ZEROPAGE, uffdZeropage: false });
    off.uffdRegister();
    const r = off.uffdZeropage(0, 512);
    expect(rulesOf(r)).toEqual(["mfill_atomic_pte_zeropage.host_no_zeropage"]);
    expect(off.c).toMatchObject({ zeropagePtes: 0, presentPages: 512, rssAnonBytes: 512 * 4 * KiB });

    const pvm = x86(512, PVM);
    pvm.uffdRegister();
    expect(rulesOf(pvm.uffdZeropage(0, 512))).toEqual(["mfill_atomic_pte_zeropage"]);
    expect(pvm.c).toMatchObject({ zeropagePtes: 512, rssAnonBytes: 0 });
    // ...and a later read of those pages needs no fault: the zeropage stays.
    expect(rulesOf(pvm.read(0, 512))).toEqual(["mmu.read_present"]);
  });

  test("ksm off: with use_zero_pages, zero-filled pages merge into a KSM page instead of the zeropage", () => {
    const on = x86(512, UPSTREAM_ZEROPAGE, { ksmUseZeroPages: true });
    const off = x86(512, { ...UPSTREAM_ZEROPAGE, ksm: false }, { ksmUseZeroPages: true });
    for (const g of [on, off]) {
      g.write(0, 64, "zero");
      g.madvise("mergeable");
    }
    expect(rulesOf(on.ksmScan())).toEqual(["try_to_merge_with_zero_page"]);
    expect(rulesOf(off.ksmScan())).toEqual(["try_to_merge_two_pages.host_no_zeropage"]);
    expect(on.c).toMatchObject({ ksmZeroPages: 64, zeropagePtes: 64, rssAnonBytes: 0 });
    // A KSM mapping still counts in RssAnon; the host keeps one page for the 64 sharers.
    expect(off.c).toMatchObject({ ksmZeroPages: 0, ksmPages: 64, rssAnonBytes: 64 * 4 * KiB });
  });
});
