/**
 * Points an audit of the engine against the kernel sources raised: rules that no test named, unconfirmed
 * facts that must reach the narration as assumptions, mfill_atomic_install_pte()'s VM_WRITE check,
 * storage keys and PV only after KVM_CREATE_VM, vma_can_userfault(), the -ENOMEM of
 * __s390_unshare_zeropages(), and the -EFAULT of a write to the non-COW stand-in.
 */
import { describe, expect, test } from "vitest";
import { KiB } from "../base/units.ts";
import { VmFlag } from "./mm.ts";
import { allRules, ruleById } from "./rules.ts";
import { dumpWorld } from "./test-support/dump.ts";
import { Guest, rulesOf } from "./test-support/guest.ts";
import type { VariantId } from "./variants.ts";

const S390: VariantId[] = ["s390-2faee8ff", "s390-fa41ba0d", "s390-fa41ba0d-90a7592d", "s390-06201e00"];

describe("rules no other test names", () => {
  test("access_error.sigsegv: a write to a read-only VMA is refused with -EFAULT and changes nothing", () => {
    const g = new Guest("x86_64", 512, { vmaFlags: VmFlag.COW });
    g.read(0, 4);
    const before = dumpWorld(g.world);
    const r = g.write(2, 1);
    expect(r.ok).toBe(false);
    expect(r.errno).toBe("EFAULT");
    expect(r.message).toMatch(/not writable/);
    expect(rulesOf(r)).toEqual(["access_error.sigsegv"]);
    expect(dumpWorld(g.world)).toBe(before);
  });

  test("zap_pte_range.none: MADV_DONTNEED over empty PTEs frees nothing", () => {
    const g = new Guest("s390-06201e00", 512);
    g.write(0, 2);
    const r = g.dontneed(0, 8);
    expect(r.ok).toBe(true);
    expect(rulesOf(r)).toContain("zap_pte_range.none");
    expect(r.rec.effects.find((e) => ruleById("zap_pte_range.none")!.index === e.rule)?.from).toBe(0);
    expect(g.text(0, 8)).toBe("........");
    expect(g.c.rssAnonBytes).toBe(0);
  });

  test("userfaultfd_register.missing: after UFFDIO_REGISTER a read of an empty PTE raises a userfault", () => {
    const g = new Guest("x86_64", 512);
    const r = g.uffdRegister(0, 16);
    expect(r.ok).toBe(true);
    expect(rulesOf(r)).toEqual(["userfaultfd_register.missing"]);
    expect(g.mm.vmaAt(0)!.flags & VmFlag.UFFD_MISSING).toBeTruthy();
    expect(rulesOf(g.read(3, 1))).toEqual(["handle_userfault.missing"]);
    expect(g.text(3, 1)).toBe(".");
  });

  test("break_ksm.unshare_zeropage: ksm_disable unshares KSM-placed zeropages, leaves fault-placed ones", () => {
    const g = new Guest("s390-06201e00", 512, { host: { ksmUseZeroPages: true } });
    g.madvise("mergeable");
    g.write(0, 3, "zero");
    g.ksmScan();
    g.read(3, 1);
    expect(g.text(0, 4)).toBe("kkkz");
    expect(g.c.ksmZeroPages).toBe(3);
    const r = g.ksmDisable();
    expect(rulesOf(r)).toContain("break_ksm.unshare_zeropage");
    expect(g.text(0, 4)).toBe("rrrz");
    expect(g.c.ksmZeroPages).toBe(0);
    expect(g.c.anonPages).toBe(3);
  });

  test("pageset: user-space bookkeeping changes no PTE and no counter", () => {
    const g = new Guest("x86_64", 512);
    g.read(0, 4);
    const before = [g.text(), JSON.stringify(g.c)];
    const r = g.apply({ kind: "pageset", mm: 0, set: "balloon", ranges: [0, 4], value: 1 });
    expect(r.ok).toBe(true);
    expect(rulesOf(r)).toEqual(["pageset"]);
    expect(g.world.pageset(0, "balloon").get(2)).toBe(1);
    expect([g.text(), JSON.stringify(g.c)]).toEqual(before);
  });
});

describe("citations resolve from a clone", () => {
  test("no rule cites the team's fact sheet (not in the repository): they name functions, files, commits and tags", () => {
    const cites = allRules().filter((r) =>
      /§|kernel-facts/.test(`${r.title} ${r.explain} ${r.assumption ?? ""}`),
    );
    expect(cites.map((r) => r.id)).toEqual([]);
  });
});

describe("unconfirmed facts reach the narration as the rule's assumption", () => {
  test.each([
    ["s390_enable_sie", /alloc_pgste.*unconfirmed/],
    ["ksm_disable", /Unconfirmed.*re-enabl/],
    ["do_huge_pmd_anonymous_page.huge_zero", /deposit.*unconfirmed/],
    ["zap_pte_range.table_kept", /s390.*release is unconfirmed/],
    ["try_to_merge_two_pages", /Inference.*once per mapping/],
    ["s390_enable_skey.06201e00", /allow_cow_sharing back to 1/],
    ["kvm_s390_handle_pv.06201e00", /allow_cow_sharing back to 1/],
    ["__s390_disable_cow_sharing.already", /allow_cow_sharing back to 1/],
    ["do_anonymous_page.write", /mTHP/],
    ["__s390_unshare_zeropages.enomem", /kernel keeps the zeropages it already unshared/],
    ["find_zeropage_pte_entry.efault", /kernel keeps pages it already unshared/],
  ])("%s carries its assumption", (id, text) => {
    expect(ruleById(id)?.assumption).toMatch(text);
  });
});

