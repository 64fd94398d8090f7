/**
 * madvise() on guest RAM (mm/madvise.c): MADV_DONTNEED, which is also what QEMU's
 * virtio-balloon inflation does for private anonymous RAM (ram_block_discard_range), plus the
 * VMA-flag advices the scenarios need (MADV_HUGEPAGE / MADV_NOHUGEPAGE, MADV_MERGEABLE /
 * MADV_UNMERGEABLE).
 *
 * MADV_DONTNEED zaps PTEs: anon pages are freed (RssAnon −1), zeropage PTEs just cleared (a
 * KSM-placed one leaves ksm_zero_pages), KSM mappings dropped. Page tables stay, except on x86_64
 * from v6.14 (CONFIG_PT_RECLAIM): a PTE table is freed when ONE call covered its whole 2 MiB inside
 * one VMA and every entry is none afterwards (reclaim_pt_is_enabled(): end - start >= PMD_SIZE).
 * QEMU's balloon discards one 4 KiB page per call, so it never frees a table (reclaim_pt_is_enabled()
 * needs one call covering the whole PMD range).
 */
import { type Errno, identityPlan, mapRanges, type Ranges, type Recorder } from "./apply.ts";
import { releaseEmptyFolios, splitHugeForVmaChange, zapHugePmds } from "./huge_memory.ts";
import { unmergeCost, unmergeRange } from "./ksm.ts";
import { type Mm, VmFlag } from "./mm.ts";
import { Pte } from "./pte.ts";
import { defineRule, fr, step } from "./rules.ts";
import { addShmemZap, R_KSM_SHARED } from "./shmem.ts";

const MADVISE = "mm/madvise.c";
const MEMORY = "mm/memory.c";

/**
 * The zap itself, whoever asked for it: MADV_DONTNEED (R_MADV_DONTNEED) or KVM's discard of guest
 * pages on s390 (R_GMAP_DISCARD) record their entry as a step, then these rules per page.
 */
const zap = [fr(MEMORY, "unmap_single_vma"), fr(MEMORY, "unmap_page_range"), fr(MEMORY, "zap_pte_range")];

export const R_MADV_DONTNEED = defineRule({
  id: "madvise_dontneed_single_vma",
  title: "madvise(MADV_DONTNEED): zap the range (and maybe its empty page tables)",
  path: [
    fr(MADVISE, "madvise_dontneed_single_vma", "details.reclaim_pt = true"),
    fr(MEMORY, "zap_page_range_single_batched"),
  ],
  explain:
    "MADV_DONTNEED throws the pages of the range away: each present PTE is cleared and what it mapped is freed; the next access faults like a first touch. On x86_64 from v6.14 a call that covers a whole page table may free the table too (PT reclaim).",
});

export const R_GMAP_DISCARD = defineRule({
  id: "gmap_discard",
  title: "the s390 guest releases pages to the host (DIAGNOSE 0x10): KVM zaps them",
  path: [
    fr("arch/s390/kvm/diag.c", "diag_release_pages", "DIAGNOSE 0x10"),
    fr("arch/s390/mm/gmap.c", "gmap_discard"),
    fr(MEMORY, "zap_page_range_single", "details = NULL"),
  ],
  explain:
    "The guest's CMM driver (arch/s390/mm/cmm.c) gave these pages to the hypervisor with DIAGNOSE 0x10. KVM handles it in the kernel: gmap_discard() zaps the host PTEs behind them, as MADV_DONTNEED would, without asking QEMU. So QEMU's balloon inhibit (PV, incoming postcopy) does not stop it, and no userfaultfd REMOVE event tells QEMU. Page tables stay (no PT reclaim on this path).",
  assumption:
    "Inferred from code, unconfirmed by a run: during an incoming postcopy this zap can empty a page QEMU already placed under a MISSING registration; its next access then raises a userfault for a page QEMU counts as received, the same wait as fa41ba0d's 2017 hang, on any s390 kernel.",
});

