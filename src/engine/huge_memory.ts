/**
 * Transparent huge pages on x86_64 (mm/huge_memory.c): the huge zero page and anonymous THPs
 * mapped by one PMD. Only the x86_64 variant uses them: s390 KVM processes have THP disabled by
 * thp_split_mm() in s390_enable_sie() (arch/s390/mm/gmap.c), and s390 guest RAM is modelled with 4 KiB PTEs only.
 *
 * A PTE table's range mapped by a huge PMD keeps its per-page states in the same table slot and is
 * flagged in PageTables.huge. The deposited page table (pgtable_trans_huge_deposit) is counted as a
 * PTE table: set_huge_zero_folio() and __do_huge_pmd_anonymous_page() call mm_inc_nr_ptes(), so a
 * huge PMD costs 4 KiB of VmPTE like a PTE table does (research note Q2, v6.18).
 *
 * A THP-eligible VMA registered for userfaultfd MISSING takes the huge path too, which allocates
 * the table (and, for a write, the THP), sees userfaultfd_missing(), frees them and raises the
 * userfault: the fault leaves no PTE table behind (research note Q2; tools/kernel-check
 * uffd-missing-read.ops step 8 on 6.18). The 4 KiB UFFDIO_ZEROPAGE/COPY that answers it then
 * allocates an ordinary PTE table.
 *
 * Without the huge zero page (transparent_hugepage/use_zero_page = 0, or a host whose zeropage
 * policy forbids it: HostConfig.zeropage.hugeZeroPage) a read allocates a THP as a write does.
 *
 * ASSUMPTIONS: khugepaged collapse and KSM on THPs are not modelled.
 */
import type { Recorder } from "./apply.ts";
import type { Content } from "./events.ts";
import { type Mm, type Vma, VmFlag } from "./mm.ts";
import { anonState, Pte } from "./pte.ts";
import { defineRule, fr, step } from "./rules.ts";
import { versionAtLeast } from "./variants.ts";

const HUGE = "mm/huge_memory.c";

export const R_HUGE_ZERO = defineRule({
  id: "do_huge_pmd_anonymous_page.huge_zero",
  title: "read fault maps the huge zero page (one PMD for 2 MiB)",
  path: [
    fr("mm/memory.c", "__handle_mm_fault"),
    fr(HUGE, "do_huge_pmd_anonymous_page"),
    fr("include/linux/mm.h", "mm_forbids_zeropage", "= false"),
    fr(HUGE, "set_huge_zero_folio"),
    fr(HUGE, "pgtable_trans_huge_deposit"),
    step("mm_inc_nr_ptes"),
  ],
  explain:
    "The whole 2 MiB range is eligible for a transparent huge page and was untouched, so a read maps the huge zero page with one PMD entry. A page table is still allocated and deposited for a later split, so VmPTE grows by 4 KiB just as for a table of 512 zeropage PTEs.",
  assumption:
    "The deposit is modelled as in the v6.10–v6.18 copies of set_huge_zero_folio(); a 2025/26 patch making it conditional on arch_needs_pgtable_deposit() (which would drop it on x86_64) is not modelled, as its merge is unconfirmed.",
});

export const R_THP_ALLOC = defineRule({
  id: "do_huge_pmd_anonymous_page.thp",
  title: "write fault allocates a 2 MiB transparent huge page",
  path: [
    fr("mm/memory.c", "__handle_mm_fault"),
    fr(HUGE, "do_huge_pmd_anonymous_page"),
    fr(HUGE, "__do_huge_pmd_anonymous_page"),
    fr(HUGE, "map_anon_folio_pmd"),
    step("mm_inc_nr_ptes"),
  ],
  explain:
    "A write to an untouched, THP-eligible 2 MiB range allocates a whole huge page: RssAnon grows by 2 MiB at once, and a deposited page table adds 4 KiB of VmPTE.",
});

