/**
 * What user space can learn about guest RAM without touching it: /proc/<pid>/pagemap
 * (fs/proc/task_mmu.c pte_to_pagemap_entry(), PAGEMAP_SCAN with PAGE_IS_PRESENT / PAGE_IS_PFNZERO),
 * and what a read of a page would return (zero-filled or not). The hypervisor layer uses these
 * for QEMU's zero-page detection (buffer_is_zero: content) and for the user-space alternative
 * 06201e00's message proposes (skip pages pagemap reports as not present).
 */
import { appendRun } from "../../base/runs.ts";
import { selectRanges } from "../apply.ts";
import type { Mm } from "../mm.ts";
import { hasZeroContent, isPresent, Pte } from "../pte.ts";

/** Runs of present pages (PM_PRESENT) within `ranges`. */
export function presentRuns(mm: Mm, ranges: readonly number[]): number[] {
  return selectRanges(mm, ranges, isPresent);
}

/** Runs of pages whose content is not all zeros (buffer_is_zero() would return false). */
export function dataRuns(mm: Mm, ranges: readonly number[]): number[] {
  return selectRanges(mm, ranges, (s) => !hasZeroContent(s));
}

/** Runs of pages whose PTE is none (a userfaultfd MISSING fault would fire there). */
export function noneRuns(mm: Mm, ranges: readonly number[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < ranges.length; i += 2) {
    mm.pt.ptes.forEachSpan(ranges[i]!, ranges[i + 1]!, (value, start, length) => {
      if (value === Pte.NONE) appendRun(out, start, length);
    });
  }
  return out;
}
