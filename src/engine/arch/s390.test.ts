/**
 * s390 KVM hooks (arch/s390/mm/gmap.c, arch/s390/kvm/kvm-s390.c): KVM_CREATE_VM, storage keys and
 * PV, per variant.
 */
import { describe, expect, test } from "vitest";
import { KiB } from "../../base/units.ts";
import { VmFlag } from "../mm.ts";
import { dumpWorld } from "../test-support/dump.ts";
import { Guest, rulesOf } from "../test-support/guest.ts";
import { VARIANT_IDS, type VariantId } from "../variants.ts";

const S390: VariantId[] = [
  "s390-2faee8ff",
  "s390-fa41ba0d",
  "s390-fa41ba0d-90a7592d",
  "s390-06201e00",
  "s390-06201e00-v2",
];

describe("KVM_CREATE_VM: kvm_arch_init_vm → s390_enable_sie", () => {
  const zaps: Record<VariantId, boolean> = {
    "s390-2faee8ff": false,
    "s390-fa41ba0d": true,
    "s390-fa41ba0d-90a7592d": true,
    "s390-06201e00": false,
    "s390-06201e00-v2": false,
    x86_64: false,
  };
  test.each(S390)(
    "s390_enable_sie on %s: has_pgste = 1, THP off; fa41ba0d zaps zeropages (tables kept)",
    (variant) => {
      const g = new Guest(variant, 512);
      g.madvise("hugepage", 0, 100);
      g.read(0, 4);
      const r = g.createVm();
      expect(g.mm.ctx.hasPgste).toBe(true);
      expect(
        g.mm.vmas.every((v) => (v.flags & VmFlag.NOHUGEPAGE) !== 0 && (v.flags & VmFlag.HUGEPAGE) === 0),
      ).toBe(true);
      expect(g.text(0, 4)).toBe(zaps[variant] ? "...." : "zzzz");
      expect(g.c.pteTables).toBe(1);
      expect(rulesOf(r)).toEqual(
        zaps[variant] ? ["__zap_zero_pages", "s390_enable_sie"] : ["s390_enable_sie"],
      );
      // A second KVM_CREATE_VM in the same mm: mm_has_pgste() → nothing to do.
      expect(rulesOf(g.createVm())).toEqual(["s390_enable_sie.again"]);
    },
  );

  test("__zap_zero_pages (B): UFFD- and KSM-placed zeropages are zapped too (is_zero_pfn)", () => {
    const g = new Guest("s390-fa41ba0d", 512, { host: { ksmUseZeroPages: true } });
    g.uffdRegister(0, 2);
    g.uffdZeropage(0, 2);
    g.uffdUnregister(0, 2);
    g.madvise("mergeable");
    g.write(2, 2, "zero");
    g.ksmScan();
    expect(g.text(0, 4)).toBe("uukk");
    g.createVm();
    expect(g.text(0, 4)).toBe("....");
    // No ksm_might_unmap_zero_page() on this path: the two KSM zeropages stay counted.
    expect(g.c.ksmZeroPages).toBe(2);
  });

  test("kvm_create_vm on x86_64: the zeropage policy does not change", () => {
    const g = new Guest("x86_64", 512);
    g.read(0, 2);
    const r = g.createVm();
    expect(r.ok).toBe(true);
    expect(g.text(0, 2)).toBe("zz");
    expect(rulesOf(r)).toEqual(["kvm_create_vm.x86"]);
  });
});

