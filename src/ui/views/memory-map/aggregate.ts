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

/** Per class byte: its tile, its palette slot, and its mixed/huge bits as tile flags (1, 2). */
const TILE_LUT = new Uint8Array(256);
const SLOT_LUT = new Uint8Array(256);
const FLAG_LUT = new Uint8Array(256);
for (let b = 0; b < 256; b++) {
  const content = b & 7;
  if (b !== CLASS_ABSENT && content >= SLOT_COUNT - 1) continue; // not a class byte
  TILE_LUT[b] = tileOf(b);
  SLOT_LUT[b] = slotOf(b);
  FLAG_LUT[b] = b === CLASS_ABSENT ? 0 : ((b & CLASS_MIXED) !== 0 ? 1 : 0) | ((b & CLASS_HUGE) !== 0 ? 2 : 0);
}

const slotCounts = new Int32Array(SLOT_COUNT);

/**
 * tileByCell[c] = the tile to draw for cell c. Cost: one table-byte read per table in the
 * viewport, and a class count only for cells whose tables differ (uniform runs are the common case:
 * 1 TiB of tables aggregates in a few milliseconds).
 */
export function aggregateTiles(
  tableClass: Uint8Array,
  layout: MapLayout,
  /* out */ tileByCell: Uint8Array,
): void {
  const k = layout.tablesPerCell;
  const start = layout.tableSpaceStart;
  const end = start + layout.tableSpaceLength;
  const cells = layout.cells;
  if (k === 1) {
    for (let c = 0; c < cells; c++) tileByCell[c] = TILE_LUT[tableClass[start + c]!]!;
    return;
  }
  for (let c = 0, first = start; c < cells; c++, first += k) {
    const last = Math.min(first + k, end);
    const b0 = tableClass[first]!;
    let t = first + 1;
    while (t < last && tableClass[t] === b0) t++;
    if (t === last) {
      tileByCell[c] = TILE_LUT[b0]!;
      continue;
    }
    // The tables differ: the most common slot, mixed, huge if any table is.
    slotCounts.fill(0);
    let flags = 1;
    for (let u = first; u < last; u++) {
      const b = tableClass[u]!;
      slotCounts[SLOT_LUT[b]!]!++;
      flags |= FLAG_LUT[b]!;
    }
    let best = 0;
    for (let s = 1; s < SLOT_COUNT; s++) if (slotCounts[s]! > slotCounts[best]!) best = s;
    tileByCell[c] = best * 4 + flags;
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

/** Per cell 1 if any of its tables has it (per-table 1 or 2), else 0: aggregatePartial, clamped. */
export function aggregateAny(perTable: Uint8Array, layout: MapLayout, /* out */ byCell: Uint8Array): void {
  aggregatePartial(perTable, layout, byCell);
  for (let c = 0; c < layout.cells; c++) byCell[c] = byCell[c]! > 0 ? 1 : 0;
}

export interface ClassCounts {
  /** Tables per palette slot (classes.ts SLOT_KEYS order). */
  readonly bySlot: Float64Array;
  readonly mixed: number;
  readonly huge: number;
  /**
   * Of bySlot, the tables' worth of memory mapped by a huge PMD, per slot: in the "zero" slot these
   * are huge zero PMDs (x86_64 THP), which the legend counts apart from zeropage PTEs.
   */
  readonly hugeBySlot: Float64Array;
}

/**
 * Tables per slot over the whole mm (legend and tabular alternative), from the worker's histogram of
 * class bytes (MmSnapshot.classHistogram, 256 bins): O(256) per step, not O(tables).
 */
export function countClassesFromHistogram(histogram: Float64Array): ClassCounts {
  const bySlot = new Float64Array(SLOT_COUNT);
  const hugeBySlot = new Float64Array(SLOT_COUNT);
  let mixed = 0;
  let huge = 0;
  for (let b = 0; b < 256; b++) {
    const n = histogram[b]!;
    if (n === 0) continue;
    bySlot[slotOf(b)]! += n;
    if (b !== CLASS_ABSENT) {
      if (b & CLASS_MIXED) mixed += n;
      if (b & CLASS_HUGE) {
        huge += n;
        hugeBySlot[slotOf(b)]! += n;
      }
    }
  }
  return { bySlot, mixed, huge, hugeBySlot };
}
