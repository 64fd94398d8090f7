/**
 * s390 KVM hooks in the host mm (arch/s390/mm/gmap.c, arch/s390/kvm/kvm-s390.c, per commit):
 *
 *   KVM_CREATE_VM   s390_enable_sie(): has_pgste = 1, thp_split_mm(); B also zaps zeropages
 *   storage keys    s390_enable_skey(): uses_skeys = 1, then per variant
 *                     A  unmerge KSM, zap zeropage PTEs (__s390_enable_skey), reset keys
 *                     B  gmap_mark_unmergeable() (KSM off), reset keys; zeropages untouched
 *                     C  __s390_disable_cow_sharing() (unshare zeropages, ksm_disable()), reset keys
 *   KVM_PV_ENABLE   B  gmap_mark_unmergeable();  C  s390_disable_cow_sharing();  A  no PV yet
 *
 * The zap of A and B empties PTEs: under a userfaultfd MISSING registration the next access raises
 * a missing fault. After a postcopy placed that page, QEMU will never send it again: the 2017 hang
 * (fa41ba0d's message). C unshares instead, so the page stays present.
 */
import { costRanges, type Errno, identityPlan, mapRanges, type Recorder, selectRanges } from "../apply.ts";
import { ksmDisable, unmergeCost } from "../ksm.ts";
import { type Mm, VmFlag } from "../mm.ts";
import { isZeropage, Pte } from "../pte.ts";
import { defineRule, fr, step } from "../rules.ts";
import {
  R_S390_UNSHARE_EFAULT,
  R_S390_UNSHARE_ENOMEM,
  unshareZeropages,
  zeropageOutsideCow,
} from "../unshare.ts";

const GMAP = "arch/s390/mm/gmap.c";

/** allow_cow_sharing is only ever cleared (__s390_disable_cow_sharing() restores it on an error path only). */
const COW_FOREVER =
  "Unconfirmed: no code was found that sets mm->context.allow_cow_sharing back to 1 once storage keys or PV cleared it (06201e00's gmap.c restores it only when unsharing fails), so the model keeps the zeropage forbidden for the rest of the guest's life, even after PV is disabled.";
const KVM = "arch/s390/kvm/kvm-s390.c";

export const R_ENABLE_SIE = defineRule({
  id: "s390_enable_sie",
  title: "KVM_CREATE_VM: the mm gets PGSTEs (has_pgste = 1) and THP is disabled",
  path: [
    fr(KVM, "kvm_arch_init_vm"),
    fr(GMAP, "s390_enable_sie"),
    step("mm->context.has_pgste = 1"),
    fr(GMAP, "thp_split_mm", "VM_NOHUGEPAGE"),
  ],
  explain:
    "Creating a VM marks QEMU's address space as a KVM guest's: page tables carry PGSTEs and huge pages are off for good. Under fa41ba0d this alone makes mm_forbids_zeropage() true.",
  assumption:
    "Every s390 PTE table is charged a full 4 KiB (PTEs + PGSTEs): since d08d4e7cd6bf (v6.7) page_table_alloc() always takes a whole page. Before v6.7 that holds because QEMU's process has alloc_pgste (vm.allocate_pgste or PT_S390_PGSTE; s390_enable_sie() fails with -EINVAL without it); whether v6.10's mm_context_t still has alloc_pgste is unconfirmed, which does not matter for the cost.",
});

export const R_ENABLE_SIE_AGAIN = defineRule({
  id: "s390_enable_sie.again",
  title: "KVM_CREATE_VM on an mm that already has PGSTEs: nothing to do",
  path: [fr(GMAP, "s390_enable_sie"), step("mm_has_pgste()", "return 0")],
  explain: "The address space is already set up for KVM.",
});

