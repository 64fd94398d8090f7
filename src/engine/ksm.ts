/**
 * Kernel samepage merging (mm/ksm.c). ksmd scans VM_MERGEABLE areas and merges pages with
 * identical content. With /sys/kernel/mm/ksm/use_zero_pages = 1 a zero-filled page is replaced by
 * the shared zeropage (try_to_merge_with_zero_page → replace_page, PTE marked dirty, counted in
 * ksm_zero_pages); otherwise zero-filled pages merge into ordinary KSM pages.
 *
 * A merge pass in the model is "ksmd ran until nothing more merges": a page needs two visits with
 * an unchanged checksum (cmp_and_merge_page: oldchecksum starts at 0), so that is two full scans,
 * three if the mm joined mid-scan (research note Q3).
 *
 * KSM page accounting: one KSM page serves at most max_page_sharing = 256 mappings (the default);
 * beyond that a further stable-node dup is made. So N merged zero-filled pages use ceil(N/256) KSM
 * pages: pages_shared = ceil(N/256), pages_sharing = N − pages_shared.
 *
 * Unmerge (MADV_UNMERGEABLE, ksm_disable): break_ksm() issues an unshare fault for every KSM page
 * and, since 79271476b336 (v6.6), every KSM-placed zeropage; both become exclusive read-only anon
 * pages. Zeropages placed by ordinary faults are left alone. Before v6.2 (6cce3314b928) it was a
 * fake write fault instead, and the copies were mapped writable (variant A).
 *
 * Transparent huge pages (x86_64): to merge a subpage KSM must split its THP first
 * (try_to_merge_one_page → split_huge_page). Since b1f202060afe the split itself remaps every
 * zero-filled subpage to the shared zeropage (remap_page with RMP_USE_SHARED_ZEROPAGE →
 * try_to_map_unused_to_zeropage), so those become plain zeropages, not KSM ones; data subpages
 * stay as normal pages. Before that, the split leaves 4 KiB anon pages that KSM then merges.
 * A THP that holds no zero-filled subpage is never split (nothing in it is identical to anything).
 *
 * ASSUMPTIONS: guest data pages are distinct (pte.ts), so only zero-filled pages merge, and a lone
 * zero-filled page with use_zero_pages = 0 has nothing to merge with. b1f202060afe is dated to
 * v6.12 (seen on 6.18 by tools/kernel-check; the release is not pinned down).
 */
import { normalizeRuns, pagesIn } from "../base/runs.ts";
import {
  costRanges,
  type Errno,
  identityPlan,
  mapRanges,
  type Plan,
  type Ranges,
  type Recorder,
  selectRanges,
  vmaRanges,
} from "./apply.ts";
import { type Mm, VmFlag } from "./mm.ts";
import { Pte } from "./pte.ts";
import { defineRule, fr, step } from "./rules.ts";
import { KERNEL_FEATURES, versionAtLeast } from "./variants.ts";

const KSM = "mm/ksm.c";

/** ksm_max_page_sharing default (mm/ksm.c). */
export const KSM_MAX_PAGE_SHARING = 256;

export const R_KSM_ZERO = defineRule({
  id: "try_to_merge_with_zero_page",
  title: "ksmd replaces a zero-filled page by the shared zeropage",
  path: [
    fr(KSM, "ksm_do_scan"),
    fr(KSM, "cmp_and_merge_page"),
    step("checksum unchanged since last scan"),
    fr(KSM, "try_to_merge_with_zero_page", "use_zero_pages = 1"),
    fr(KSM, "replace_page", "pte_mkdirty(pte_mkspecial(zero pfn))"),
    fr(KSM, "ksm_map_zero_page"),
    step("dec_mm_counter(MM_ANONPAGES)"),
  ],
  explain:
    "ksmd found a page full of zeros and, because use_zero_pages is on, mapped the shared zeropage in its place. The page is freed (RssAnon −4 KiB) and counted in ksm_zero_pages. There is no mm_forbids_zeropage() check on this path, even on s390 (try_to_merge_with_zero_page() asks only use_zero_pages).",
});

