/**
 * From per-table bytes (tableSpace) to per-cell bytes (cellSpace), for the viewport of a layout.
 * When a cell covers several tables (`tablesPerCell` > 1) it shows their most common class, and is
 * marked mixed if they differ. Outputs go into caller-owned arrays (`/* out *\/`), reused from one
 * frame to the next: nothing here allocates per cell.
 *
 * Cell bytes are tile indices (classes.ts tileOf): slot × 4 + mixed + 2 × huge.
 */
import { CLASS_ABSENT, CLASS_HUGE, CLASS_MIXED, SLOT_COUNT, slotOf, tileOf } from "./classes.ts";
import type { MapLayout } from "./layout.ts";

const slotCounts = new Int32Array(SLOT_COUNT);

/** tileByCell[c] = the tile to draw for cell c. */
export function aggregateTiles(
  tableClass: Uint8Array,
  layout: MapLayout,
  /* out */ tileByCell: Uint8Array,
): void {
  const k = layout.tablesPerCell;
  const start = layout.tableSpaceStart;
  const end = start + layout.tableSpaceLength;
  if (k === 1) {
    for (let c = 0; c < layout.cells; c++) tileByCell[c] = tileOf(tableClass[start + c]!);
    return;
  }
  for (let c = 0; c < layout.cells; c++) {
    const first = start + c * k;
    const last = Math.min(first + k, end);
    slotCounts.fill(0);
    let flags = 0;
    for (let t = first; t < last; t++) {
      const b = tableClass[t]!;
      slotCounts[slotOf(b)]!++;
      if (b !== CLASS_ABSENT) flags |= b & (CLASS_MIXED | CLASS_HUGE);
    }
    let best = 0;
    let kinds = 0;
    for (let s = 0; s < SLOT_COUNT; s++) {
      if (slotCounts[s]! > 0) kinds++;
      if (slotCounts[s]! > slotCounts[best]!) best = s;
    }
    const mixed = kinds > 1 || (flags & CLASS_MIXED) !== 0;
    const huge = (flags & CLASS_HUGE) !== 0;
    tileByCell[c] = best * 4 + (mixed ? 1 : 0) + (huge ? 2 : 0);
  }
}

/**
 * Marks the cells that hold any page of `runs` (flat [firstPage, count] pairs, page indices of the
 * mm) with `value`. Cost is per cell covered, not per page.
 */
export function markRuns(
  runs: readonly number[],
  pageOffset: number,
  ptesPerTable: number,
  layout: MapLayout,
  value: number,
  /* out */ byCell: Uint8Array,
): number {
  let marked = 0;
  const k = layout.tablesPerCell;
  const start = layout.tableSpaceStart;
  const end = start + layout.tableSpaceLength;
  for (let i = 0; i + 1 < runs.length; i += 2) {
    const count = runs[i + 1]!;
    if (count <= 0) continue;
    const first = runs[i]!;
    const tableFirst = Math.max(start, Math.floor((first + pageOffset) / ptesPerTable));
    const tableLast = Math.min(end - 1, Math.floor((first + count - 1 + pageOffset) / ptesPerTable));
    if (tableLast < tableFirst) continue;
    const c0 = Math.floor((tableFirst - start) / k);
    const c1 = Math.floor((tableLast - start) / k);
    for (let c = c0; c <= c1; c++) {
      if (byCell[c] !== value) marked++;
      byCell[c] = value;
    }
  }
  return marked;
}

/** Per cell 0 (no table has it), 2 (all do) or 1 (some), from per-table 0/1/2 bytes. */
export function aggregatePartial(
  perTable: Uint8Array,
  layout: MapLayout,
  /* out */ byCell: Uint8Array,
): void {
  const k = layout.tablesPerCell;
  const start = layout.tableSpaceStart;
  const end = start + layout.tableSpaceLength;
  for (let c = 0; c < layout.cells; c++) {
    const first = start + c * k;
    const last = Math.min(first + k, end);
    let all = true;
    let any = false;
    for (let t = first; t < last; t++) {
      const v = perTable[t]!;
      if (v !== 2) all = false;
      if (v !== 0) any = true;
    }
    byCell[c] = all && any ? 2 : any ? 1 : 0;
  }
}

export interface ClassCounts {
  /** Tables per palette slot (classes.ts SLOT_KEYS order). */
  readonly bySlot: Float64Array;
  readonly mixed: number;
  readonly huge: number;
}

/** Tables per class over the whole mm (legend and tabular alternative). */
export function countClasses(tableClass: Uint8Array): ClassCounts {
  const bySlot = new Float64Array(SLOT_COUNT);
  let mixed = 0;
  let huge = 0;
  for (let t = 0; t < tableClass.length; t++) {
    const b = tableClass[t]!;
    bySlot[slotOf(b)]! += 1;
    if (b !== CLASS_ABSENT) {
      if (b & CLASS_MIXED) mixed++;
      if (b & CLASS_HUGE) huge++;
    }
  }
  return { bySlot, mixed, huge };
}

/** Counts of per-table 0/1/2 bytes: [none, some, all]. */
export function countPartial(perTable: Uint8Array): [number, number, number] {
  const out: [number, number, number] = [0, 0, 0];
  for (let t = 0; t < perTable.length; t++) out[perTable[t]! as 0 | 1 | 2]++;
  return out;
}
