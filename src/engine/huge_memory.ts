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
import { ABSENT, type AbsentChunks } from "../base/chunked.ts";
import { PAGE_SIZE } from "../base/units.ts";
import type { Recorder } from "./apply.ts";
import type { Content } from "./events.ts";
import { type Mm, type Vma, VmFlag } from "./mm.ts";
import { anonState, PTE_STATES, Pte } from "./pte.ts";
import { defineRule, fr, step } from "./rules.ts";
import { versionAtLeast } from "./variants.ts";

const HUGE = "mm/huge_memory.c";

export const R_HUGE_ZERO = defineRule({
  id: "do_huge_pmd_anonymous_page.huge_zero",
  vmstat: { pgfault: "pmd", hugeZeroPage: true },
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
  vmstat: { pgfault: "pmd", thpFaultAlloc: true },
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
  vmstat: { pgfault: "pmd", thpFaultAlloc: true },
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
  vmstat: { pgfault: "pmd", thpFaultAlloc: true },
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
    pt.setHuge(t, false);
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

/** Tables [table, table + tables), each uniformly `from`, become uniformly `to`. */
function setWhole(mm: Mm, table: number, tables: number, from: number, to: number): void {
  const pt = mm.pt;
  const n = mm.geometry.ptesPerTable * tables;
  pt.ptes.setChunk(table, to, tables);
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
 * Whether a fault of `access` on `table` certainly takes the PTE path with nothing done here, so
 * that hugeFaultTable() returns false at once: the table is mapped by a huge PMD that a read finds
 * present or that maps a THP (the PTE path updates its content), or it is not mapped by one and
 * no huge PMD can be installed (a PTE table exists, the VMA is not THP-eligible, or the 2 MiB do
 * not lie inside it). The fault walk (fault.ts) runs stretches of such tables as one piece.
 */
export function ptePathOnly(mm: Mm, vma: Vma, table: number, access: "read" | "write" | "unshare"): boolean {
  const pt = mm.pt;
  if (pt.huge[table]) return access === "read" || pt.tableTag(table) !== Pte.ZERO;
  return pt.hasTable(table) || !thpEligible(mm, vma) || !tableInsideVma(mm, vma, table);
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
  if (ptePathOnly(mm, vma, table, access)) return false;
  const pt = mm.pt;
  const n = mm.geometry.ptesPerTable;
  const thpBytes = n * PAGE_SIZE;
  if (pt.huge[table]) {
    const tag = pt.tableTag(table);
    if (access === "read") return false; // present: the PTE path records "no fault"
    if (tag === Pte.ZERO) {
      if (access === "write" && versionAtLeast(mm.kernelVersion, 6, 13) && thpBytes <= budget.left) {
        budget.left -= thpBytes;
        replaceHugeZero(mm, table, 1, first, count, content, rec);
        return true;
      }
      pt.setHuge(table, false);
      rec.step(R_HUGE_SPLIT.index);
      return false;
    }
    return false; // a THP is mapped writable: the PTE path updates content
  }
  if (canInstallHuge(mm, vma, table)) {
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
    installHuge(mm, table, 1, access, first, count, content, rec);
    return true;
  }
  return false;
}

/** Whether a huge PMD can be installed for `table` in `vma`: no PTE table yet, THP allowed there. */
function canInstallHuge(mm: Mm, vma: Vma, table: number): boolean {
  return !mm.pt.hasTable(table) && thpEligible(mm, vma) && tableInsideVma(mm, vma, table);
}

/**
 * do_huge_pmd_anonymous_page() for tables [table, table + tables), none of which has a PTE table:
 * each gets a huge PMD (and its deposited table) mapping the huge zero page for a read, or a new
 * THP for a write (or a read without the huge zero page); data written lands in the fault's pages
 * [first, first + count). One table or a run of them: the effects are the same as table by table.
 */
function installHuge(
  mm: Mm,
  table: number,
  tables: number,
  access: "read" | "write" | "unshare",
  first: number,
  count: number,
  content: Content,
  rec: Recorder,
): void {
  const pt = mm.pt;
  const n = mm.geometry.ptesPerTable * tables;
  pt.allocTables(table, tables);
  rec.tablesAllocated += tables;
  pt.setHuge(table, true, tables);
  if (access === "write") {
    setWhole(mm, table, tables, Pte.NONE, Pte.ANON_RW_ZERO);
    pt.setFolio(table, true, tables);
    rec.addEffect(Pte.NONE, Pte.ANON_RW_ZERO, R_THP_ALLOC.index, n);
    if (content === "data") writeContent(mm, first, count, rec, R_THP_ALLOC.index);
  } else if (!mm.hostZeropage.hugeZeroPage) {
    setWhole(mm, table, tables, Pte.NONE, Pte.ANON_RW_ZERO);
    pt.setFolio(table, true, tables);
    rec.addEffect(Pte.NONE, Pte.ANON_RW_ZERO, R_THP_READ_ALLOC.index, n);
  } else {
    setWhole(mm, table, tables, Pte.NONE, Pte.ZERO);
    rec.addEffect(Pte.NONE, Pte.ZERO, R_HUGE_ZERO.index, n);
  }
  rec.addFootprint(first, count);
}

/**
 * do_huge_zero_wp_pmd() (v6.13+) for tables [table, table + tables), each mapped by a huge zero
 * PMD: a write replaces each by a new THP; data written lands in [first, first + count).
 */
function replaceHugeZero(
  mm: Mm,
  table: number,
  tables: number,
  first: number,
  count: number,
  content: Content,
  rec: Recorder,
): void {
  setWhole(mm, table, tables, Pte.ZERO, Pte.ANON_RW_ZERO);
  mm.pt.setFolio(table, true, tables);
  rec.addEffect(Pte.ZERO, Pte.ANON_RW_ZERO, R_HUGE_ZERO_WP.index, mm.geometry.ptesPerTable * tables);
  if (content === "data") writeContent(mm, first, count, rec, R_HUGE_ZERO_WP.index);
  rec.addFootprint(first, count);
}

/**
 * The fault's pages [first, end), starting in `table`, over a stretch of tables on each of which
 * hugeFaultTable() would do the same with no memory limit to price against (the caller checks):
 * install a huge PMD (tables without a PTE table, THP allowed), or replace a huge zero PMD by a
 * THP (a write, v6.13+). All of them in one step, with the effects a table-by-table walk records.
 * Returns where the stretch ends (first: not even `table`, and hugeFaultTable() decides for it).
 * A VMA registered for userfaultfd MISSING is left to hugeFaultTable(): its first fault stops.
 */
export function hugeFaultRun(
  mm: Mm,
  vma: Vma,
  table: number,
  access: "read" | "write" | "unshare",
  first: number,
  end: number,
  content: Content,
  rec: Recorder,
): number {
  const pt = mm.pt;
  const last = pt.tableOf(end - 1);
  if (!(vma.flags & VmFlag.UFFD_MISSING) && canInstallHuge(mm, vma, table)) {
    // canInstallHuge() for the tables after the first: no PTE table, and the 2 MiB inside the VMA
    // (only the last table of the stretch can stick out of it).
    let t = pt.ptes.endOfTag(table, ABSENT, last);
    while (t - 1 > table && !tableInsideVma(mm, vma, t - 1)) t--;
    const runEnd = Math.min(end, pt.ptes.chunkEnd(t - 1));
    installHuge(mm, table, t - table, access, first, runEnd - first, content, rec);
    return runEnd;
  }
  if (
    access === "write" &&
    pt.huge[table] === 1 &&
    pt.tableTag(table) === Pte.ZERO &&
    versionAtLeast(mm.kernelVersion, 6, 13)
  ) {
    // Huge zero PMDs: the tables that hold ZERO and are mapped by a huge PMD.
    const notHuge = pt.huge.subarray(table, last + 1).indexOf(0);
    const t = Math.min(pt.ptes.endOfTag(table, Pte.ZERO, last), notHuge < 0 ? last + 1 : table + notHuge);
    const runEnd = Math.min(end, pt.ptes.chunkEnd(t - 1));
    replaceHugeZero(mm, table, t - table, first, runEnd - first, content, rec);
    return runEnd;
  }
  return first;
}

/**
 * The first table of [table, last] for which ptePathOnly() is false, or last + 1: the end of a
 * stretch the fault walk runs as one PTE-path piece. Tables are taken in `vma`. For a read only a
 * table without a PTE table where a huge PMD may go leaves the PTE path, so the search for one is
 * a scan for the next absent table.
 */
export function ptePathOnlyUntil(
  mm: Mm,
  vma: Vma,
  table: number,
  access: "read" | "write" | "unshare",
  last: number,
): number {
  if (access === "read") {
    if (!thpEligible(mm, vma)) return last + 1;
    const range = mm.pt.ptes.tags.subarray(table, last + 1);
    for (let i = range.indexOf(ABSENT); i >= 0; i = range.indexOf(ABSENT, i + 1)) {
      if (tableInsideVma(mm, vma, table + i)) return table + i;
    }
    return last + 1;
  }
  let t = table;
  while (t <= last && ptePathOnly(mm, vma, t, access)) t++;
  return t;
}

/** Data written into pages of the huge page just mapped by `rule`: content changes, no fault. */
function writeContent(mm: Mm, first: number, count: number, rec: Recorder, rule: number): void {
  const tally = WRITE_TALLY.fill(0);
  mm.pt.ptes.mapRange(first, count, WRITE_DATA_LUT, tally, count, WRITE_ABSENT);
  mm.pt.account(tally, WRITE_DATA_LUT);
  rec.addEffect(Pte.ANON_RW_ZERO, Pte.ANON_RW_DATA, rule, tally[Pte.ANON_RW_ZERO]!);
}

/** writeContent()'s lookup table (zero-filled THP subpages → data) and scratch tally. */
const WRITE_DATA_LUT = (() => {
  const lut = new Uint8Array(256);
  for (let i = 0; i < 256; i++) lut[i] = i;
  lut[Pte.ANON_RW_ZERO] = anonState(true, true);
  return lut;
})();
const WRITE_TALLY = new Float64Array(256);
const WRITE_ABSENT: AbsentChunks = { value: Pte.NONE };

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
      for (let v = 0; v < PTE_STATES; v++) {
        if (hist[v]! > 0) {
          rec.addEffect(v, Pte.NONE, R_ZAP_HUGE.index, hist[v]!);
          pt.stateCounts[v]! -= hist[v]!;
          pt.stateCounts[Pte.NONE]! += hist[v]!;
        }
      }
      pt.freeTable(t);
      rec.tablesFreed++;
    } else {
      pt.setHuge(t, false);
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
  const t0 = pt.tableOf(first);
  const folios = pt.folio.subarray(t0, pt.tableOf(first + count - 1) + 1);
  for (let i = folios.indexOf(1); i >= 0; i = folios.indexOf(1, i + 1)) {
    if (!pt.ptes.chunkHolds(t0 + i, Pte.ANON_RO_ZERO, Pte.ANON_RW_DATA)) pt.setFolio(t0 + i, false);
  }
}