export const R_NO_GMAP = defineRule({
  id: "gmap_discard.not_s390",
  title: "no DIAGNOSE 0x10 here: it is an s390 instruction",
  path: [step("not s390", "-EINVAL")],
  explain:
    "Collaborative memory management's DIAGNOSE 0x10 and KVM's gmap exist only on s390; this event does nothing here.",
});

export const R_ZAP_ANON = defineRule({
  id: "zap_pte_range.anon",
  title: "zap frees an anonymous page",
  path: [...zap, fr(MEMORY, "zap_present_ptes"), step("rss[MM_ANONPAGES]--"), step("folio freed")],
  explain:
    "The PTE is cleared and the page goes back to the host's free memory: RssAnon drops by 4 KiB. The next access faults like a first touch.",
});

export const R_ZAP_ZERO = defineRule({
  id: "zap_pte_range.zeropage",
  title: "zap clears a zeropage PTE",
  path: [
    ...zap,
    fr(MEMORY, "zap_present_ptes"),
    step("vm_normal_page() = NULL"),
    fr("include/linux/ksm.h", "ksm_might_unmap_zero_page"),
  ],
  explain:
    "A zeropage mapping costs no page, so clearing it frees nothing but the entry. A KSM-placed zeropage also leaves ksm_zero_pages.",
});

export const R_ZAP_KSM = defineRule({
  id: "zap_pte_range.ksm",
  title: "zap drops a KSM mapping",
  path: [...zap, fr(MEMORY, "zap_present_ptes"), step("rss[MM_ANONPAGES]--")],
  explain:
    "The mapping of the shared KSM page is removed; the KSM page itself is freed when its last sharer goes.",
});

export const R_ZAP_NONE = defineRule({
  id: "zap_pte_range.none",
  title: "zap of an empty PTE: nothing to do",
  path: [...zap, step("pte_none()")],
  explain: "Nothing is mapped here, so there is nothing to free.",
});

export const R_PT_RECLAIM = defineRule({
  id: "pt_reclaim.free_pte",
  title: "PT reclaim frees the now-empty PTE table",
  path: [
    ...zap,
    fr("mm/pt_reclaim.c", "reclaim_pt_is_enabled", "end - start >= PMD_SIZE"),
    fr("mm/pt_reclaim.c", "try_get_and_clear_pmd"),
    fr("mm/pt_reclaim.c", "free_pte"),
    step("mm_dec_nr_ptes"),
  ],
  explain:
    "Since v6.14 on x86_64 (CONFIG_PT_RECLAIM), when one MADV_DONTNEED call covers a whole 2 MiB table and leaves every entry empty, the table itself is freed: VmPTE drops by 4 KiB.",
});

export const R_PT_KEPT = defineRule({
  id: "zap_pte_range.table_kept",
  title: "the emptied PTE table stays allocated",
  path: [...zap, step("PTE table kept")],
  explain:
    "MADV_DONTNEED frees pages, not page tables: the emptied table keeps costing memory until the mapping is unmapped. (x86_64 from v6.14 frees it when a single call covers the whole table; the balloon's 4 KiB calls never do.)",
  assumption:
    "s390 keeps emptied tables in every modelled kernel (it does not select ARCH_SUPPORTS_PT_RECLAIM through v6.18); a later series making PT_RECLAIM depend on MMU_GATHER_RCU_TABLE_FREE would free them on s390 too, but its release is unconfirmed and it is not modelled.",
});

export const R_MADV_FLAGS = defineRule({
  id: "madvise.vma_flags",
  title: "madvise() changes VMA flags",
  path: [fr(MADVISE, "madvise_vma_behavior"), fr(MADVISE, "madvise_update_vma")],
  explain: "The advice only changes flags on the VMA (splitting it at the range's edges); no page changes.",
});

