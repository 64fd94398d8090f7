/**
 * The viewport slice: what the memory maps, the balloon map and the table detail share. The
 * tables every map shows (`viewport`, null for all of guest RAM, so a cell sits at the same place
 * on every map), the table under the pointer on any map (so hovering one map rings the same table
 * on the others), whether the ballooned tables are outlined, and whether the table detail follows
 * the step. The viewport reaches the link as its `zoom` and `at`, the balloon outline as
 * `balloon` (ui/views/memory-map/zoom.ts and map-view.ts keep them in step with the link status).
 */
import type { AppState } from "../store.ts";
import type { Kit } from "./kit.ts";

/** A run of page tables, the maps' unit: the first and how many. */
export interface MapViewport {
  readonly tableSpaceStart: number;
  readonly tableSpaceLength: number;
}

export interface MapViewState {
  /** The table under the pointer on any map, or null. */
  readonly hoverTable: number | null;
  /** Outline the tables holding ballooned guest pages on the host maps, at every step. */
  readonly showBalloon: boolean;
  /** Outline them at the balloon and migration steps (on unless the reader turns it off). */
  readonly balloonAuto: boolean;
  /** The tables every map shows; null for all of guest RAM. */
  readonly viewport: MapViewport | null;
  /** The table detail follows the step: it shows the table the step touched last. */
  readonly followStep: boolean;
  setHover(table: number | null): void;
  setShowBalloon(show: boolean): void;
  setBalloonAuto(on: boolean): void;
  setViewport(viewport: MapViewport | null): void;
  setFollowStep(follow: boolean): void;
}

export function mapViewSlice({ set }: Kit): MapViewState {
  return {
    hoverTable: null,
    showBalloon: false,
    balloonAuto: true,
    viewport: null,
    followStep: false,
    setHover(table) {
      set((s: AppState) => (s.hoverTable === table ? s : { hoverTable: table }));
    },
    setShowBalloon(showBalloon) {
      set({ showBalloon });
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
  };
}
