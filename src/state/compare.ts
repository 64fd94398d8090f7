/**
 * Compare mode: its state (the app store's `compare` slice, made in slices/compare.ts), the
 * divergence arithmetic the views and the slice share, and the link's side of it
 * (connectCompareLinks).
 *
 * The left side is the app's run: compare mode shows the app's scenario and kernel on the left,
 * and on the right `rightScenario` (or, when that is null, the same scenario) under
 * `rightKernel`: "compare fa41ba0d vs 06201e00" on one scenario, or any two scenarios. A link says
 * so with `compare=` and `cpreset`/`co`/`cs`.
 *
 * One cursor: `position` is an aligned position (compare/align.ts) at `granularity`. Seeking is
 * latest-wins (latest.ts). Each view that answers moves the app to its left side (its step,
 * granularity and selection) in the same update, so that the link and the single view stay where
 * the compare view is; opening compare mode starts from the app's position.
 */
import type { StoreApi } from "zustand/vanilla";
import { jsonEqual, toJson } from "../permalink/index.ts";
import type {
  CompareInfo,
  Divergence,
  Granularity,
  PairDiff,
  PairViewState,
  PresetInfo,
  RunInfo,
  Selection,
  VariantId,
} from "../worker/api.ts";
import { type LinkCompare, type RightScenario, sameRight } from "./link-state.ts";
import type { LinkSync } from "./link-sync.ts";
import type { AppStore } from "./store.ts";

export type { RightScenario } from "./link-state.ts";

export type CompareCounter = "rssAnonBytes" | "vmPteBytes" | "hostMemBytes" | "zeropagePtes" | "anonPages";

export interface CompareState {
  /** The variant on the right; null: compare mode is off. */
  readonly rightKernel: VariantId | null;
  /** The scenario on the right; null: the left's (the app's), following it when it changes. */
  readonly rightScenario: RightScenario | null;
  readonly status: "off" | "loading" | "ready" | "error";
  readonly error: string | null;
  readonly left: RunInfo | null;
  readonly right: RunInfo | null;
  readonly info: CompareInfo | null;
  readonly granularity: Granularity;
  /** Aligned position (the target; `view.position` is what is shown). */
  readonly position: number;
  readonly view: PairViewState | null;
  /**
   * The diff map, fetched after each view is on screen (so stepping shows both sides first); it may
   * lag the view by a step while stepping fast. Null when the diff map is off.
   */
  readonly diff: PairDiff | null;
  readonly selection: Selection | null;
  /** Highlight the tables that differ between the sides on the memory maps. */
  readonly diffMap: boolean;
  readonly chartCounter: CompareCounter;

  /**
   * Turns compare mode on against `kernel` (or off with null), with `right` on the right (null:
   * the left's scenario), at aligned position `at` (a link's `cstep`; null: where the app is).
   */
  open(kernel: VariantId | null, right?: RightScenario | null, at?: number | null): Promise<void>;
  /**
   * Recomputes the comparison for the app's current run, keeping the right side and a position a
   * link asked for (place()). The app store's changes call it; the UI does not need to.
   */
  refresh(): Promise<void>;
  /**
   * A link's shared position for the comparison on screen or the next one: seeks to it now if the
   * comparison is ready, and the next recomputation starts there (null: where the app is).
   */
  place(position: number | null): void;
  close(): void;
  seek(position: number): void;
  stepBy(delta: number): void;
  setGranularity(granularity: Granularity): Promise<void>;
  select(selection: Selection | null): void;
  /**
   * Moves the cursor onto a divergence by index (at divergenceGranularity(): page table when
   * stepping by action) and, with the diff map on, selects the first page table that differs there
   * on the divergence's mm.
   */
  goToDivergence(index: number): Promise<void>;
  /** The next (+1) or previous (-1) divergence from the current position; false if none. */
  stepDivergence(direction: 1 | -1): boolean;
  setDiffMap(on: boolean): void;
  setChartCounter(c: CompareCounter): void;
  /** True when compare mode is off, or shows `position` with nothing in flight. */
  isIdle(): boolean;
}

/** The compare slice, read as a store (compareOf). */
export type CompareStore = Pick<StoreApi<CompareState>, "getState" | "getInitialState" | "subscribe">;

/**
 * The granularity at which the cursor stands on a divergence. A divergence is one step inside an
 * action, and at "action" granularity the cursor stands only between actions (the commit's story
 * holds all 96 of its divergences in action 4, whose end is the end of the run): there, going to a
 * divergence steps by page table instead, so that the maps and the LEFT/RIGHT lines show the step
 * where the runs part. Finer granularities stand on it as they are.
 */
export function divergenceGranularity(granularity: Granularity): Granularity {
  return granularity === "action" ? "table" : granularity;
}