function dontneedPlan() {
  const p = identityPlan(R_ZAP_NONE.index);
  for (const z of [Pte.ZERO, Pte.ZERO_UFFD, Pte.ZERO_KSM]) {
    p.lut[z] = Pte.NONE;
    p.rules[z] = R_ZAP_ZERO.index;
  }
  for (const a of [Pte.ANON_RO_ZERO, Pte.ANON_RO_DATA, Pte.ANON_RW_ZERO, Pte.ANON_RW_DATA]) {
    p.lut[a] = Pte.NONE;
    p.rules[a] = R_ZAP_ANON.index;
  }
  p.lut[Pte.KSM] = Pte.NONE;
  p.rules[Pte.KSM] = R_ZAP_KSM.index;
  addShmemZap(p, R_ZAP_NONE.index);
  return p;
}

export interface MadviseOutcome {
  ok: boolean;
  errno: Errno | null;
  message: string | null;
}

/**
 * madvise(MADV_DONTNEED) over `ranges`, each range one call unless `callPages` splits it.
 * Visits at most `limit` pages.
 */
export function madviseDontneed(
  mm: Mm,
  ranges: Ranges,
  callPages: number | undefined,
  rec: Recorder,
  limit: number,
  /** PT reclaim may free emptied tables: madvise's zap (reclaim_pt), not gmap_discard()'s. */
  reclaim = true,
): MadviseOutcome {
  for (let i = 0; i < ranges.length; i += 2) {
    if (!mm.covers(ranges[i]!, ranges[i + 1]!)) {
      return {
        ok: false,
        errno: "ENOMEM",
        message: `madvise range at page ${ranges[i]} is not mapped (madvise returns -ENOMEM for unmapped ranges)`,
      };
    }
  }
  const plan = dontneedPlan();
  const pt = mm.pt;
  let processed = 0;
  let keptLogged = false;
  const logKept = () => {
    if (keptLogged) return;
    keptLogged = true;
    rec.step(R_PT_KEPT.index);
  };
  const perCall = callPages && callPages > 0 ? callPages : Number.POSITIVE_INFINITY;
  if (perCall < mm.geometry.ptesPerTable) {
    // Calls smaller than a page table (QEMU's balloon: 4 KiB each) can neither free a table nor
    // zap a whole huge PMD, so where the calls begin and end changes nothing: one walk does them all.
    for (let i = 0; i < ranges.length; i += 2) zapHugePmds(mm, ranges[i]!, ranges[i + 1]!, rec, false);
    const out = mapRanges(mm, ranges, () => plan, rec, { alloc: false, limit });
    for (let i = 0; i < ranges.length; i += 2) releaseEmptyFolios(mm, ranges[i]!, ranges[i + 1]!);
    if (out.processed > 0 && anyEmptyTable(mm, ranges)) logKept();
    return { ok: true, errno: null, message: null };
  }
  for (let i = 0; i < ranges.length && processed < limit; i += 2) {
    const first = ranges[i]!;
    const count = ranges[i + 1]!;
    const step = Math.min(perCall, count);
    for (let c = first; c < first + count && processed < limit; c += step) {
      const callCount = Math.min(step, first + count - c);
      // One madvise() call: [c, c + callCount), split per VMA by madvise_walk_vmas().
      mm.forEachVmaPiece(c, callCount, (_vma, vFirst, vCount) => {
        if (processed >= limit) return;
        zapHugePmds(mm, vFirst, Math.min(vCount, limit - processed), rec, true);
        const out = mapRanges(mm, [vFirst, vCount], () => plan, rec, {
          alloc: false,
          limit: limit - processed,
        });
        processed += out.processed;
        const vEnd = vFirst + out.processed;
        if (out.processed === 0) return;
        releaseEmptyFolios(mm, vFirst, out.processed);
        for (let t = pt.tableOf(vFirst); t <= pt.tableOf(vEnd - 1); t++) {
          if (!pt.hasTable(t)) continue;
          const whole = vFirst <= pt.ptes.chunkStart(t) && vEnd >= pt.ptes.chunkEnd(t);
          const fullSize = pt.ptes.chunkEnd(t) - pt.ptes.chunkStart(t) === mm.geometry.ptesPerTable;
          if (reclaim && mm.ptReclaim && whole && fullSize && pt.tableIsEmpty(t)) {
            pt.freeTable(t);
            rec.tablesFreed++;
            if (!rec.steps.includes(R_PT_RECLAIM.index)) rec.step(R_PT_RECLAIM.index);
          } else if (pt.tableIsEmpty(t)) {
            logKept();
          }
        }
      });
    }
  }
  return { ok: true, errno: null, message: null };
}