export const R_ZAP_ZERO_SIE = defineRule({
  id: "__zap_zero_pages",
  title: "fa41ba0d zaps every zeropage PTE at VM creation",
  path: [
    fr(GMAP, "s390_enable_sie"),
    fr("mm/pagewalk.c", "walk_page_range", "zap_zero_walk_ops"),
    fr(GMAP, "__zap_zero_pages"),
    step("ptep_xchg_direct(_PAGE_INVALID)"),
  ],
  explain:
    "fa41ba0d forbids the zeropage for the whole life of a KVM guest and removes any zeropages that were mapped before the VM existed. Page tables stay; the next access faults again (and now allocates). The PTEs are exchanged directly, without ksm_might_unmap_zero_page(), so zeropages ksmd had placed stay counted in ksm_zero_pages although nothing maps them any more.",
});

export const R_X86_CREATE_VM = defineRule({
  id: "kvm_create_vm.x86",
  title: "KVM_CREATE_VM on x86_64: the mm's zeropage policy is unchanged",
  path: [fr("virt/kvm/kvm_main.c", "kvm_create_vm")],
  explain:
    "On x86_64 creating a VM does not change how QEMU's anonymous memory faults: the shared zeropage stays allowed.",
});

export const R_SKEY_A = defineRule({
  id: "s390_enable_skey.2faee8ff",
  title: "storage keys enabled (A): zeropage forbidden from now on, zeropage PTEs zapped",
  path: [
    fr(GMAP, "s390_enable_skey"),
    step("mm->context.use_skey = 1"),
    step("ksm_madvise(MADV_UNMERGEABLE) per VMA"),
    fr("mm/pagewalk.c", "walk_page_range"),
    fr(GMAP, "__s390_enable_skey", "zero pfn → _PAGE_INVALID"),
  ],
  explain:
    "A storage key belongs to a physical frame, and the zeropage frame is shared by everyone, so a key-using guest must not map it. The 2014 code zaps each zeropage PTE 'for lazy refaulting': the next access faults in a real page. During postcopy this turns a page QEMU already placed into a missing page nobody will send again.",
});

export const R_ZAP_ZERO_SKEY = defineRule({
  id: "__s390_enable_skey.zap_zero",
  title: "A: the storage-key walk zaps a zeropage PTE",
  path: [
    fr(GMAP, "s390_enable_skey"),
    fr(GMAP, "__s390_enable_skey"),
    step("is_zero_pfn()"),
    step("pte = _PAGE_INVALID"),
  ],
  explain:
    "The zeropage PTE is emptied. Without userfaultfd the next read allocates a real page; with a MISSING registration it raises a userfault.",
});

export const R_SKEY_B = defineRule({
  id: "s390_enable_skey.fa41ba0d",
  title: "storage keys enabled (B): KSM unmerged, keys reset",
  path: [
    fr(GMAP, "s390_enable_skey"),
    step("mm->context.uses_skeys = 1"),
    fr(GMAP, "gmap_mark_unmergeable"),
    fr("mm/pagewalk.c", "walk_page_range", "enable_skey_walk_ops"),
    fr("arch/s390/mm/pgtable.c", "ptep_zap_key"),
  ],
  explain:
    "fa41ba0d forbade fault-time zeropages from VM creation on, so enabling keys only unmerges KSM pages and resets keys; it has no zeropage handling. Zeropages that reached the guest by other paths stay mapped: those UFFDIO_ZEROPAGE placed before 90a7592da149, and those ksmd placed with use_zero_pages (try_to_merge_with_zero_page() does not ask mm_forbids_zeropage()).",
});

export const R_SKEY_C = defineRule({
  id: "s390_enable_skey.06201e00",
  title: "storage keys enabled (C): COW sharing disabled, zeropages unshared",
  path: [
    fr(GMAP, "s390_enable_skey"),
    step("mm->context.uses_skeys = 1"),
    fr(GMAP, "__s390_disable_cow_sharing"),
    step("allow_cow_sharing = 0"),
    fr(GMAP, "__s390_unshare_zeropages"),
    fr("mm/ksm.c", "ksm_disable"),
    fr("arch/s390/mm/pgtable.c", "ptep_zap_key"),
  ],
  explain:
    "06201e00: the first storage-key use turns off most COW sharing for the guest (the zeropage and KSM; fork()'s COW is not touched). mm_forbids_zeropage() becomes true, every mapped zeropage is replaced by an exclusive zero page (RssAnon jumps by 4 KiB per zeropage), and KSM is disabled. Empty PTEs stay empty, so no userfaults appear.",
  assumption: COW_FOREVER,
});