export const R_THP_READ_ALLOC = defineRule({
  id: "do_huge_pmd_anonymous_page.no_huge_zero",
  title: "read fault allocates a 2 MiB transparent huge page (no huge zero page on this host)",
  path: [
    fr("mm/memory.c", "__handle_mm_fault"),
    fr(HUGE, "do_huge_pmd_anonymous_page"),
    step("transparent_hugepage_use_zero_page() = false", "or host policy"),
    fr(HUGE, "__do_huge_pmd_anonymous_page"),
    fr(HUGE, "map_anon_folio_pmd"),
    step("mm_inc_nr_ptes"),
  ],
  explain:
    "This host does not use the huge zero page (transparent_hugepage/use_zero_page is 0, or its kernel's zeropage policy forbids it), so do_huge_pmd_anonymous_page() skips its read-only branch and allocates a whole zero-filled huge page, as for a write: RssAnon grows by 2 MiB at once, and the deposited page table adds 4 KiB of VmPTE. The PMD is writable and dirty because the VMA is writable.",
  assumption:
    "With use_zero_page = 0 this is upstream code. For a host whose own boot option (pvm_no_zero_page=1) forbids the huge zero page, that option's source was not read; the model assumes the same branch (measured on such a host: RssAnon +2 MiB per 2 MiB read, a THP PMD, no huge zero PMD).",
});

export const R_HUGE_ZERO_WP = defineRule({
  id: "do_huge_zero_wp_pmd.thp",
  title: "write to the huge zero page allocates a THP",
  path: [fr(HUGE, "do_huge_pmd_wp_page"), fr(HUGE, "do_huge_zero_wp_pmd"), fr(HUGE, "map_anon_folio_pmd")],
  explain:
    "Since 1ced09e0331f (v6.13), a write to the huge zero page replaces the whole PMD by a newly allocated, zero-filled huge page (RssAnon +2 MiB). The deposited page table is reused, so VmPTE does not change.",
  assumption:
    "Research note Q2: 1ced09e0331f is dated to v6.13 by inference (posted against v6.11, Oct 2024).",
});

export const R_HUGE_SPLIT = defineRule({
  id: "__split_huge_pmd",
  title: "huge PMD split into 512 PTEs",
  path: [
    fr(HUGE, "__split_huge_pmd"),
    fr(HUGE, "__split_huge_pmd_locked"),
    step("pgtable_trans_huge_withdraw"),
  ],
  explain:
    "The huge PMD is split: the deposited page table becomes a real PTE table whose 512 entries map the same pages (zeropages for the huge zero page). VmPTE does not change.",
  assumption:
    "Modelling choice: when a split THP then loses some of its pages (a 4 KiB MADV_DONTNEED such as the balloon's), the model frees each unmapped 4 KiB at once. The kernel only lowers RssAnon then; the 2 MiB folio stays allocated until all its pages are unmapped or the deferred split shrinker splits it under memory pressure, so host memory goes down later than the model shows.",
});

export const R_ZAP_HUGE = defineRule({
  id: "zap_huge_pmd",
  title: "MADV_DONTNEED of a whole huge PMD frees it and its deposited table",
  path: [
    fr("mm/madvise.c", "madvise_dontneed_single_vma"),
    fr("mm/memory.c", "zap_page_range_single_batched"),
    fr("mm/memory.c", "zap_pmd_range"),
    fr(HUGE, "zap_huge_pmd"),
    fr(HUGE, "zap_deposited_table"),
    step("mm_dec_nr_ptes"),
  ],
  explain:
    "The call covers the whole 2 MiB, so the huge PMD is cleared in one go: a THP is freed (RssAnon −2 MiB) and the deposited page table too (VmPTE −4 KiB).",
});

export const R_HUGE_SPLIT_VMA = defineRule({
  id: "vma_adjust_trans_huge",
  title: "a VMA split inside a huge PMD's range splits the PMD",
  path: [
    fr("mm/vma.c", "__split_vma"),
    fr(HUGE, "vma_adjust_trans_huge"),
    fr(HUGE, "split_huge_pmd_if_needed"),
    fr(HUGE, "__split_huge_pmd"),
  ],
  explain:
    "A huge PMD cannot straddle two VMAs. When madvise() or UFFDIO_REGISTER changes the flags of part of a 2 MiB range mapped by a huge PMD, the VMA is split there and the PMD is split into 512 PTEs first. Memory use does not change.",
});