/** Whether some present table overlapping `ranges` is now all none (for the "table kept" note). */
function anyEmptyTable(mm: Mm, ranges: Ranges): boolean {
  const pt = mm.pt;
  for (let i = 0; i < ranges.length; i += 2) {
    const count = ranges[i + 1]!;
    if (count === 0) continue;
    // A present table whose PTEs are all none is one whose tag is NONE (pgtable.ts).
    const tags = pt.ptes.tags.subarray(pt.tableOf(ranges[i]!), pt.tableOf(ranges[i]! + count - 1) + 1);
    if (tags.indexOf(Pte.NONE) >= 0) return true;
  }
  return false;
}

/**
 * MADV_HUGEPAGE / MADV_NOHUGEPAGE / MADV_MERGEABLE / MADV_UNMERGEABLE. Unmerging allocates a page
 * per KSM mapping, so MADV_UNMERGEABLE fails with -ENOMEM (changing nothing) past the host's limit.
 */
export function madviseFlags(
  mm: Mm,
  advice: "hugepage" | "nohugepage" | "mergeable" | "unmergeable",
  ranges: Ranges,
  rec: Recorder,
  limit: number,
  budgetBytes = Number.POSITIVE_INFINITY,
): MadviseOutcome {
  for (let i = 0; i < ranges.length; i += 2) {
    if (!mm.covers(ranges[i]!, ranges[i + 1]!)) {
      return { ok: false, errno: "ENOMEM", message: `madvise range at page ${ranges[i]} is not mapped` };
    }
  }
  if (advice === "unmergeable" && Number.isFinite(budgetBytes) && unmergeCost(mm, ranges, budgetBytes) >= 0) {
    return {
      ok: false,
      errno: "ENOMEM",
      message: `unmerging KSM pages needs more memory than host "${mm.host.name}" has left`,
    };
  }
  const [set, clear] =
    advice === "hugepage"
      ? [VmFlag.HUGEPAGE, VmFlag.NOHUGEPAGE]
      : advice === "nohugepage"
        ? [VmFlag.NOHUGEPAGE, VmFlag.HUGEPAGE]
        : advice === "mergeable"
          ? [VmFlag.MERGEABLE, 0]
          : [0, VmFlag.MERGEABLE];
  for (let i = 0; i < ranges.length; i += 2) {
    const first = ranges[i]!;
    const count = ranges[i + 1]!;
    // ksm_madvise(MADV_UNMERGEABLE): unmerge_ksm_pages() first, then clear VM_MERGEABLE.
    if (advice === "unmergeable") unmergeRange(mm, first, count, rec, limit);
    splitHugeForVmaChange(mm, first, count, set, clear, rec);
    if (advice === "mergeable") {
      // vma_ksm_compatible(): a shared mapping (the memfd) never becomes VM_MERGEABLE.
      mm.forEachVmaPiece(first, count, (vma, f, n) => {
        if (vma.flags & VmFlag.SHMEM) {
          if (!rec.steps.includes(R_KSM_SHARED.index)) rec.step(R_KSM_SHARED.index);
        } else mm.updateVmaFlags(f, n, set, clear);
      });
    } else mm.updateVmaFlags(first, count, set, clear);
  }
  rec.step(R_MADV_FLAGS.index);
  return { ok: true, errno: null, message: null };
}
