/**
 * What the views draw, computed in the worker from a world: per page table one byte that says what
 * its PTEs hold, per selected table its PTE states, and per-table summaries of the hypervisor's
 * page sets (the balloon). Views colour these bytes; they never look at PTE semantics themselves.
 *
 * Table class byte:
 *   0xFF            no page table (PMD entry none)
 *   low 3 bits      majority content class: 0 none, 1 zeropage, 2 anon zero-filled, 3 anon data, 4 KSM
 *   bit 3 (0x08)    mixed: more than one class in the table
 *   bit 4 (0x10)    mapped by a huge PMD (x86_64 THP / huge zero page)
 */
import { MIXED } from "../base/chunked.ts";
import type { Mm } from "./mm.ts";
import { snapshotCounters, type MmCounters } from "./proc/status.ts";
import { Pte } from "./pte.ts";
import type { World } from "./world.ts";

export const CLASS_NONE = 0;
export const CLASS_ZERO = 1;
export const CLASS_ANON_ZERO = 2;
export const CLASS_ANON_DATA = 3;
export const CLASS_KSM = 4;
export const CLASS_MIXED = 0x08;
export const CLASS_HUGE = 0x10;
export const CLASS_ABSENT = 0xff;

export const CLASS_NAMES = ["none", "zeropage", "anon, zero-filled", "anon, data", "KSM"] as const;

/** PTE state → content class. */
export const STATE_CLASS: readonly number[] = [
  CLASS_NONE,
  CLASS_ZERO,
  CLASS_ZERO,
  CLASS_ZERO,
  CLASS_ANON_ZERO,
  CLASS_ANON_DATA,
  CLASS_ANON_ZERO,
  CLASS_ANON_DATA,
  CLASS_KSM,
];

export interface MmSnapshot {
  readonly name: string;
  readonly tables: number;
  readonly ptesPerTable: number;
  readonly pageOffset: number;
  readonly tableClass: Uint8Array;
  /** Per table: 0 none of its pages in the balloon, 1 some, 2 all. */
  readonly balloon: Uint8Array;
  readonly counters: MmCounters;
  readonly forbidsZeropage: boolean;
}

function classOfTable(mm: Mm, t: number, counts: Float64Array): number {
  const pt = mm.pt;
  const tag = pt.tableTag(t);
  if (tag === 0xff) return CLASS_ABSENT;
  const huge = pt.huge[t] ? CLASS_HUGE : 0;
  if (tag !== MIXED) return STATE_CLASS[tag]! | huge;
  counts.fill(0);
  const arr = pt.ptes.mixed.get(t)!;
  const lo = pt.ptes.chunkStart(t) - (t * pt.ptes.chunkSize - pt.ptes.pageOffset);
  const hi = lo + (pt.ptes.chunkEnd(t) - pt.ptes.chunkStart(t));
  for (let i = lo; i < hi; i++) counts[STATE_CLASS[arr[i]!]!]! += 1;
  let best = 0;
  let kinds = 0;
  for (let c = 0; c < 5; c++) {
    if (counts[c]! > 0) kinds++;
    if (counts[c]! > counts[best]!) best = c;
  }
  return best | (kinds > 1 ? CLASS_MIXED : 0) | huge;
}

export function snapshotMm(w: World, index: number): MmSnapshot {
  const mm = w.mms[index]!;
  const pt = mm.pt;
  const tableClass = new Uint8Array(pt.tables);
  const counts = new Float64Array(5);
  for (let t = 0; t < pt.tables; t++) tableClass[t] = classOfTable(mm, t, counts);
  const balloon = new Uint8Array(pt.tables);
  const set = w.pagesets[index]!.get("balloon");
  if (set) {
    for (let t = 0; t < pt.tables; t++) {
      const tag = set.tags[t]!;
      if (tag === 0 || tag === 0xff) continue;
      if (tag === 1) balloon[t] = 2;
      else balloon[t] = 1;
    }
  }
  return {
    name: mm.name,
    tables: pt.tables,
    ptesPerTable: mm.geometry.ptesPerTable,
    pageOffset: pt.ptes.pageOffset,
    tableClass,
    balloon,
    counters: snapshotCounters(mm),
    forbidsZeropage: mm.forbidsZeropage(),
  };
}

export interface TableDetail {
  readonly mm: number;
  readonly table: number;
  /** First page of the table (may be negative for a partial first table). */
  readonly firstPage: number;
  readonly present: boolean;
  readonly huge: boolean;
  /** PTE state per slot (Pte values); slots outside guest RAM read as none. */
  readonly states: Uint8Array;
  /** Balloon flag per slot. */
  readonly balloon: Uint8Array;
}

export function tableDetail(w: World, index: number, table: number): TableDetail {
  const mm = w.mms[index]!;
  const pt = mm.pt;
  const t = Math.max(0, Math.min(table, pt.tables - 1));
  const set = w.pagesets[index]!.get("balloon");
  return {
    mm: index,
    table: t,
    firstPage: t * pt.ptes.chunkSize - pt.ptes.pageOffset,
    present: pt.hasTable(t),
    huge: pt.huge[t] === 1,
    states: pt.ptes.chunkValues(t),
    balloon: set ? set.chunkValues(t) : new Uint8Array(pt.ptes.chunkSize),
  };
}

export { Pte };
