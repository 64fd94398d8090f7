/**
 * One host's memory map at a key frame, as a small standalone SVG for the handout: the same cells
 * and colours as the export's view (export/view-svg.ts gridFor, cellSlots, runPaths), without the
 * card around it, so two hosts stand side by side on a printed page. Print-safe: the maps' light
 * palette (Okabe–Ito colours, distinct in greyscale by lightness), a white ground and a dark frame.
 */
import type { MmSnapshot } from "../../worker/api.ts";
import { cellSlots, gridFor, runPaths } from "../export/view-svg.ts";
import { SLOT_KEYS, type SlotKey } from "../views/memory-map/classes.ts";
import { MAP_COLOURS } from "../views/memory-map/colours.ts";

export const PRINT_SLOTS: Readonly<Record<SlotKey, string>> = Object.fromEntries(
  SLOT_KEYS.map((k) => [k, MAP_COLOURS.light[k]]),
) as Record<SlotKey, string>;

export interface FrameMap {
  readonly svg: string;
  readonly tablesPerCell: number;
  readonly columns: number;
  readonly rows: number;
}

/** The whole guest RAM of one mm as an SVG (one unit per cell; scaled by the page). */
export function frameMapSvg(m: Pick<MmSnapshot, "tableClass" | "tables">): FrameMap {
  const { columns, tablesPerCell, cells } = gridFor(m.tables);
  const rows = Math.max(1, Math.ceil(cells / columns));
  const slots = cellSlots(m.tableClass, 0, m.tables, tablesPerCell);
  const { d } = runPaths(slots, columns, 1, 0, 0);
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${columns} ${rows}" width="${columns}" height="${rows}" preserveAspectRatio="none" shape-rendering="crispEdges">`,
    `<rect width="${columns}" height="${rows}" fill="${PRINT_SLOTS.absent}"/>`,
  ];
  d.forEach((path, s) => {
    if (path && s !== 0) parts.push(`<path fill="${PRINT_SLOTS[SLOT_KEYS[s]!]}" d="${path}"/>`);
  });
  parts.push("</svg>");
  return { svg: parts.join(""), tablesPerCell, columns, rows };
}

/** The SVG as an image URL (img-src allows data: in the CSP). */
export function svgDataUrl(svg: string): string {
  return `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
}