export const R_KSM_ZERO_UNMARKED = defineRule({
  id: "replace_page.zero_unmarked",
  title: "ksmd replaces a zero-filled page by the shared zeropage (not yet marked as KSM's)",
  path: [
    fr(KSM, "ksm_do_scan"),
    fr(KSM, "cmp_and_merge_page", "use_zero_pages = 1"),
    fr(KSM, "try_to_merge_one_page", "ZERO_PAGE(addr)"),
    fr(KSM, "replace_page", "pte_mkspecial(zero pfn)"),
    step("dec_mm_counter(MM_ANONPAGES)"),
  ],
  explain:
    "ksmd found a page full of zeros and, because use_zero_pages is on, mapped the shared zeropage in its place: the page is freed, RssAnon −4 KiB. Kernels before v6.6 neither mark such a PTE (no pte_mkdirty) nor count it in ksm_zero_pages, so nothing can tell it from a zeropage a read fault mapped, and KSM unmerge leaves it alone.",
});

export const R_KSM_ZERO_RSS_KEPT = defineRule({
  id: "replace_page.zero_rss_kept",
  title: "ksmd replaces a zero-filled page by the zeropage, but RssAnon keeps counting it",
  path: [
    fr(KSM, "ksm_do_scan"),
    fr(KSM, "cmp_and_merge_page", "use_zero_pages = 1"),
    fr(KSM, "try_to_merge_one_page", "ZERO_PAGE(addr)"),
    fr(KSM, "replace_page", "pte_mkspecial(zero pfn)"),
    step("no dec_mm_counter(MM_ANONPAGES)"),
  ],
  explain:
    'ksmd found a page full of zeros and mapped the shared zeropage in its place, freeing the page. This kernel predates a38c015f3156 ("mm/ksm.c: fix inconsistent accounting of zero pages"): MM_ANONPAGES is not decremented, so RssAnon still counts the freed page and stays 4 KiB too high for as long as the mm lives. Host memory does go down.',
  assumption: KERNEL_FEATURES.ksmZeroPageRss.assumption,
});

export const R_KSM_MERGE = defineRule({
  id: "try_to_merge_two_pages",
  title: "ksmd merges a zero-filled page into a KSM page",
  path: [
    fr(KSM, "ksm_do_scan"),
    fr(KSM, "cmp_and_merge_page"),
    step("checksum unchanged since last scan"),
    fr(KSM, "unstable_tree_search_insert"),
    fr(KSM, "try_to_merge_two_pages"),
    fr(KSM, "stable_tree_insert"),
  ],
  explain:
    "ksmd found identical (here: zero-filled) pages and made them share one write-protected KSM page. Each mapping still counts in RssAnon, but the host keeps only one page per 256 sharers.",
  assumption:
    "Inference from mm/ksm.c replace_page(): it changes no counter when the KSM page is not the zero page, so a KSM page stays counted in MM_ANONPAGES once per mapping and merging leaves RssAnon unchanged.",
});

export const R_KSM_MERGE_HOST = defineRule({
  id: "try_to_merge_two_pages.host_no_zeropage",
  title: "ksmd merges a zero-filled page into a KSM page (this host maps no zeropage for KSM)",
  path: [
    fr(KSM, "ksm_do_scan"),
    fr(KSM, "cmp_and_merge_page"),
    fr(KSM, "try_to_merge_with_zero_page", "use_zero_pages = 1"),
    step("host policy: no zeropage for KSM"),
    fr(KSM, "unstable_tree_search_insert"),
    fr(KSM, "try_to_merge_two_pages"),
    fr(KSM, "stable_tree_insert"),
  ],
  explain:
    "use_zero_pages is on, but this host's kernel does not let ksmd map the shared zeropage (its zeropage policy, measured by the kernel check), so zero-filled pages are merged the ordinary way: they share one write-protected KSM page, each mapping still counted in RssAnon.",
  assumption:
    "Host policy, not upstream code: upstream try_to_merge_with_zero_page() has no zeropage check beyond use_zero_pages. The model assumes a host that forbids it falls through to the stable and unstable trees, as with use_zero_pages = 0.",
});