/**
 * split_vma() → vma_adjust_trans_huge(): changing flags (set, clear) on [first, first+count) splits
 * the VMA at each end of the range that falls inside one, and a huge PMD whose 2 MiB straddles such
 * a split point is split. Called before the flags change. VMAs whose flags stay equal are not split
 * (madvise_update_vma(), userfaultfd_register() skip them).
 */
export function splitHugeForVmaChange(
  mm: Mm,
  first: number,
  count: number,
  set: number,
  clear: number,
  rec: Recorder,
): void {
  const pt = mm.pt;
  if (pt.hugePmds === 0 || count === 0) return;
  const splitAt = (boundary: number, inside: number) => {
    const vma = mm.vmaAt(inside);
    if (!vma || ((vma.flags | set) & ~clear) === vma.flags) return;
    if (boundary <= vma.first || boundary >= vma.first + vma.count) return; // already a VMA edge
    const t = pt.tableOf(boundary);
    if (!pt.huge[t] || pt.ptes.chunkStart(t) === boundary) return;
    pt.huge[t] = 0;
    pt.hugePmds -= 1;
    rec.step(R_HUGE_SPLIT_VMA.index);
  };
  splitAt(first, first);
  splitAt(first + count, first + count - 1);
}

export const R_HUGE_USERFAULT = defineRule({
  id: "do_huge_pmd_anonymous_page.userfault",
  title: "missing-page userfault on the huge-PMD path: no page table is left behind",
  path: [
    fr("mm/memory.c", "__handle_mm_fault", "pud_alloc, pmd_alloc"),
    fr(HUGE, "do_huge_pmd_anonymous_page"),
    step("pte_alloc_one"),
    fr("include/linux/userfaultfd_k.h", "userfaultfd_missing", "= true"),
    step("pte_free"),
    fr("fs/userfaultfd.c", "handle_userfault", "VM_UFFD_MISSING"),
  ],
  explain:
    "The 2 MiB range is eligible for a huge page, so the fault takes the huge-PMD path. It prepares a page table (and for a write a huge page), then sees the userfaultfd registration, frees them again and reports the fault to user space. Unlike the 4 KiB path, no PTE table stays allocated; the page that user space places later brings one.",
});

/** Whether any fault in `mm` can take the huge-PMD path. */
export function hugeFaultsPossible(mm: Mm): boolean {
  if (mm.geometry.arch !== "x86_64") return false;
  if (mm.pt.hugePmds > 0) return true;
  if (mm.host.thp === "never") return false;
  return mm.vmas.some((v) => thpEligible(mm, v));
}

/**
 * thp_vma_allowable_order() as far as the model goes: sysfs mode and VMA flags. A userfaultfd
 * MISSING registration does not make a VMA ineligible; the huge-PMD fault path checks it itself.
 */
export function thpEligible(mm: Mm, vma: Vma): boolean {
  if (mm.geometry.arch !== "x86_64" || mm.host.thp === "never") return false;
  if (vma.flags & VmFlag.NOHUGEPAGE) return false;
  if (!(vma.flags & VmFlag.COW)) return false;
  return mm.host.thp === "always" || (vma.flags & VmFlag.HUGEPAGE) !== 0;
}

/** Whether the whole 2 MiB of `table` lies inside `vma` (thp_vma_suitable_order()). */
function tableInsideVma(mm: Mm, vma: Vma, table: number): boolean {
  const pt = mm.pt;
  const start = pt.ptes.chunkStart(table);
  const end = pt.ptes.chunkEnd(table);
  if (end - start !== mm.geometry.ptesPerTable) return false;
  return start >= vma.first && end <= vma.first + vma.count;
}