describe("mfill_atomic_install_pte: the PTE is writable only if the VMA has VM_WRITE", () => {
  test.each([
    [VmFlag.WRITE | VmFlag.COW, "W", "w"],
    [VmFlag.COW, "R", "r"],
  ])(
    "vma flags %i: UFFDIO_COPY installs %s, the zeroed-folio UFFDIO_ZEROPAGE %s",
    (flags, copied, zeroed) => {
      const g = new Guest("s390-fa41ba0d-90a7592d", 512, { vmaFlags: flags });
      g.createVm();
      g.uffdRegister();
      expect(rulesOf(g.uffdCopy(0, 2, "data"))).toEqual(["mfill_atomic_pte_copy"]);
      expect(rulesOf(g.uffdZeropage(2, 2))).toEqual(["mfill_atomic_pte_zeroed_folio"]);
      expect(g.text(0, 4)).toBe(copied.repeat(2) + zeroed.repeat(2));
      expect(g.c.rssAnonBytes).toBe(16 * KiB);
    },
  );
});

describe("storage keys and PV need a KVM VM (has_pgste)", () => {
  test.each(S390.map((v) => [v]))(
    "%s: enable_skeys before KVM_CREATE_VM fails with -EINVAL and changes nothing",
    (variant) => {
      const g = new Guest(variant, 512);
      g.read(0, 4);
      const before = dumpWorld(g.world);
      const r = g.enableSkeys();
      expect(r.ok).toBe(false);
      expect(r.errno).toBe("EINVAL");
      expect(rulesOf(r)).toEqual(["kvm.no_vm"]);
      expect(dumpWorld(g.world)).toBe(before);
      g.createVm();
      expect(g.enableSkeys().ok).toBe(true);
      expect(g.mm.ctx.usesSkeys).toBe(true);
    },
  );

  test.each((["s390-fa41ba0d", "s390-fa41ba0d-90a7592d", "s390-06201e00"] as const).map((v) => [v]))(
    "%s: enable_pv before KVM_CREATE_VM fails with -EINVAL",
    (variant) => {
      const g = new Guest(variant, 512);
      const r = g.enablePv();
      expect(r.errno).toBe("EINVAL");
      expect(rulesOf(r)).toEqual(["kvm.no_vm"]);
      expect(g.mm.ctx.pv).toBe(false);
      g.createVm();
      expect(g.enablePv().ok).toBe(true);
      expect(g.mm.ctx.pv).toBe(true);
    },
  );

  test("A has no PV at all; x86_64 has no storage keys (checked before the VM)", () => {
    expect(rulesOf(new Guest("s390-2faee8ff", 512).enablePv())).toEqual(["pv.unavailable"]);
    expect(rulesOf(new Guest("x86_64", 512).enableSkeys())).toEqual(["skeys.not_s390"]);
  });
});

describe("vma_can_userfault()", () => {
  test("UFFDIO_REGISTER over the non-COW (DAX-like) mapping fails with -EINVAL and registers nothing", () => {
    const g = new Guest("x86_64", 512, { vmaFlags: VmFlag.WRITE });
    const r = g.uffdRegister(0, 8);
    expect(r.ok).toBe(false);
    expect(r.errno).toBe("EINVAL");
    expect(rulesOf(r)).toEqual(["userfaultfd_register.einval"]);
    expect(g.mm.vmaAt(0)!.flags & VmFlag.UFFD_MISSING).toBe(0);
  });
});

describe("__s390_unshare_zeropages: -ENOMEM is a transaction with a named rule", () => {
  test("C: keys whose unsharing does not fit fail with -ENOMEM, record the rule, and change nothing", () => {
    // Segment table + one PTE table + 2 pages: three zeropages cannot all be unshared.
    const g = new Guest("s390-06201e00", 512, { host: { memLimitBytes: 16 * KiB + 4 * KiB + 2 * 4 * KiB } });
    g.createVm();
    g.read(0, 3);
    const before = dumpWorld(g.world);
    const r = g.enableSkeys();
    expect(r.ok).toBe(false);
    expect(r.errno).toBe("ENOMEM");
    expect(rulesOf(r)).toContain("__s390_unshare_zeropages.enomem");
    expect(dumpWorld(g.world)).toBe(before);
    expect(g.mm.ctx.usesSkeys).toBe(false);
    expect(g.mm.ctx.allowCowSharing).toBe(true);
  });
});

describe("a write to the non-COW stand-in is refused without calling it 'not writable'", () => {
  test("dax.write_unmodelled: -EFAULT, a message about the model, nothing changed", () => {
    const g = new Guest("x86_64", 512, { vmaFlags: VmFlag.WRITE });
    const r = g.write(0, 1);
    expect(r.errno).toBe("EFAULT");
    expect(r.message).toMatch(/non-COW/);
    expect(r.message).not.toMatch(/not writable/);
    expect(rulesOf(r)).toEqual(["dax.write_unmodelled"]);
    expect(ruleById("dax.write_unmodelled")!.assumption).toMatch(/Modelling choice/);
  });
});