describe("storage keys: s390_enable_skey", () => {
  test("s390_enable_skey (A, 2faee8ff): zeropages are zapped, reads allocate from now on", () => {
    const g = new Guest("s390-2faee8ff", 512);
    g.createVm();
    g.read(0, 4);
    const r = g.enableSkeys();
    expect(r.ok).toBe(true);
    expect(g.mm.ctx.usesSkeys).toBe(true);
    expect(g.text(0, 4)).toBe("....");
    expect(rulesOf(r)).toEqual(["__s390_enable_skey.zap_zero", "s390_enable_skey.2faee8ff", "ksm_disable"]);
    g.read(0, 1);
    expect(g.text(0, 1)).toBe("w");
  });

  test("s390_enable_skey (A): with uffd MISSING a page postcopy already placed faults again: the 2018 hang", () => {
    const g = new Guest("s390-2faee8ff", 512);
    g.createVm();
    g.uffdRegister();
    g.uffdZeropage(0, 4); // placed and marked received by QEMU
    expect(g.read(0, 4).rec.userfaultAt).toBe(-1);
    g.enableSkeys();
    expect(g.text(0, 4)).toBe("....");
    expect(g.read(0, 4).rec.userfaultAt).toBe(0);
  });

  test("s390_enable_skey (B, fa41ba0d): KSM unmerged; zeropages placed by UFFDIO_ZEROPAGE stay", () => {
    const g = new Guest("s390-fa41ba0d", 512);
    g.createVm();
    g.uffdRegister();
    g.uffdZeropage(0, 4);
    g.madvise("mergeable");
    g.uffdCopy(4, 4, "zero");
    g.ksmScan();
    expect(g.text(0, 8)).toBe("uuuuKKKK");
    const r = g.enableSkeys();
    expect(g.text(0, 8)).toBe("uuuurrrr");
    expect(rulesOf(r)).toEqual(["break_ksm.unshare", "s390_enable_skey.fa41ba0d", "ksm_disable"]);
  });

  test("s390_enable_skey (C, 06201e00): zeropages unshared to exclusive r/o zero pages, KSM disabled, none stays none", () => {
    const g = new Guest("s390-06201e00", 1024, { host: { ksmUseZeroPages: true } });
    g.createVm();
    g.madvise("mergeable");
    g.read(0, 4);
    g.write(4, 2, "zero");
    g.ksmScan();
    g.uffdRegister(100, 10);
    expect(g.text(0, 7)).toBe("zzzzkk.");
    const rss = g.c.rssAnonBytes;
    const r = g.enableSkeys();
    expect(r.ok).toBe(true);
    expect(g.text(0, 7)).toBe("rrrrrr.");
    expect(g.c.rssAnonBytes).toBe(rss + 6 * 4 * KiB);
    expect(g.mm.ctx).toMatchObject({ usesSkeys: true, allowCowSharing: false });
    expect(g.mm.vmas.every((v) => !(v.flags & VmFlag.MERGEABLE))).toBe(true);
    expect(rulesOf(r)).toEqual(["__s390_unshare_zeropages", "s390_enable_skey.06201e00", "ksm_disable"]);
    // Empty PTEs stayed empty; in the MISSING range a read still raises an ordinary userfault.
    expect(g.read(100).rec.userfaultAt).toBe(100);
    // The zeropage is forbidden from now on (the selftest's last step).
    g.read(200);
    expect(g.text(200, 1)).toBe("w");
  });

  test("s390_enable_skey (C): KSM pages are unshared by ksm_disable after the zeropages", () => {
    const g = new Guest("s390-06201e00", 512);
    g.createVm();
    g.madvise("mergeable");
    g.write(0, 3, "zero");
    g.ksmScan();
    g.read(3, 1);
    g.enableSkeys();
    expect(g.text(0, 4)).toBe("rrrr");
    expect(g.c.ksmPages).toBe(0);
  });

  test.each(S390)("s390_enable_skey on %s: a second call is a no-op (mm_uses_skeys)", (variant) => {
    const g = new Guest(variant, 512);
    g.createVm();
    g.enableSkeys();
    g.read(0, 2);
    const before = dumpWorld(g.world);
    const r = g.enableSkeys();
    expect(r.ok).toBe(true);
    expect(rulesOf(r)).toEqual(["s390_enable_skey.already"]);
    expect(dumpWorld(g.world)).toBe(before);
  });

  test("s390_enable_skey on x86_64: storage keys do not exist (-EINVAL)", () => {
    const g = new Guest("x86_64", 512);
    const r = g.enableSkeys();
    expect(r.errno).toBe("EINVAL");
    expect(rulesOf(r)).toEqual(["skeys.not_s390"]);
  });

  test("shared_zeropage_test (selftest bc54d7c6050e) under C: before VM, after VM, after SSKE", () => {
    const g = new Guest("s390-06201e00", 3, { vmaFlags: VmFlag.COW });
    g.read(0); // page 0 before any VM: zeropage
    g.createVm();
    g.read(1); // "Shared zeropages should be enabled"
    expect(g.text()).toBe("zz.");
    g.enableSkeys(); // the guest runs SSKE
    expect(g.text(1, 1)).toBe("r"); // "Shared zeropage should be gone": present, not the zeropage
    g.read(2); // "Shared zeropages should be disabled"
    expect(g.text()).toBe("rrr");
  });
});

describe("PV: KVM_PV_ENABLE", () => {
  test.each(VARIANT_IDS)("kvm_s390_handle_pv(KVM_PV_ENABLE) on %s", (variant) => {
    const g = new Guest(variant, 512);
    g.createVm();
    g.uffdRegister();
    g.uffdZeropage(0, 2);
    g.madvise("mergeable");
    g.uffdCopy(2, 2, "zero");
    g.ksmScan();
    const r = g.enablePv();
    if (variant === "x86_64" || variant === "s390-2faee8ff") {
      expect(r.errno).toBe("EINVAL");
      expect(rulesOf(r)).toEqual(["pv.unavailable"]);
      return;
    }
    expect(r.ok).toBe(true);
    expect(g.mm.ctx.pv).toBe(true);
    if (variant === "s390-06201e00" || variant === "s390-06201e00-v2") {
      // s390_disable_cow_sharing(): like keys, without touching uses_skeys.
      expect(g.text(0, 4)).toBe("rrrr");
      expect(g.mm.ctx).toMatchObject({ allowCowSharing: false, usesSkeys: false });
      expect(rulesOf(r)).toEqual([
        "__s390_unshare_zeropages",
        "break_ksm.unshare",
        "kvm_s390_handle_pv.06201e00",
        "ksm_disable",
      ]);
      // Keys afterwards: COW sharing is already off.
      expect(rulesOf(g.enableSkeys())).toEqual([
        "s390_enable_skey.06201e00",
        "__s390_disable_cow_sharing.already",
      ]);
    } else {
      // gmap_mark_unmergeable() only: the zeropage was already forbidden; UFFD-placed ones stay
      // (B' placed zeroed pages instead, which KSM merged, so they come back as copies).
      expect(g.text(0, 4)).toBe(variant === "s390-fa41ba0d" ? "uurr" : "rrrr");
      expect(rulesOf(r)).toEqual(["break_ksm.unshare", "kvm_s390_handle_pv.fa41ba0d", "ksm_disable"]);
    }
  });
});

