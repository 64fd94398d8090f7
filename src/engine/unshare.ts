/**
 * Replacing shared zeropages by exclusive pages on s390, variant C (06201e00, arch/s390/mm/gmap.c):
 * __s390_unshare_zeropages() walks every VMA with find_zeropage_ops and, for each zeropage PTE it
 * finds, calls handle_mm_fault(FAULT_FLAG_UNSHARE | FAULT_FLAG_REMOTE), restarting the walk at the
 * same address (find_zeropage_pte_entry(), __s390_unshare_zeropages() in 06201e00's gmap.c). The page keeps its (zero) content and stays present, so no userfault
 * can follow, unlike the zap of variants A and B.
 *
 * Errors: a zeropage in a VMA that is not a COW mapping → -EFAULT (find_zeropage_pte_entry);
 * VM_FAULT_OOM → -ENOMEM. The kernel keeps the pages it unshared before the error; the model's
 * event is a transaction and fails as a whole (checked before anything changes). Both error rules
 * say so in their assumption, so the step's explanation shows the deviation.
 */
import { identityPlan, mapRanges, type Plan, type Recorder, selectRanges, vmaRanges } from "./apply.ts";
import { type Mm, VmFlag } from "./mm.ts";
import { isZeropage, Pte } from "./pte.ts";
import { defineRule, fr, step } from "./rules.ts";

const GMAP = "arch/s390/mm/gmap.c";

export const R_S390_UNSHARE = defineRule({
  id: "__s390_unshare_zeropages",
  vmstat: { pgfault: "pte" },
  title: "s390 unshares a zeropage: it becomes an exclusive zero-filled page",
  path: [
    fr(GMAP, "__s390_disable_cow_sharing"),
    fr(GMAP, "__s390_unshare_zeropages"),
    fr("mm/pagewalk.c", "walk_page_range_vma", "find_zeropage_ops"),
    fr(GMAP, "find_zeropage_pte_entry", "is_zero_pfn()"),
    fr("mm/memory.c", "handle_mm_fault", "FAULT_FLAG_UNSHARE | FAULT_FLAG_REMOTE"),
    fr("mm/memory.c", "wp_page_copy"),
    fr("include/linux/ksm.h", "ksm_might_unmap_zero_page", "KSM-placed zeropage only"),
  ],
  explain:
    "Once the guest uses storage keys or PV, its pages may no longer share a frame through the zeropage or KSM (fork()'s COW sharing is not affected). 06201e00 replaces each mapped zeropage by a fresh zero-filled page of the guest's own (read-only, same content) instead of zapping it. The page stays present, so postcopy never sees a surprise missing fault, but every unshared zeropage now costs 4 KiB.",
});

export const R_S390_UNSHARE_EFAULT = defineRule({
  id: "find_zeropage_pte_entry.efault",
  title: "zeropage in a non-COW mapping: -EFAULT",
  path: [
    fr(GMAP, "__s390_unshare_zeropages"),
    fr(GMAP, "find_zeropage_pte_entry"),
    step("!is_cow_mapping()", "-EFAULT"),
  ],
  explain:
    "FAULT_FLAG_UNSHARE only works in COW mappings, so a zeropage in any other mapping cannot be replaced and enabling storage keys or PV fails with -EFAULT.",
  assumption:
    "Transaction: the kernel keeps pages it already unshared before the error; the model fails the whole event up front so that a failed event changes nothing.",
});

export const R_S390_UNSHARE_ENOMEM = defineRule({
  id: "__s390_unshare_zeropages.enomem",
  title: "unsharing zeropages runs out of memory: -ENOMEM",
  path: [
    fr(GMAP, "__s390_unshare_zeropages"),
    fr("mm/memory.c", "handle_mm_fault", "FAULT_FLAG_UNSHARE | FAULT_FLAG_REMOTE"),
    step("VM_FAULT_OOM", "-ENOMEM"),
    fr(GMAP, "__s390_disable_cow_sharing", "allow_cow_sharing = 1 again"),
  ],
  explain:
    "Each unshared zeropage needs a page of its own. When the host has none left the unsharing fault fails with VM_FAULT_OOM, __s390_disable_cow_sharing() restores allow_cow_sharing and enabling storage keys or PV fails with -ENOMEM.",
  assumption:
    "Transaction: the kernel keeps the zeropages it already unshared before the OOM (and KSM is not yet disabled); the model prices the whole unsharing first and, if it does not fit, fails the event with nothing changed, so that a failed event changes nothing.",
});

/** The plan that turns every kind of zeropage into an exclusive read-only zero page. */
export function unshareZeroPlan(): Plan {
  const p = identityPlan();
  for (const z of [Pte.ZERO, Pte.ZERO_UFFD, Pte.ZERO_KSM]) {
    p.lut[z] = Pte.ANON_RO_ZERO;
    p.rules[z] = R_S390_UNSHARE.index;
  }
  return p;
}

/** First zeropage in a VMA that is not a COW mapping, or -1. */
export function zeropageOutsideCow(mm: Mm): number {
  const nonCow = vmaRanges(mm, (v) => (v.flags & VmFlag.COW) === 0);
  const found = selectRanges(mm, nonCow, isZeropage);
  return found.length > 0 ? found[0]! : -1;
}

/** __s390_unshare_zeropages(mm). Returns how many pages it visited (all of them changed). */
export function unshareZeropages(mm: Mm, rec: Recorder, limit: number): number {
  const targets = selectRanges(mm, [0, mm.pages], isZeropage);
  const p = unshareZeroPlan();
  return mapRanges(mm, targets, () => p, rec, { alloc: false, limit }).processed;
}