/**
 * Whether divergence `d` lies after (`1`) or before (`-1`) the cursor at `position` (at
 * `granularity`), or neither (0: the cursor stands on it). At "action" granularity a divergence
 * inside action a (0-based) lies between the boundaries a and a + 1: after the cursor at
 * boundaries 0 … a, before it at a + 1 and later.
 */
export function divergenceSide(d: Divergence, granularity: Granularity, position: number): 1 | -1 | 0 {
  if (granularity === "action") return d.action >= position ? 1 : -1;
  const p = d.positions[granularity];
  return p > position ? 1 : p < position ? -1 : 0;
}

/** The divergence index to go to from `position` (at `granularity`), or -1. */
export function divergenceFrom(
  info: CompareInfo,
  granularity: Granularity,
  position: number,
  direction: 1 | -1,
): number {
  const list = info.divergences;
  if (direction > 0) {
    for (const d of list) if (divergenceSide(d, granularity, position) > 0) return d.index;
    return -1;
  }
  for (let i = list.length - 1; i >= 0; i--)
    if (divergenceSide(list[i]!, granularity, position) < 0) return i;
  return -1;
}

/**
 * Compare mode as a store of its own for the views and the link: a read-only lens on the app
 * store's compare slice (its updates are the app store's; there is no second store to keep in
 * step). useStore() reads it like any store.
 */
export function compareOf(app: AppStore): CompareStore {
  return {
    getState: () => app.getState().compare,
    getInitialState: () => app.getInitialState().compare,
    subscribe: (listener) =>
      app.subscribe((s, prev) => {
        if (s.compare !== prev.compare) listener(s.compare, prev.compare);
      }),
  };
}

/**
 * Keeps compare mode and the link (link-sync.ts `links.compare`) in step. A link or a popstate that
 * names a comparison opens it (at its shared position), one without closes it, and one with the
 * same sides moves the shared cursor to its position. The other way, opening, changing or leaving
 * compare mode writes the link (a history entry), the shared position replaces it like stepping,
 * and each ready comparison's right run is checked against the link's `ch`. Returns the
 * unsubscribe function.
 */
export function connectCompareLinks(
  cmp: CompareStore,
  sync: Pick<LinkSync, "links" | "setCompare" | "setComparePosition" | "compareReady">,
): () => void {
  const apply = (c: LinkCompare | null) => {
    const s = cmp.getState();
    if (!c) {
      if (s.rightKernel !== null) s.close();
      return;
    }
    if (s.rightKernel !== c.kernel || !sameRight(s.rightScenario, c.right)) {
      void s.open(c.kernel, c.right, c.position);
      return;
    }
    s.place(c.position);
    if (s.status === "ready" && s.right) sync.compareReady(s.right);
  };
  apply(sync.links.getState().compare);
  const offLinks = sync.links.subscribe((l, prev) => {
    if (l.compare !== prev.compare) apply(l.compare);
  });
  const offCompare = cmp.subscribe((s, prev) => {
    if (s.rightKernel !== prev.rightKernel || s.rightScenario !== prev.rightScenario) {
      const c = sync.links.getState().compare;
      const same =
        s.rightKernel === null
          ? c === null
          : c?.kernel === s.rightKernel && sameRight(c.right, s.rightScenario);
      if (!same) sync.setCompare(s.rightKernel, s.rightScenario);
    }
    if (s.status !== "ready" || !s.info) return;
    if (s.info !== prev.info && s.right) sync.compareReady(s.right);
    if (s.info !== prev.info || s.position !== prev.position) sync.setComparePosition(s.position);
  });
  return () => {
    offLinks();
    offCompare();
  };
}

/**
 * The compare view's choice for the right-hand scenario: "same" (the left's, following it), a
 * shipped preset as it is ("preset:<id>"), or "custom" (an edited or imported scenario).
 */
export function rightChoiceOf(right: RightScenario | null, presets: readonly PresetInfo[]): string {
  if (!right) return "same";
  const p = right.presetId ? presets.find((x) => x.id === right.presetId) : undefined;
  return p && jsonEqual(toJson(p.scenario), toJson(right.scenario)) ? `preset:${p.id}` : "custom";
}

/** Presets whose gallery card offers a comparison: [left, right] variants. */
export const COMPARE_PRESETS: Readonly<Record<string, readonly [VariantId, VariantId]>> = {
  "commit-06201e00": ["s390-fa41ba0d", "s390-06201e00"],
};

// Formatting of compare results for the views (ui/ reaches compare/ only through state/).
export {
  formatDeltaTable,
  formatDiff,
  formatPct,
  formatValue,
  selectRows,
} from "../compare/index.ts";