export const R_KSM_SPLIT_ZEROPAGE = defineRule({
  id: "split_huge_page.remap_zeropage",
  title: "ksmd splits a THP: its zero-filled subpages become the shared zeropage",
  path: [
    fr(KSM, "cmp_and_merge_page"),
    fr(KSM, "try_to_merge_one_page"),
    fr("mm/huge_memory.c", "split_huge_page"),
    fr("mm/huge_memory.c", "__split_huge_page"),
    fr("mm/huge_memory.c", "remap_page", "RMP_USE_SHARED_ZEROPAGE"),
    fr("mm/migrate.c", "try_to_map_unused_to_zeropage"),
  ],
  explain:
    "To merge a page inside a transparent huge page, KSM has to split the huge page first. Since b1f202060afe the split maps every subpage that holds only zeros to the shared zeropage (an ordinary one, not counted in ksm_zero_pages) and frees it; the subpages with data stay as 4 KiB pages.",
  assumption:
    "b1f202060afe is dated to v6.12 by inference; its effect was observed on 6.18 by tools/kernel-check.",
});

export const R_KSM_SPLIT = defineRule({
  id: "split_huge_page.ksm",
  title: "ksmd splits a THP into 4 KiB pages so it can merge them",
  path: [
    fr(KSM, "cmp_and_merge_page"),
    fr(KSM, "try_to_merge_one_page"),
    fr("mm/huge_memory.c", "split_huge_page"),
  ],
  explain:
    "KSM only merges 4 KiB pages, so it splits the huge page; the subpages are then merged like any others.",
});

export const R_KSM_OFF = defineRule({
  id: "ksm.not_running",
  title: "ksmd is not running",
  path: [step("/sys/kernel/mm/ksm/run = 0")],
  explain: "KSM is switched off on this host, so ksmd merges nothing.",
});

export const R_KSM_UNMERGE = defineRule({
  id: "break_ksm.unshare",
  vmstat: { pgfault: "pte" },
  title: "unmerge: break_ksm() unshares a KSM page",
  path: [
    fr(KSM, "unmerge_ksm_pages"),
    fr(KSM, "break_ksm"),
    fr("mm/memory.c", "handle_mm_fault", "FAULT_FLAG_UNSHARE"),
    fr("mm/memory.c", "wp_page_copy"),
  ],
  explain:
    "Unmerging gives every KSM mapping its own copy again, mapped read-only (an unsharing fault). The copies cost a page each.",
});

export const R_KSM_UNMERGE_WRITE = defineRule({
  id: "break_ksm.write_fault",
  vmstat: { pgfault: "pte" },
  title: "unmerge: break_ksm() breaks COW with a fake write fault",
  path: [
    fr(KSM, "unmerge_ksm_pages"),
    fr(KSM, "break_ksm"),
    fr("mm/memory.c", "handle_mm_fault", "FAULT_FLAG_WRITE | FAULT_FLAG_REMOTE"),
    fr("mm/memory.c", "do_wp_page"),
    fr("mm/memory.c", "wp_page_copy"),
  ],
  explain:
    "Kernels before v6.2 broke KSM sharing with a write fault: every KSM mapping gets its own copy, mapped writable and dirty. The copies cost a page each.",
});

export const R_KSM_UNMERGE_ZERO = defineRule({
  id: "break_ksm.unshare_zeropage",
  vmstat: { pgfault: "pte" },
  title: "unmerge: break_ksm() unshares a KSM-placed zeropage",
  path: [
    fr(KSM, "unmerge_ksm_pages"),
    fr(KSM, "break_ksm"),
    step("is_ksm_zero_pte()"),
    fr("mm/memory.c", "handle_mm_fault", "FAULT_FLAG_UNSHARE"),
    fr("mm/memory.c", "wp_page_copy"),
    fr("include/linux/ksm.h", "ksm_might_unmap_zero_page", "ksm_zero_pages −1"),
  ],
  explain:
    'A zeropage that KSM placed (its PTE is marked dirty) is unshared into an exclusive zero-filled page; zeropages placed by ordinary read faults are not touched. Kernels learnt this with 79271476b336 ("ksm: support unsharing KSM-placed zero pages", v6.6); older ones cannot tell a KSM zeropage apart and leave it, and the model follows the kernel version.',
});

