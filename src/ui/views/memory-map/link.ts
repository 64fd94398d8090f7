/**
 * View-local state shared by the memory maps, the balloon and the table detail: what the pointer
 * is over (so hovering a cell on one map rings the same table on the others) and whether the
 * balloon's pages are outlined on the host maps, and the maps' shared viewport (the balloon map
 * uses it too, so a cell sits at the same place on every map). The viewport reaches the URL as the
 * link's `zoom` and `at` (zoom.ts, useViewportInLink), the balloon highlight as `balloon`
 * (useBalloonHighlightInLink); the rest is view-local.
 */
import { useEffect } from "react";
import { create } from "zustand";
import type { RunInfo, ViewState } from "../../../worker/api.ts";
import { useLinkSync, useLinks } from "../../share/context.tsx";
import type { Viewport } from "./layout.ts";

export interface MapLinkState {
  /** The table under the pointer on any map, or null. */
  readonly hoverTable: number | null;
  /** Outline the tables holding ballooned guest pages on the host maps, at every step. */
  readonly showBalloon: boolean;
  /** Outline them at the balloon and migration steps (on unless the reader turns it off). */
  readonly balloonAuto: boolean;
  /** The tables every map shows; null for all of guest RAM. */
  readonly viewport: Viewport | null;
  /** The table detail follows the step: it shows the table the step touched last. */
  readonly followStep: boolean;
  setHover(table: number | null): void;
  setShowBalloon(show: boolean): void;
  setBalloonAuto(on: boolean): void;
  setViewport(viewport: Viewport | null): void;
  setFollowStep(follow: boolean): void;
}

export const useMapLink = create<MapLinkState>()((set) => ({
  hoverTable: null,
  showBalloon: false,
  balloonAuto: true,
  viewport: null,
  followStep: false,
  setHover(table) {
    set((s) => (s.hoverTable === table ? s : { hoverTable: table }));
  },
  setShowBalloon(show) {
    set({ showBalloon: show });
  },
  setBalloonAuto(balloonAuto) {
    set({ balloonAuto });
  },
  setViewport(viewport) {
    set({ viewport });
  },
  setFollowStep(followStep) {
    set({ followStep });
  },
}));

/**
 * Keeps "highlight the ballooned tables" and the link's `balloon` in step: a link (or Back and
 * Forward) sets the checkbox, the checkbox rewrites the link. Mounted once, by the host maps.
 */
export function useBalloonHighlightInLink(): void {
  const sync = useLinkSync();
  const linked = useLinks((s) => s.balloonHighlight);
  const shown = useMapLink((s) => s.showBalloon);
  // The link → the view.
  useEffect(() => {
    if (useMapLink.getState().showBalloon !== linked) useMapLink.getState().setShowBalloon(linked);
  }, [linked]);
  // The view → the link (the store is read: the effect above may have just set it).
  // biome-ignore lint/correctness/useExhaustiveDependencies: `shown` triggers; the store is read.
  useEffect(() => {
    sync?.setBalloonHighlight(useMapLink.getState().showBalloon);
  }, [sync, shown]);
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
  const explicit = useMapLink((s) => s.showBalloon);
  const auto = useMapLink((s) => s.balloonAuto);
  return explicit || (auto && isBalloonStep(run, view));
}