function setWhole(mm: Mm, table: number, from: number, to: number): void {
  const pt = mm.pt;
  const n = mm.geometry.ptesPerTable;
  pt.ptes.tags[table] = to;
  pt.ptes.mixed.delete(table);
  pt.stateCounts[from]! -= n;
  pt.stateCounts[to]! += n;
}

/** Memory that mapping `table` would allocate in page tables (the PTE table and missing upper ones). */
function tableCost(mm: Mm, table: number): number {
  const g = mm.geometry;
  const missing: number[] = [];
  mm.pt.missingUpperFor(table, missing);
  let cost = g.pteTableMemBytes;
  for (let i = 0; i < g.upper.length; i++) cost += missing[i]! * g.upper[i]!.memBytes;
  return cost;
}

/**
 * Handles the part [first, first+count) of a fault that falls in PTE table `table` if that table
 * is (or becomes) mapped by a huge PMD. Returns false when the PTE path must handle it, after
 * splitting the PMD if that is what the kernel does first, and "userfault" when the access stops
 * at `first` with a MISSING userfault (recorded in `rec`). A THP that does not fit in
 * `budget.left` bytes is not allocated: the kernel falls back to 4 KiB pages (VM_FAULT_FALLBACK),
 * which the PTE path then prices. `budget.left` shrinks by what this call allocates.
 */
export function hugeFaultTable(
  mm: Mm,
  vma: Vma,
  table: number,
  access: "read" | "write" | "unshare",
  first: number,
  count: number,
  content: Content,
  rec: Recorder,
  budget: { left: number } = { left: Number.POSITIVE_INFINITY },
): boolean | "userfault" {
  const pt = mm.pt;
  const n = mm.geometry.ptesPerTable;
  const thpBytes = n * 4096;
  if (pt.huge[table]) {
    const tag = pt.tableTag(table);
    if (access === "read") return false; // present: the PTE path records "no fault"
    if (tag === Pte.ZERO) {
      if (access === "write" && versionAtLeast(mm.kernelVersion, 6, 13) && thpBytes <= budget.left) {
        budget.left -= thpBytes;
        setWhole(mm, table, Pte.ZERO, Pte.ANON_RW_ZERO);
        pt.folio[table] = 1;
        rec.addEffect(Pte.ZERO, Pte.ANON_RW_ZERO, R_HUGE_ZERO_WP.index, n);
        if (content === "data") writeContent(mm, first, count, rec, R_HUGE_ZERO_WP.index);
        rec.addFootprint(first, count);
        return true;
      }
      pt.huge[table] = 0;
      pt.hugePmds -= 1;
      rec.step(R_HUGE_SPLIT.index);
      return false;
    }
    return false; // a THP is mapped writable: the PTE path updates content
  }
  if (!pt.hasTable(table) && thpEligible(mm, vma) && tableInsideVma(mm, vma, table)) {
    const tableBytes = tableCost(mm, table);
    // Without the huge zero page a read allocates a THP just as a write does.
    const allocates = access === "write" || !mm.hostZeropage.hugeZeroPage;
    const cost = tableBytes + (allocates ? thpBytes : 0);
    if (cost > budget.left) return false; // THP (or even its table) does not fit: 4 KiB path
    if (vma.flags & VmFlag.UFFD_MISSING) {
      // userfaultfd_missing(vma): what was allocated for the PMD is freed; the upper levels stay.
      budget.left -= tableBytes - mm.geometry.pteTableMemBytes;
      pt.allocUpper(table);
      rec.addFootprint(first, 1);
      rec.step(R_HUGE_USERFAULT.index);
      rec.userfaultAt = first;
      return "userfault";
    }
    budget.left -= cost;
    pt.allocTable(table);
    rec.tablesAllocated++;
    pt.huge[table] = 1;
    pt.hugePmds += 1;
    if (access === "write") {
      setWhole(mm, table, Pte.NONE, Pte.ANON_RW_ZERO);
      pt.folio[table] = 1;
      rec.addEffect(Pte.NONE, Pte.ANON_RW_ZERO, R_THP_ALLOC.index, n);
      if (content === "data") writeContent(mm, first, count, rec, R_THP_ALLOC.index);
    } else if (!mm.hostZeropage.hugeZeroPage) {
      setWhole(mm, table, Pte.NONE, Pte.ANON_RW_ZERO);
      pt.folio[table] = 1;
      rec.addEffect(Pte.NONE, Pte.ANON_RW_ZERO, R_THP_READ_ALLOC.index, n);
    } else {
      setWhole(mm, table, Pte.NONE, Pte.ZERO);
      rec.addEffect(Pte.NONE, Pte.ZERO, R_HUGE_ZERO.index, n);
    }
    rec.addFootprint(first, count);
    return true;
  }
  return false;
}