export const R_SKEY_ALREADY = defineRule({
  id: "s390_enable_skey.already",
  title: "storage keys already enabled: nothing to do",
  path: [fr(GMAP, "s390_enable_skey"), step("mm_uses_skeys()", "return 0")],
  explain: "The guest already uses storage keys.",
});

export const R_COW_ALREADY = defineRule({
  id: "__s390_disable_cow_sharing.already",
  title: "COW sharing already disabled",
  path: [fr(GMAP, "__s390_disable_cow_sharing"), step("!allow_cow_sharing", "return 0")],
  explain: "Storage keys or PV already disabled COW sharing for this guest; nothing left to unshare.",
  assumption: COW_FOREVER,
});

export const R_PV_B = defineRule({
  id: "kvm_s390_handle_pv.fa41ba0d",
  title: "PV enabled (B): KSM unmerged",
  path: [
    fr(KVM, "kvm_s390_handle_pv", "KVM_PV_ENABLE"),
    fr(GMAP, "gmap_mark_unmergeable"),
    fr("arch/s390/kvm/pv.c", "kvm_s390_pv_init_vm"),
  ],
  explain:
    "A protected guest's pages must belong to it alone; under fa41ba0d the zeropage is already forbidden, so only KSM is switched off.",
});

export const R_PV_C = defineRule({
  id: "kvm_s390_handle_pv.06201e00",
  title: "PV enabled (C): COW sharing disabled, zeropages unshared",
  path: [
    fr(KVM, "kvm_s390_handle_pv", "KVM_PV_ENABLE"),
    fr(GMAP, "s390_disable_cow_sharing"),
    fr(GMAP, "__s390_disable_cow_sharing"),
    fr(GMAP, "__s390_unshare_zeropages"),
    fr("mm/ksm.c", "ksm_disable"),
    fr("arch/s390/kvm/pv.c", "kvm_s390_pv_init_vm"),
  ],
  explain:
    "Secure-execution pages must be exclusively owned, so PV disables COW sharing exactly as storage keys do: zeropages are unshared and KSM is turned off, for the rest of the guest's life.",
  assumption: `Unconfirmed: what would fail if a zeropage stayed mapped in a PV guest (secure conversion in arch/s390/kernel/uv.c needs writable, exclusively owned pages); the model only follows the code path that prevents it. ${COW_FOREVER}`,
});

export const R_PV_AGAIN = defineRule({
  id: "kvm_s390_handle_pv.already_protected",
  title: "KVM_PV_ENABLE on a VM that is already protected: -EINVAL",
  path: [fr(KVM, "kvm_s390_handle_pv", "KVM_PV_ENABLE"), step("kvm_s390_pv_is_protected()", "-EINVAL")],
  explain:
    "The VM is a protected (PV) guest already; KVM refuses to convert it a second time and nothing changes.",
});

export const R_NO_SKEYS = defineRule({
  id: "skeys.not_s390",
  title: "storage keys do not exist here",
  path: [step("not s390")],
  explain: "Storage keys are an s390 feature; this variant has none.",
});

export const R_NO_PV = defineRule({
  id: "pv.unavailable",
  title: "protected virtualization is not available in this variant",
  path: [step("KVM_PV_ENABLE", "-EINVAL")],
  explain: "PV (secure execution) arrived around v5.7; variant A predates it, and x86_64 has no s390 PV.",
});

