/**
 * The /proc/vmstat event counters a reviewer reads around a test (mm/vmstat.c vmstat_text,
 * include/linux/vm_event_item.h): pgfault, thp_fault_alloc and thp_zero_page_alloc.
 *
 * They are counted from what an event did, not from the page tables: each rule says what its
 * effect counts (Rule.vmstat), and applyEvent() adds an event's effects up here. A step part-way
 * through an event replays only the pages done so far, so it counts exactly those.
 *
 * A userfault is not a completed fault: handle_userfault() returns VM_FAULT_RETRY, and
 * mm_account_fault() counts a fault only when it completes. A CPU access then retries and that
 * retry is counted; a GUP access (KVM's vCPU faults, process_vm_readv()) finds the placed page and
 * counts nothing more. The model's userfault rules count nothing, which is the vCPU's case; the
 * kernel check adds the CPU's retry for its own accesses.
 *
 * The kernel's counters are host-wide and never go down; the model counts per mm from the start of
 * the scenario, so a value here is the delta a reviewer sees between two reads of /proc/vmstat
 * taken around the scenario on a host doing nothing else.
 */
import type { Recorder } from "../apply.ts";
import type { Mm } from "../mm.ts";
import { Pte } from "../pte.ts";
import { ruleAt } from "../rules.ts";

/** Adds what `rec` (one event's record in `mm`) counts to `mm`'s vmstat events. */
export function countVmEvents(mm: Mm, rec: Recorder): void {
  const perPmd = mm.geometry.ptesPerTable;
  for (const e of rec.effects) {
    const v = ruleAt(e.rule).vmstat;
    if (!v) continue;
    const perHuge = v.pgfault === "pmd" || v.thpFaultAlloc === true;
    // The data a write puts into the huge page it just mapped is a second effect of the same rule
    // (zero-filled → data): the same fault, not another.
    if (perHuge && e.from === Pte.ANON_RW_ZERO && e.to === Pte.ANON_RW_DATA) continue;
    // A huge PMD's effect covers all its pages; a part of one still counts its fault once.
    const n = perHuge ? Math.ceil(e.count / perPmd) : e.count;
    if (v.pgfault) mm.pgfault += n;
    if (v.thpFaultAlloc) mm.thpFaultAlloc += n;
    if (v.hugeZeroPage) mm.hugeZeroUsed = true;
  }
}

/** The vmstat deltas of `mm` since the scenario began, under /proc/vmstat's names. */
export interface VmstatDeltas {
  readonly pgfault: number;
  readonly thp_fault_alloc: number;
  /**
   * 1 once the mm has mapped the huge zero page: get_huge_zero_folio() allocates it on first use
   * and counts THP_ZERO_PAGE_ALLOC. Since the mm holds it (MMF_HUGE_ZERO_PAGE) until exit, the
   * shrinker cannot free it meanwhile, so it is allocated at most once per run.
   */
  readonly thp_zero_page_alloc: number;
}

export function vmstatDeltas(mm: Mm): VmstatDeltas {
  return {
    pgfault: mm.pgfault,
    thp_fault_alloc: mm.thpFaultAlloc,
    thp_zero_page_alloc: mm.hugeZeroUsed ? 1 : 0,
  };
}
