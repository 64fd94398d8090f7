/**
 * Zooming the maps' shared viewport (link.ts) one step in or out around a table. Returns "deepest"
 * when the maps cannot magnify further: the caller then moves on to the table's own PTEs.
 */
import { clampViewport, type MapLayout, MIN_ZOOM_TABLES, wholeViewport, zoomIn, zoomOut } from "./layout.ts";
import { useMapLink } from "./link.ts";

/** Cells at least this big (CSS px) are as large as the maps get. */
const DEEPEST_PITCH_CSS_PX = 14;

export function zoomMaps(
  direction: "in" | "out",
  focusTable: number,
  tableCount: number,
  layout: MapLayout,
): "zoomed" | "deepest" | "whole" {
  const link = useMapLink.getState();
  const v = clampViewport(tableCount, link.viewport ?? wholeViewport(tableCount));
  if (direction === "out") {
    const next = zoomOut(tableCount, v, focusTable);
    link.setViewport(next.tableSpaceLength >= tableCount ? null : next);
    return next.tableSpaceLength >= tableCount ? "whole" : "zoomed";
  }
  const pitchCss = layout.devicePxPitch / layout.devicePixelRatio;
  if (v.tableSpaceLength <= MIN_ZOOM_TABLES || pitchCss >= DEEPEST_PITCH_CSS_PX) return "deepest";
  link.setViewport(zoomIn(tableCount, v, focusTable));
  return "zoomed";
}

/** Moves the keyboard focus to the PTE grid of the table detail (after React has rendered it). */
export function focusPteGrid(): void {
  requestAnimationFrame(() => requestAnimationFrame(() => document.getElementById("pte-grid")?.focus()));
}