export const R_KSM_DISABLE = defineRule({
  id: "ksm_disable",
  title: "KSM disabled for the mm: unmerge everything, clear VM_MERGEABLE",
  path: [fr(KSM, "ksm_disable"), fr(KSM, "ksm_del_vmas"), fr(KSM, "unmerge_ksm_pages")],
  explain:
    "Every VMA loses VM_MERGEABLE and its KSM pages are unshared into pages of its own. Kernels that mark the zeropages ksmd placed (v6.6 on) unshare those too; zeropages mapped by ordinary read faults stay.",
  assumption:
    "Unconfirmed: nothing in mm/ksm.c or arch/s390 was found that stops user space from re-enabling KSM afterwards (MADV_MERGEABLE), and 06201e00's comment says nothing does; the model lets a later MADV_MERGEABLE and ksmd merge again, even placing KSM zeropages in an s390 mm that forbids the zeropage.",
});

function isZeroAnon(s: number): boolean {
  return s === Pte.ANON_RO_ZERO || s === Pte.ANON_RW_ZERO;
}

/** Pages per KSM page kept by the host for `mappings` KSM mappings. */
export function ksmPagesShared(mappings: number): number {
  return Math.ceil(mappings / KSM_MAX_PAGE_SHARING);
}

/** ksmd merge passes until stable, over every VM_MERGEABLE VMA of `mm`. */
export function ksmScan(mm: Mm, rec: Recorder, limit: number): void {
  if (!mm.host.ksmRun) {
    rec.step(R_KSM_OFF.index);
    return;
  }
  const pt = mm.pt;
  const areas = vmaRanges(mm, (v) => (v.flags & VmFlag.MERGEABLE) !== 0);
  // use_zero_pages, unless this host's kernel maps no zeropage for KSM: then zero pages merge as
  // with use_zero_pages = 0, under their own rule.
  const hostRefuses = mm.host.ksmUseZeroPages && !mm.hostZeropage.ksm;
  const useZero = mm.host.ksmUseZeroPages && !hostRefuses;
  const candidates = selectRanges(mm, areas, isZeroAnon);
  const zeroAnon = pagesIn(candidates);
  // With use_zero_pages = 0 a zero-filled page needs a twin to merge with.
  if (zeroAnon === 0 || (!useZero && zeroAnon < 2)) return;
  let processed = 0;
  // THP folios holding zero-filled subpages are split first.
  const folioTables: number[] = [];
  for (let i = 0; i < candidates.length; i += 2) {
    const first = candidates[i]!;
    const last = first + candidates[i + 1]! - 1;
    for (let t = pt.tableOf(first); t <= pt.tableOf(last); t++) {
      if (pt.folio[t] && folioTables[folioTables.length - 1] !== t) folioTables.push(t);
    }
  }
  const remap = versionAtLeast(mm.kernelVersion, 6, 12);
  for (const t of folioTables) {
    if (processed >= limit) return;
    if (pt.huge[t]) {
      pt.setHuge(t, false);
    }
    pt.setFolio(t, false);
    if (!remap) {
      rec.step(R_KSM_SPLIT.index);
      continue;
    }
    const s = pt.ptes.chunkStart(t);
    const zeros = selectRanges(mm, [s, pt.ptes.chunkEnd(t) - s], isZeroAnon);
    const p = identityPlan();
    for (const z of [Pte.ANON_RO_ZERO, Pte.ANON_RW_ZERO]) {
      p.lut[z] = Pte.ZERO;
      p.rules[z] = R_KSM_SPLIT_ZEROPAGE.index;
    }
    processed += mapRanges(mm, zeros, () => p, rec, { alloc: false, limit: limit - processed }).processed;
  }
  const targets = selectRanges(mm, areas, isZeroAnon);
  const p = identityPlan();
  // Before v6.6 a KSM-placed zeropage is an ordinary zeropage; before a38c015f3156 RssAnon keeps it.
  const tracked = mm.has("ksmZeroTracking");
  const rssDropped = mm.has("ksmZeroPageRss");
  const to = useZero ? (tracked ? Pte.ZERO_KSM : Pte.ZERO) : Pte.KSM;
  const zeroRule = tracked ? R_KSM_ZERO : rssDropped ? R_KSM_ZERO_UNMARKED : R_KSM_ZERO_RSS_KEPT;
  const rule = useZero ? zeroRule.index : hostRefuses ? R_KSM_MERGE_HOST.index : R_KSM_MERGE.index;
  const zeroBefore = pt.stateCounts[Pte.ZERO]!;
  for (const s of [Pte.ANON_RO_ZERO, Pte.ANON_RW_ZERO]) {
    p.lut[s] = to;
    p.rules[s] = rule;
  }
  if (!useZero) {
    if (pagesIn(targets) < 2) return;
  }
  mapRanges(mm, targets, () => p, rec, { alloc: false, limit: limit - processed });
  if (useZero && !rssDropped) mm.rssAnonKept += pt.stateCounts[Pte.ZERO]! - zeroBefore;
}

