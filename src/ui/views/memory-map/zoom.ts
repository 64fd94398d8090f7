/**
 * Zooming the maps' shared viewport (the app store's viewport slice) one step in or out around a table. Returns "deepest"
 * when the maps cannot magnify further: the caller then moves on to the table's own PTEs. And
 * keeping that viewport in the link (useViewportInLink).
 */
import { useEffect } from "react";
import type { AppState } from "../../../state/store.ts";
import { useLinkSync, useLinks } from "../../share/context.tsx";
import { useApp, useAppStore } from "../../store-context.tsx";
import {
  clampViewport,
  type MapLayout,
  MIN_ZOOM_TABLES,
  type Viewport,
  viewportOfZoom,
  wholeViewport,
  zoomIn,
  zoomOfViewport,
  zoomOut,
} from "./layout.ts";

/** Cells at least this big (CSS px) are as large as the maps get. */
const DEEPEST_PITCH_CSS_PX = 14;

export function zoomMaps(
  maps: Pick<AppState, "viewport" | "setViewport">,
  direction: "in" | "out",
  focusTable: number,
  tableCount: number,
  layout: MapLayout,
): "zoomed" | "deepest" | "whole" {
  const v = clampViewport(tableCount, maps.viewport ?? wholeViewport(tableCount));
  if (direction === "out") {
    const next = zoomOut(tableCount, v, focusTable);
    maps.setViewport(next.tableSpaceLength >= tableCount ? null : next);
    return next.tableSpaceLength >= tableCount ? "whole" : "zoomed";
  }
  const pitchCss = layout.devicePxPitch / layout.devicePixelRatio;
  if (v.tableSpaceLength <= MIN_ZOOM_TABLES || pitchCss >= DEEPEST_PITCH_CSS_PX) return "deepest";
  maps.setViewport(zoomIn(tableCount, v, focusTable));
  return "zoomed";
}

/** Moves the keyboard focus to the PTE grid of the table detail (after React has rendered it). */
export function focusPteGrid(): void {
  requestAnimationFrame(() => requestAnimationFrame(() => document.getElementById("pte-grid")?.focus()));
}

/** The viewport a link names: its zoom factor, at its first table or around `focusTable`. */
export function viewportOfLink(
  tableCount: number,
  zoom: number | null,
  viewStart: number | null,
  focusTable: number,
): Viewport | null {
  const placed = viewportOfZoom(tableCount, zoom, focusTable);
  if (!placed || viewStart === null) return placed;
  return clampViewport(tableCount, { tableSpaceStart: viewStart, tableSpaceLength: placed.tableSpaceLength });
}

function sameViewport(a: Viewport | null, b: Viewport | null): boolean {
  if (a === null || b === null) return a === b;
  return a.tableSpaceStart === b.tableSpaceStart && a.tableSpaceLength === b.tableSpaceLength;
}

/**
 * Keeps the maps' shared viewport and the link's `zoom` and `at` in step. A new run opens where
 * the link says (the whole RAM after a load the user started: the URL sync clears the zoom then);
 * Back and Forward to an entry with another zoom move the maps; every zoom and pan rewrites the
 * link (replaceState, like stepping). Mounted once, by the host maps.
 */
export function useViewportInLink(tableCount: number, runId: number, focusTable: number | null): void {
  const store = useAppStore();
  const sync = useLinkSync();
  const zoom = useLinks((s) => s.zoom);
  const viewStart = useLinks((s) => s.viewStart);
  const viewport = useApp((s) => s.viewport);
  // The link → the maps. The focus only places a link without `at`; moving the selection later
  // pans on its own (MemoryMaps), so it is read here but does not re-run this.
  // biome-ignore lint/correctness/useExhaustiveDependencies: focusTable places, it does not trigger.
  useEffect(() => {
    if (runId < 0 || tableCount === 0) return;
    const want = viewportOfLink(tableCount, zoom, viewStart, focusTable ?? 0);
    const maps = store.getState();
    if (!sameViewport(maps.viewport, want)) maps.setViewport(want);
  }, [store, runId, tableCount, zoom, viewStart]);
  // The maps → the link. Reads the store, not the render's value: the effect above may have just
  // placed the viewport in this same commit.
  // biome-ignore lint/correctness/useExhaustiveDependencies: viewport triggers; the store is read.
  useEffect(() => {
    if (!sync || runId < 0 || tableCount === 0) return;
    const v = store.getState().viewport;
    const z = zoomOfViewport(tableCount, v);
    sync.setZoom(z, z === null || !v ? null : clampViewport(tableCount, v).tableSpaceStart);
  }, [store, sync, runId, tableCount, viewport]);
}