export const R_NO_VM = defineRule({
  id: "kvm.no_vm",
  title: "no KVM VM yet: storage keys and PV cannot be enabled",
  path: [step("KVM_CREATE_VM not issued", "has_pgste = 0"), step("no VM file descriptor", "-EINVAL")],
  explain:
    "Storage keys are enabled from a KVM guest's key instruction or KVM_S390_SET_SKEYS, and PV by KVM_PV_ENABLE: all of them act on a VM, which only exists after KVM_CREATE_VM (s390_enable_sie(), has_pgste = 1). Without one there is nothing to enable.",
  assumption:
    "Modelling choice: the kernel has no such error path, because the ioctls cannot be issued without a VM; the model rejects the event with -EINVAL instead of inventing a VM.",
});

export interface S390Outcome {
  ok: boolean;
  errno: Errno | null;
  message: string | null;
}

const OK: S390Outcome = { ok: true, errno: null, message: null };

function zapZeropages(mm: Mm, rule: number, rec: Recorder, limit: number): number {
  const targets = selectRanges(mm, [0, mm.pages], isZeropage);
  const p = identityPlan();
  for (const z of [Pte.ZERO, Pte.ZERO_UFFD, Pte.ZERO_KSM]) {
    p.lut[z] = Pte.NONE;
    p.rules[z] = rule;
  }
  return mapRanges(mm, targets, () => p, rec, { alloc: false, limit }).processed;
}

/** kvm_arch_init_vm() → s390_enable_sie(). */
export function createVm(mm: Mm, rec: Recorder, limit: number): S390Outcome {
  if (mm.variant.arch !== "s390x") {
    rec.step(R_X86_CREATE_VM.index);
    return OK;
  }
  if (mm.ctx.hasPgste) {
    rec.step(R_ENABLE_SIE_AGAIN.index);
    return OK;
  }
  mm.ctx.hasPgste = true;
  mm.updateAllVmaFlags(VmFlag.NOHUGEPAGE, VmFlag.HUGEPAGE);
  rec.step(R_ENABLE_SIE.index);
  // B: zap after has_pgste is set (no new zeropages) and after THP is off (s390_enable_sie()).
  // __zap_zero_pages() exchanges the PTEs directly, without ksm_might_unmap_zero_page(), so the
  // kernel's ksm_zero_pages goes on counting the KSM zeropages it removes.
  if (mm.variant.zapZeroOnCreateVm) {
    const ksmZero = mm.pt.stateCounts[Pte.ZERO_KSM]!;
    zapZeropages(mm, R_ZAP_ZERO_SIE.index, rec, limit);
    mm.ksmZeroLeaked += ksmZero - mm.pt.stateCounts[Pte.ZERO_KSM]!;
  }
  return OK;
}

/**
 * __s390_disable_cow_sharing() (C): allow_cow_sharing = 0, unshare zeropages, ksm_disable().
 * Checks both error cases before changing anything.
 */
function disableCowSharing(mm: Mm, rec: Recorder, limit: number, budgetBytes: number): S390Outcome {
  if (!mm.ctx.allowCowSharing) {
    rec.step(R_COW_ALREADY.index);
    return OK;
  }
  const bad = zeropageOutsideCow(mm);
  if (bad >= 0) {
    rec.step(R_S390_UNSHARE_EFAULT.index);
    return {
      ok: false,
      errno: "EFAULT",
      message: `zeropage at page ${bad} lies in a mapping that is not COW`,
    };
  }
  if (Number.isFinite(budgetBytes)) {
    const all = selectRanges(mm, [0, mm.pages], (s) => isZeropage(s) || s === Pte.KSM);
    const total = costRanges(
      mm,
      all,
      () => {
        const p = identityPlan();
        for (const s of [Pte.ZERO, Pte.ZERO_UFFD, Pte.ZERO_KSM, Pte.KSM]) p.lut[s] = Pte.ANON_RO_ZERO;
        return p;
      },
      false,
      budgetBytes,
    );
    if (total.failsAt >= 0) {
      rec.step(R_S390_UNSHARE_ENOMEM.index);
      return {
        ok: false,
        errno: "ENOMEM",
        message: `unsharing zeropages and KSM pages runs out of host memory at page ${total.failsAt}`,
      };
    }
  }
  mm.ctx.allowCowSharing = false;
  const done = unshareZeropages(mm, rec, limit);
  const k = ksmDisable(mm, rec, limit - done, Number.POSITIVE_INFINITY);
  return k.ok ? OK : { ok: false, errno: k.errno, message: k.message };
}

