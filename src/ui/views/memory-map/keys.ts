/**
 * What a key does on a focused memory map, in tableSpace: arrows move the selected table by one
 * cell or one row, Home and End go to the viewport's ends, Enter (or + or =) zooms in around the
 * selection, Escape (or −) zooms out. Pure; MapCanvas applies it.
 */
import type { MapLayout } from "./layout.ts";

export type MapKeyAction =
  | { readonly select: number }
  | { readonly zoom: "in" | "out"; readonly focusTable: number }
  | null;

export function mapKeyAction(layout: MapLayout, selectedTable: number | null, key: string): MapKeyAction {
  const k = layout.tablesPerCell;
  const start = layout.tableSpaceStart;
  const current = selectedTable ?? start;
  let next: number;
  switch (key) {
    case "ArrowLeft":
      next = current - k;
      break;
    case "ArrowRight":
      next = current + k;
      break;
    case "ArrowUp":
      next = current - k * layout.columns;
      break;
    case "ArrowDown":
      next = current + k * layout.columns;
      break;
    case "Home":
      next = start;
      break;
    case "End":
      next = start + layout.tableSpaceLength - 1;
      break;
    case "Enter":
    case "+":
    case "=":
      return { zoom: "in", focusTable: current };
    case "Escape":
    case "-":
      return { zoom: "out", focusTable: current };
    default:
      return null;
  }
  // Snap to the first table of the cell so repeated presses move cell by cell. With nothing
  // selected, the first key selects the viewport's first table.
  const snapped = next - ((((next - start) % k) + k) % k);
  return { select: Math.max(0, Math.min(layout.tableCount - 1, selectedTable === null ? current : snapped)) };
}