describe("__s390_disable_cow_sharing errors: the event fails and changes nothing", () => {
  test("find_zeropage_pte_entry: a zeropage in a non-COW mapping fails keys and PV with -EFAULT (C)", () => {
    const g = new Guest("s390-06201e00", 512, { vmaFlags: VmFlag.WRITE });
    g.createVm();
    g.read(0, 2);
    const before = dumpWorld(g.world);
    for (const r of [g.enableSkeys(), g.enablePv()]) {
      expect(r.ok).toBe(false);
      expect(r.errno).toBe("EFAULT");
      expect(rulesOf(r)).toContain("find_zeropage_pte_entry.efault");
    }
    expect(g.mm.ctx).toMatchObject({ usesSkeys: false, allowCowSharing: true, pv: false });
    expect(dumpWorld(g.world)).toBe(before);
  });

  test("__s390_unshare_zeropages: VM_FAULT_OOM → -ENOMEM, allow_cow_sharing and uses_skeys restored (C)", () => {
    const tables = 16 * KiB + 4 * KiB;
    const g = new Guest("s390-06201e00", 512, { host: { memLimitBytes: tables + 3 * 4 * KiB } });
    g.createVm();
    g.read(0, 4);
    const before = dumpWorld(g.world);
    const r = g.enableSkeys();
    expect(r.errno).toBe("ENOMEM");
    expect(dumpWorld(g.world)).toBe(before);
    expect(g.mm.forbidsZeropage()).toBe(false);
    g.dontneed(0, 1);
    expect(g.enableSkeys().ok).toBe(true);
    expect(g.text(0, 4)).toBe(".rrr");
  });

  test("s390_enable_skey (A/B): KSM unmerge failing with -ENOMEM leaves uses_skeys = 0", () => {
    for (const variant of ["s390-2faee8ff", "s390-fa41ba0d"] as const) {
      const tables = 16 * KiB + 4 * KiB;
      const g = new Guest(variant, 512, { host: { memLimitBytes: tables + 4 * 4 * KiB } });
      g.createVm();
      g.madvise("mergeable");
      g.write(0, 4, "zero");
      g.ksmScan();
      g.write(10, 2);
      const r = g.enableSkeys();
      expect(r.errno).toBe("ENOMEM");
      expect(g.mm.ctx.usesSkeys).toBe(false);
      expect(g.text(0, 4)).toBe("KKKK");
    }
  });

  test("KVM_PV_ENABLE on an already protected VM fails with -EINVAL and changes nothing (B, C)", () => {
    for (const variant of ["s390-fa41ba0d", "s390-06201e00"] as const) {
      const g = new Guest(variant, 512);
      g.createVm();
      expect(g.enablePv().ok).toBe(true);
      g.write(0, 4);
      const before = g.text();
      const r = g.enablePv();
      expect(r.errno).toBe("EINVAL");
      expect(rulesOf(r)).toEqual(["kvm_s390_handle_pv.already_protected"]);
      expect(g.text()).toBe(before);
    }
  });

  test("__zap_zero_pages (B) bypasses ksm_might_unmap_zero_page(): ksm_zero_pages keeps the zapped KSM zeropages", () => {
    for (const variant of ["s390-fa41ba0d", "s390-fa41ba0d-90a7592d"] as const) {
      const g = new Guest(variant, 512, { host: { ksmUseZeroPages: true } });
      g.madvise("mergeable");
      g.write(0, 8, "zero");
      g.ksmScan();
      expect(g.c).toMatchObject({ ksmZeroPages: 8, zeropagePtes: 8 });
      g.createVm();
      // The PTEs are gone, the counter is not (the kernel's count drifts; the model follows it).
      expect(g.c).toMatchObject({ ksmZeroPages: 8, zeropagePtes: 0, presentPages: 0 });
    }
    // C has no zap at VM creation; a write fault on a KSM zeropage does decrement (wp_page_copy).
    const c = new Guest("s390-06201e00", 512, { host: { ksmUseZeroPages: true } });
    c.madvise("mergeable");
    c.write(0, 8, "zero");
    c.ksmScan();
    c.createVm();
    c.write(0, 1);
    expect(c.c).toMatchObject({ ksmZeroPages: 7, zeropagePtes: 7 });
  });
});
