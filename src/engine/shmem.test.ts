/**
 * Guest RAM in a memfd mapped shared (engine/shmem.ts): faults allocate page-cache pages on every
 * kernel (no zeropage, mm_forbids_zeropage() never asked), a zap only unmaps, fallocate(PUNCH_HOLE)
 * frees, userfaultfd fills allocate, KSM leaves the mapping alone.
 */
import { describe, expect, test } from "vitest";
import { KiB } from "../base/units.ts";
import { VmFlag } from "./mm.ts";
import { Guest, rulesOf } from "./test-support/guest.ts";
import type { VariantId } from "./variants.ts";

const MEMFD = VmFlag.WRITE | VmFlag.SHMEM;
const memfd = (variant: VariantId, pages = 512, kernelVersion?: string) =>
  new Guest(variant, pages, { vmaFlags: MEMFD, ...(kernelVersion ? { kernelVersion } : {}) });

describe("faults on a memfd", () => {
  test.each<VariantId>(["s390-fa41ba0d", "s390-06201e00", "x86_64"])(
    "%s: a read of a hole allocates a page-cache page, never the zeropage",
    (variant) => {
      const g = memfd(variant);
      if (variant !== "x86_64") g.createVm();
      const r = g.read(0, 64);
      expect(rulesOf(r)).toEqual(["shmem_fault.alloc"]);
      expect(g.c).toMatchObject({ zeropagePtes: 0, rssAnonBytes: 0, rssShmemBytes: 64 * 4 * KiB });
      expect(g.c.shmemBytes).toBe(64 * 4 * KiB);
      expect(g.text(0, 4)).toBe("ssss");
    },
  );

  test("a write to a hole allocates, a write to a mapped page only changes its content", () => {
    const g = memfd("x86_64");
    g.read(0, 2);
    const before = g.c.hostMemBytes;
    const r = g.write(0, 4, "data");
    expect(rulesOf(r)).toEqual(["shmem_fault.write_alloc", "mmu.write_present"]);
    expect(g.text(0, 4)).toBe("SSSS");
    expect(g.c.hostMemBytes - before).toBe(2 * 4 * KiB);
  });

  test("storage keys under 06201e00: nothing to unshare, the memfd pages stay", () => {
    const g = memfd("s390-06201e00");
    g.createVm();
    g.read(0, 256);
    g.enableSkeys();
    expect(g.c).toMatchObject({ rssShmemBytes: 256 * 4 * KiB, rssAnonBytes: 0 });
    expect(g.text(0, 2)).toBe("ss");
  });
});

describe("discards", () => {
  test("MADV_DONTNEED unmaps but frees nothing; a fault maps the cached page back without allocating", () => {
    const g = memfd("s390-06201e00");
    g.createVm();
    g.write(0, 8, "data");
    const mem = g.c.hostMemBytes;
    const z = g.dontneed(0, 8);
    expect(rulesOf(z)).toContain("zap_pte_range.shmem");
    expect(g.text(0, 2)).toBe("CC");
    expect(g.c).toMatchObject({ rssShmemBytes: 0, shmemBytes: 8 * 4 * KiB, presentPages: 0 });
    expect(g.c.hostMemBytes).toBe(mem);
    const r = g.read(0, 8);
    expect(rulesOf(r)).toEqual(["shmem_fault.cached"]);
    // The content survived the zap: the pages still hold data.
    expect(g.text(0, 2)).toBe("SS");
    expect(g.c.hostMemBytes).toBe(mem);
  });

  test("fallocate(PUNCH_HOLE) frees mapped and cached pages alike; the table stays", () => {
    const g = memfd("x86_64", 1024, "6.18");
    g.write(0, 16, "data");
    g.dontneed(8, 8, 1);
    const tables = g.c.pteTables;
    const r = g.apply({ kind: "punch_hole", mm: 0, ranges: [0, 16] });
    expect(r.ok).toBe(true);
    expect(rulesOf(r)).toEqual(["shmem_fallocate.punch_hole"]);
    expect(g.c).toMatchObject({ shmemBytes: 0, rssShmemBytes: 0, pteTables: tables });
    expect(g.text(0, 16)).toBe(".".repeat(16));
  });

  test("punching a hole in anonymous memory is refused and changes nothing", () => {
    const g = new Guest("x86_64", 512);
    g.write(0, 4);
    const r = g.apply({ kind: "punch_hole", mm: 0, ranges: [0, 4] });
    expect(r).toMatchObject({ ok: false, errno: "EINVAL" });
    expect(g.text(0, 4)).toBe("WWWW");
  });
});

describe("userfaultfd and KSM on a memfd", () => {
  test("UFFDIO_ZEROPAGE allocates a zeroed page-cache page (90a7592da149 does not apply); a cached page is -EEXIST", () => {
    const g = memfd("s390-fa41ba0d");
    g.createVm();
    g.uffdRegister();
    const r = g.uffdZeropage(0, 4);
    expect(rulesOf(r)).toEqual(["shmem_mfill_atomic_pte.zeropage"]);
    expect(g.c).toMatchObject({ zeropagePtes: 0, rssShmemBytes: 4 * 4 * KiB });
    g.dontneed(0, 4);
    expect(g.uffdCopy(0, 1)).toMatchObject({ ok: false, errno: "EEXIST" });
  });

  test("v4.12 (variant A) has no UFFDIO_ZEROPAGE for shared memory: -EINVAL, UFFDIO_COPY works", () => {
    const g = memfd("s390-2faee8ff");
    g.createVm();
    g.uffdRegister();
    const z = g.uffdZeropage(0, 4);
    expect(z).toMatchObject({ ok: false, errno: "EINVAL" });
    expect(rulesOf(z)).toEqual(["userfaultfd_zeropage.shmem_unsupported"]);
    expect(g.uffdCopy(0, 4, "zero").ok).toBe(true);
    expect(g.text(0, 4)).toBe("ssss");
  });

  test("a MISSING registration: a hole raises the userfault, a cached page is mapped without one", () => {
    const g = memfd("x86_64");
    g.write(0, 1, "data");
    g.dontneed(0, 1);
    g.uffdRegister();
    expect(g.read(0, 1).rec.userfaultAt).toBe(-1);
    expect(g.read(1, 1).rec.userfaultAt).toBe(1);
  });

  test("MADV_MERGEABLE leaves the shared mapping unmergeable; ksmd merges nothing there", () => {
    const g = new Guest("x86_64", 512, { vmaFlags: MEMFD, host: { ksmUseZeroPages: true } });
    g.write(0, 64, "zero");
    const r = g.madvise("mergeable");
    expect(rulesOf(r)).toContain("ksm_madvise.shared_mapping");
    expect(g.mm.vmas.every((v) => (v.flags & VmFlag.MERGEABLE) === 0)).toBe(true);
    g.ksmScan();
    expect(g.c).toMatchObject({ ksmPages: 0, ksmZeroPages: 0, rssShmemBytes: 64 * 4 * KiB });
  });
});