function unmergePlan(mm: Mm): Plan {
  const p = identityPlan();
  if (!mm.has("breakKsmUnshare")) {
    p.lut[Pte.KSM] = Pte.ANON_RW_ZERO;
    p.rules[Pte.KSM] = R_KSM_UNMERGE_WRITE.index;
  } else {
    p.lut[Pte.KSM] = Pte.ANON_RO_ZERO;
    p.rules[Pte.KSM] = R_KSM_UNMERGE.index;
  }
  if (mm.has("ksmZeroTracking")) {
    p.lut[Pte.ZERO_KSM] = Pte.ANON_RO_ZERO;
    p.rules[Pte.ZERO_KSM] = R_KSM_UNMERGE_ZERO.index;
  }
  return p;
}

function unmergeTargets(mm: Mm, ranges: Ranges): { plan: Plan; targets: number[] } {
  const plan = unmergePlan(mm);
  const targets = selectRanges(mm, normalizeRuns(ranges), (s) => plan.lut[s] !== s);
  return { plan, targets };
}

/**
 * The first page at which unmerging `ranges` would run out of host memory, or -1: checked before
 * acting (break_ksm() → VM_FAULT_OOM → -ENOMEM).
 */
export function unmergeCost(mm: Mm, ranges: Ranges, budgetBytes: number): number {
  const { plan, targets } = unmergeTargets(mm, ranges);
  return costRanges(mm, targets, () => plan, false, budgetBytes).failsAt;
}

/** unmerge_ksm_pages() over [first, first+count). */
export function unmergeRange(mm: Mm, first: number, count: number, rec: Recorder, limit: number): void {
  const { plan, targets } = unmergeTargets(mm, [first, count]);
  mapRanges(mm, targets, () => plan, rec, { alloc: false, limit });
}

export interface KsmOutcome {
  ok: boolean;
  errno: Errno | null;
  message: string | null;
}

/** ksm_disable(mm): unmerge every VMA and clear VM_MERGEABLE (also MMF_VM_MERGE_ANY). */
export function ksmDisable(mm: Mm, rec: Recorder, limit: number, budgetBytes: number): KsmOutcome {
  if (Number.isFinite(budgetBytes) && unmergeCost(mm, [0, mm.pages], budgetBytes) >= 0) {
    return {
      ok: false,
      errno: "ENOMEM",
      message: `unmerging KSM pages needs more memory than host "${mm.host.name}" has left`,
    };
  }
  rec.step(R_KSM_DISABLE.index);
  unmergeRange(mm, 0, mm.pages, rec, limit);
  mm.updateAllVmaFlags(0, VmFlag.MERGEABLE);
  return { ok: true, errno: null, message: null };
}
