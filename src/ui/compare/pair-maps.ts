/**
 * What compare mode's maps show, pure: the hosts of both runs, the shared zoom as a share of guest
 * RAM and each side's layout from it, where a zoom goes, a cell's tooltip, the diff map's counts.
 * PairMaps.tsx draws it.
 */
import type { MmDiff, PairViewState, TableGeometry } from "../../worker/api.ts";
import { formatBytesShort, formatInt } from "../format.ts";
import { describeClass, type SlotNames } from "../views/memory-map/classes.ts";
import {
  appMapLayout,
  clampViewport,
  type MapLayout,
  type Viewport,
  wholeViewport,
  zoomIn,
  zoomOfViewport,
  zoomOut,
} from "../views/memory-map/layout.ts";

export const SIDE_NAMES = ["left", "right"] as const;

/** The shared zoom: a window of guest RAM as fractions [start, start + length) of it. */
export interface RamWindow {
  readonly start: number;
  readonly length: number;
}

export const WHOLE_RAM: RamWindow = { start: 0, length: 1 };

/** Every host either run has, in the order they first appear (left first). */
export function hostNames(view: PairViewState): string[] {
  const names: string[] = [];
  for (const side of view.sides) for (const m of side.mms) if (!names.includes(m.name)) names.push(m.name);
  return names;
}

/** A viewport in `tables` page tables as a share of guest RAM (the whole of it for none). */
export function windowOf(viewport: Viewport | null, tables: number): RamWindow {
  return viewport && tables > 0
    ? { start: viewport.tableSpaceStart / tables, length: viewport.tableSpaceLength / tables }
    : WHOLE_RAM;
}

/** Each side's layout over the same share of its guest RAM, `cssPxWidth` wide. */
export function sideLayouts(
  tables: readonly number[],
  win: RamWindow,
  cssPxWidth: number,
  devicePixelRatio: number,
  mmCount: number,
): MapLayout[] {
  return tables.map((n) => {
    const start = Math.floor(win.start * n);
    const length = Math.max(1, Math.min(n - start, Math.round(win.length * n)));
    return appMapLayout(
      n,
      { tableSpaceStart: start, tableSpaceLength: length },
      cssPxWidth,
      devicePixelRatio,
      mmCount,
    );
  });
}

/**
 * The link's zoom after zooming in or out of `viewport` (null: the whole RAM) of the left run's
 * `tables`, around the selected table when the left run has it, else the viewport's middle. A
 * zoom of null is the whole RAM.
 */
export function zoomStep(
  tables: number,
  viewport: Viewport | null,
  selectedTable: number | null,
  direction: "in" | "out",
): { zoom: number | null; start: number | null } {
  const v = viewport ?? wholeViewport(tables);
  const focus =
    selectedTable !== null && selectedTable < tables
      ? selectedTable
      : v.tableSpaceStart + (v.tableSpaceLength >> 1);
  const next = clampViewport(
    tables,
    direction === "in" ? zoomIn(tables, v, focus) : zoomOut(tables, v, focus),
  );
  const zoom = zoomOfViewport(tables, next);
  return { zoom, start: zoom === null ? null : next.tableSpaceStart };
}

/** One side's diff cells for a host, or null when the diff has none. */
export function diffOf(diff: readonly MmDiff[] | null, mm: string, side: 0 | 1): Uint8Array | null {
  const d = diff?.find((x) => x.name === mm);
  if (!d) return null;
  return side === 0 ? d.left : d.right;
}

/** The tooltip of a cell covering tables [first, end) of one side's host. */
export function describePairCells(
  side: 0 | 1,
  mm: string,
  geometry: Pick<TableGeometry, "tableSpanBytes">,
  tableClass: Uint8Array,
  names: SlotNames,
  first: number,
  end: number,
): string {
  const where = `${SIDE_NAMES[side]} · ${mm}`;
  if (end - first === 1)
    return `${where} · table ${formatInt(first)} · ${formatBytesShort(first * geometry.tableSpanBytes)} · ${describeClass(tableClass[first]!, names)}`;
  return `${where} · tables ${formatInt(first)}–${formatInt(end - 1)}`;
}

/** "12 page tables differ (14 on the right)", or "–" counts when the diff has no such host. */
export function diffCountText(d: MmDiff | undefined): string {
  const n = d ? formatInt(d.differingLeft) : "–";
  const noun = d?.differingLeft === 1 ? "table differs" : "tables differ";
  const right =
    d && d.differingRight !== d.differingLeft ? ` (${formatInt(d.differingRight)} on the right)` : "";
  return `${n} page ${noun}${right}`;
}
