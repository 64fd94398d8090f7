/**
 * The maps' shared view state lives in the app store's viewport slice (state/slices/map-view.ts):
 * the viewport, the table under the pointer, the balloon outline, the table detail following the
 * step. This module keeps the balloon outline and the link's `balloon` in step, and says when the
 * maps outline the ballooned range. The viewport and the link's `zoom` and `at`: zoom.ts.
 */
import { useEffect } from "react";
import type { RunInfo, ViewState } from "../../../worker/api.ts";
import { useLinkSync, useLinks } from "../../share/context.tsx";
import { useApp, useAppStore } from "../../store-context.tsx";

/**
 * Keeps "highlight the ballooned tables" and the link's `balloon` in step: a link (or Back and
 * Forward) sets the checkbox, the checkbox rewrites the link. Mounted once, by the host maps.
 */
export function useBalloonHighlightInLink(): void {
  const store = useAppStore();
  const sync = useLinkSync();
  const linked = useLinks((s) => s.balloonHighlight);
  const shown = useApp((s) => s.showBalloon);
  // The link → the view.
  useEffect(() => {
    if (store.getState().showBalloon !== linked) store.getState().setShowBalloon(linked);
  }, [store, linked]);
  // The view → the link (the store is read: the effect above may have just set it).
  // biome-ignore lint/correctness/useExhaustiveDependencies: `shown` triggers; the store is read.
  useEffect(() => {
    sync?.setBalloonHighlight(store.getState().showBalloon);
  }, [store, sync, shown]);
}

/** Actions (by their timeline marker) at whose steps the ballooned range is outlined by default. */
export const BALLOON_STEP_MARKERS: readonly string[] = [
  "inflate",
  "deflate",
  "migration-start",
  "switchover",
  "migration-end",
];

/** The step belongs to a balloon or migration action and some guest page is in the balloon. */
export function isBalloonStep(
  run: Pick<RunInfo, "trace"> | null,
  view: Pick<ViewState, "action" | "mms"> | null,
): boolean {
  if (!run || !view || view.action < 0) return false;
  if (!BALLOON_STEP_MARKERS.includes(run.trace.actions[view.action]?.marker ?? "")) return false;
  return view.mms.some((m) => m.balloonParts[1] + m.balloonParts[2] > 0);
}

/** Whether the maps outline the ballooned range now: asked for, or by default at a balloon or migration step. */
export function useBalloonOutlined(
  run: Pick<RunInfo, "trace"> | null,
  view: Pick<ViewState, "action" | "mms"> | null,
): boolean {
  const explicit = useApp((s) => s.showBalloon);
  const auto = useApp((s) => s.balloonAuto);
  return explicit || (auto && isBalloonStep(run, view));
}
