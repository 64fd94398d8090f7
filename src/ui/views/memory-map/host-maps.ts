/**
 * The host maps' layout and words, pure: whether the source and destination maps stand side by
 * side and at what size, the scale line, a cell's tooltip, what the legend counts per class. The
 * drawing is MemoryMaps.tsx, MapLegend.tsx and MapTables.tsx.
 */
import type { MmSnapshot, RunInfo } from "../../../worker/api.ts";
import { formatBytesShort, formatInt } from "../../format.ts";
import type { ClassCounts } from "./aggregate.ts";
import { describeClass, SLOT_KEYS, SLOT_ZERO, type SlotNames } from "./classes.ts";
import {
  appMapLayout,
  computeLayout,
  MAP_GUTTER_CSS_PX,
  MAP_MAX_PITCH_CSS_PX,
  type MapLayout,
  type Viewport,
} from "./layout.ts";

export function mmLabel(name: string): string {
  return `${name} host`;
}

/** "one cell = 1 page table = 256 PTEs = 1 MiB" (or several tables when aggregated). */
export function scaleText(run: RunInfo, tablesPerCell: number): string {
  const g = run.geometry;
  const tables = tablesPerCell === 1 ? "1 page table" : `${formatInt(tablesPerCell)} page tables`;
  const ptes = tablesPerCell * g.ptesPerTable;
  return `One cell = ${tables} = ${formatInt(ptes)} PTEs (pages of 4 KiB) = ${formatBytesShort(tablesPerCell * g.tableSpanBytes)} of guest RAM`;
}

/** Gap between the source and destination maps when they stand side by side. */
const PAIR_GAP_CSS_PX = 16;
/** Narrowest map side by side: the gutter and 256 columns, so 100 GiB stays one table per cell. */
const PAIR_MIN_MAP_CSS_PX = MAP_GUTTER_CSS_PX + 256;
/**
 * Side by side, a map may be taller: the two no longer stack. Up to 420 CSS px (100 GiB at one
 * table per cell: 400 rows of 256), less on a short window, where everything above and below the
 * maps (header, panel heads, the dock, the transport bar: about 330 px) leaves less: a 1280 × 720
 * laptop shows both maps whole, two tables per cell, rather than cut off at the bottom.
 */
const PAIR_MAX_HEIGHT_CSS_PX = 420;
const PAIR_CHROME_CSS_PX = 330;

export function pairMaxHeight(windowCssPx: number): number {
  return Math.max(200, Math.min(PAIR_MAX_HEIGHT_CSS_PX, windowCssPx - PAIR_CHROME_CSS_PX));
}

/**
 * Whether the source and destination maps stand side by side: both visible at once, in the width
 * a single map's power-of-two rows would leave empty (512 columns of a 100 GiB map fill about 60 %
 * of a 1440 px desktop's centre; two maps of 256 columns fill most of it, at the same cell size).
 */
export function pairSideBySide(mmCount: number, paneCssPx: number): boolean {
  return mmCount === 2 && paneCssPx >= 2 * PAIR_MIN_MAP_CSS_PX + PAIR_GAP_CSS_PX;
}

/** Below this cell pitch (device px, where cells lose their gaps) the maps are dense enough to pair. */
const PAIR_BELOW_DEVICE_PX_PITCH = 4;

/**
 * The host maps' layout for the pane's width: one map per row, or two side by side. A small guest
 * whose stacked maps already have big cells keeps them (pairing would only halve its columns); a
 * big one, drawn in cells of a pixel or two, pairs.
 */
export function hostMapsLayout(
  tableCount: number,
  viewport: Viewport,
  paneCssPx: number,
  devicePixelRatio: number,
  mmCount: number,
  windowCssPx: number,
): { layout: MapLayout; pair: boolean } {
  const stacked = appMapLayout(tableCount, viewport, paneCssPx, devicePixelRatio, mmCount);
  if (!pairSideBySide(mmCount, paneCssPx) || stacked.devicePxPitch >= PAIR_BELOW_DEVICE_PX_PITCH)
    return { layout: stacked, pair: false };
  const layout = computeLayout({
    tableCount,
    tableSpaceStart: viewport.tableSpaceStart,
    tableSpaceLength: viewport.tableSpaceLength,
    cssPxWidth: Math.floor((paneCssPx - PAIR_GAP_CSS_PX) / 2),
    cssPxMaxHeight: pairMaxHeight(windowCssPx),
    cssPxGutter: MAP_GUTTER_CSS_PX,
    cssPxMaxPitch: MAP_MAX_PITCH_CSS_PX,
    devicePixelRatio,
  });
  return { layout, pair: true };
}

/** The tooltip of the cell covering tables [first, end) of an mm: where, what class, the balloon. */
export function describeHostCells(
  m: Pick<MmSnapshot, "name" | "balloon" | "tableClass">,
  tableSpanBytes: number,
  names: SlotNames,
  first: number,
  end: number,
): string {
  const range = `${formatBytesShort(first * tableSpanBytes)} – ${formatBytesShort(end * tableSpanBytes)}`;
  const balloon =
    m.balloon[first] === 2 ? "; all in the balloon" : m.balloon[first] === 1 ? "; partly in the balloon" : "";
  if (end - first === 1)
    return `${mmLabel(m.name)} · table ${formatInt(first)} · ${range} · ${describeClass(m.tableClass[first]!, names)}${balloon}`;
  return `${mmLabel(m.name)} · tables ${formatInt(first)}–${formatInt(end - 1)} · ${range}`;
}

/** The class counts per slot as the e2e tests read them (slot:tables, in SLOT_KEYS order). */
export function summaryAttr(c: ClassCounts): string {
  return SLOT_KEYS.map((k, i) => `${k}:${c.bySlot[i]}`).join(",");
}

/**
 * Tables of a slot the legend's row counts: the zeropage row counts what PTEs map, huge zero PMDs
 * have a row of their own (hugeZeroTables).
 */
export function legendTables(c: ClassCounts, slot: number): number {
  return c.bySlot[slot]! - (slot === SLOT_ZERO ? c.hugeBySlot[slot]! : 0);
}

/** Tables mapped by a huge PMD of the huge zero page. */
export function hugeZeroTables(c: ClassCounts): number {
  return c.hugeBySlot[SLOT_ZERO]!;
}

/** PTEs of the table per state (indexed by state value). */
export function pteStateCounts(states: ArrayLike<number>, stateCount: number): number[] {
  const out = new Array<number>(stateCount).fill(0);
  for (let i = 0; i < states.length; i++) {
    const s = states[i]!;
    out[s] = (out[s] ?? 0) + 1;
  }
  return out;
}