/** Data written into pages of the huge page just mapped by `rule`: content changes, no fault. */
function writeContent(mm: Mm, first: number, count: number, rec: Recorder, rule: number): void {
  const lut = new Uint8Array(256);
  for (let i = 0; i < 256; i++) lut[i] = i;
  lut[Pte.ANON_RW_ZERO] = anonState(true, true);
  const tally = new Float64Array(256);
  mm.pt.ptes.mapRange(first, count, lut, tally, count, () => Pte.NONE);
  mm.pt.account(tally, lut);
  rec.addEffect(Pte.ANON_RW_ZERO, Pte.ANON_RW_DATA, rule, tally[Pte.ANON_RW_ZERO]!);
}

/**
 * zap_pmd_range() for huge PMDs met by one madvise(MADV_DONTNEED) call [first, first+count):
 * a PMD the call covers whole is zapped with its deposited table; one it covers in part is split
 * first, and the PTE path then zaps the requested pages. `wholeCall` false: the range is made of
 * calls smaller than a PMD (QEMU's balloon), so every huge PMD it meets is split, never zapped whole.
 */
export function zapHugePmds(mm: Mm, first: number, count: number, rec: Recorder, wholeCall: boolean): void {
  const pt = mm.pt;
  if (pt.hugePmds === 0) return;
  const end = first + count;
  for (let t = pt.tableOf(first); t <= pt.tableOf(end - 1); t++) {
    if (!pt.huge[t]) continue;
    const s = pt.ptes.chunkStart(t);
    const e = pt.ptes.chunkEnd(t);
    if (wholeCall && first <= s && end >= e) {
      const hist = new Float64Array(256);
      pt.ptes.histogram(s, e - s, hist);
      for (let v = 0; v < 9; v++) {
        if (hist[v]! > 0) {
          rec.addEffect(v, Pte.NONE, R_ZAP_HUGE.index, hist[v]!);
          pt.stateCounts[v]! -= hist[v]!;
          pt.stateCounts[Pte.NONE]! += hist[v]!;
        }
      }
      pt.freeTable(t);
      rec.tablesFreed++;
    } else {
      pt.huge[t] = 0;
      pt.hugePmds -= 1;
      rec.step(R_HUGE_SPLIT.index);
    }
  }
}

/**
 * After a zap: a PTE-mapped THP whose subpages are all unmapped is freed, so its table no longer
 * holds a folio (deferred split frees the partly unmapped ones; the model already freed them).
 */
export function releaseEmptyFolios(mm: Mm, first: number, count: number): void {
  const pt = mm.pt;
  if (count <= 0) return;
  const hist = new Float64Array(256);
  for (let t = pt.tableOf(first); t <= pt.tableOf(first + count - 1); t++) {
    if (!pt.folio[t]) continue;
    hist.fill(0);
    const s = pt.ptes.chunkStart(t);
    pt.ptes.histogram(s, pt.ptes.chunkEnd(t) - s, hist);
    let anon = 0;
    for (let v = Pte.ANON_RO_ZERO; v <= Pte.ANON_RW_DATA; v++) anon += hist[v]!;
    if (anon === 0) pt.folio[t] = 0;
  }
}