function noVm(rec: Recorder, what: string): S390Outcome {
  rec.step(R_NO_VM.index);
  return { ok: false, errno: "EINVAL", message: `${what} need a KVM VM: KVM_CREATE_VM has not been issued` };
}

/** s390_enable_skey(), from the first key instruction or KVM_S390_SET_SKEYS. */
export function enableSkeys(mm: Mm, rec: Recorder, limit: number, budgetBytes: number): S390Outcome {
  if (mm.variant.arch !== "s390x") {
    rec.step(R_NO_SKEYS.index);
    return { ok: false, errno: "EINVAL", message: "storage keys exist only on s390" };
  }
  if (!mm.ctx.hasPgste) return noVm(rec, "storage keys");
  if (mm.ctx.usesSkeys) {
    rec.step(R_SKEY_ALREADY.index);
    return OK;
  }
  const v = mm.variant;
  if (v.unshareOnCowDisable) {
    rec.step(R_SKEY_C.index);
    mm.ctx.usesSkeys = true;
    const r = disableCowSharing(mm, rec, limit, budgetBytes);
    if (!r.ok) mm.ctx.usesSkeys = false;
    return r;
  }
  // A and B: unmerge KSM first (failure → uses_skeys reset, -ENOMEM).
  if (Number.isFinite(budgetBytes) && unmergeCost(mm, [0, mm.pages], budgetBytes) >= 0) {
    return { ok: false, errno: "ENOMEM", message: "unmerging KSM pages runs out of host memory" };
  }
  mm.ctx.usesSkeys = true;
  rec.step(v.zapZeroOnSkeys ? R_SKEY_A.index : R_SKEY_B.index);
  const k = ksmDisable(mm, rec, limit, Number.POSITIVE_INFINITY);
  if (v.zapZeroOnSkeys) zapZeropages(mm, R_ZAP_ZERO_SKEY.index, rec, Math.max(0, limit - rec.footprintPages));
  return k.ok ? OK : { ok: false, errno: k.errno, message: k.message };
}

/** KVM_PV_ENABLE. */
export function enablePv(mm: Mm, rec: Recorder, limit: number, budgetBytes: number): S390Outcome {
  if (!mm.variant.hasPv) {
    rec.step(R_NO_PV.index);
    return { ok: false, errno: "EINVAL", message: `no protected virtualization in ${mm.variant.id}` };
  }
  if (!mm.ctx.hasPgste) return noVm(rec, "PV");
  if (mm.ctx.pv) {
    rec.step(R_PV_AGAIN.index);
    return { ok: false, errno: "EINVAL", message: "the VM is already protected (kvm_s390_pv_is_protected)" };
  }
  if (mm.variant.unshareOnCowDisable) {
    rec.step(R_PV_C.index);
    const r = disableCowSharing(mm, rec, limit, budgetBytes);
    if (r.ok) mm.ctx.pv = true;
    return r;
  }
  if (Number.isFinite(budgetBytes) && unmergeCost(mm, [0, mm.pages], budgetBytes) >= 0) {
    return { ok: false, errno: "ENOMEM", message: "unmerging KSM pages runs out of host memory" };
  }
  rec.step(R_PV_B.index);
  const k = ksmDisable(mm, rec, limit, Number.POSITIVE_INFINITY);
  if (k.ok) mm.ctx.pv = true;
  return k.ok ? OK : { ok: false, errno: k.errno, message: k.message };
}
