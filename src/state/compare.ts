/**
 * Compare mode's state (zustand), a slice beside the app store: the right-hand run, the
 * comparison the worker computed, the shared aligned cursor, the shared selection, and the
 * compare view's own options (diff map, charted counter).
 *
 * The left side is the app store's run: compare mode shows the app's scenario and kernel on the
 * left, and on the right `rightScenario` (or, when that is null, the same scenario) under
 * `rightKernel`: "compare fa41ba0d vs 06201e00" on one scenario, or any two scenarios. A link says
 * so with `compare=` and `cpreset`/`co`/`cs`. When the app loads another scenario or kernel, the
 * comparison is recomputed: a right side that follows the left reloads, a chosen right-hand
 * scenario stays (its run is reused when nothing about it changed).
 *
 * One cursor: `position` is an aligned position (compare/align.ts) at `granularity`. Seeking is
 * latest-wins, as in the app store. Each answer is mirrored into the app store (its granularity,
 * its position = the left side's own position, its selection), so that the link and the single
 * view stay where the compare view is; opening compare mode starts from the app's position.
 *
 * Created with the same engine API as the app store, and the app store itself.
 */
import { createStore, type StoreApi } from "zustand/vanilla";
import { jsonEqual, toJson } from "../permalink/index.ts";
import type {
  CompareInfo,
  Divergence,
  EngineApi,
  Granularity,
  PairDiff,
  PairViewState,
  PresetInfo,
  RunInfo,
  Selection,
  VariantId,
} from "../worker/api.ts";
import { type LatestWins, latestWins } from "./latest.ts";
import { type LinkCompare, type RightScenario, sameRight } from "./link-state.ts";
import type { LinkSync } from "./link-sync.ts";
import type { AppState, AppStore } from "./store.ts";

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
  setGranularity(g: Granularity): Promise<void>;
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

export type CompareStore = StoreApi<CompareState>;

/**
 * The granularity at which the cursor stands on a divergence. A divergence is one step inside an
 * action, and at "action" granularity the cursor stands only between actions (the commit's story
 * holds all 96 of its divergences in action 4, whose end is the end of the run): there, going to a
 * divergence steps by page table instead, so that the maps and the LEFT/RIGHT lines show the step
 * where the runs part. Finer granularities stand on it as they are.
 */
export function divergenceGranularity(g: Granularity): Granularity {
  return g === "action" ? "table" : g;
}

/**
 * Whether divergence `d` lies after (`1`) or before (`-1`) the cursor at `position` (granularity
 * g), or neither (0: the cursor stands on it). At "action" granularity a divergence inside action
 * a (0-based) lies between the boundaries a and a + 1: after the cursor at boundaries 0 … a,
 * before it at a + 1 and later.
 */
export function divergenceSide(d: Divergence, g: Granularity, position: number): 1 | -1 | 0 {
  if (g === "action") return d.action >= position ? 1 : -1;
  const p = d.positions[g];
  return p > position ? 1 : p < position ? -1 : 0;
}

/** The divergence index to go to from `position` (granularity g), or -1. */
export function divergenceFrom(
  info: CompareInfo,
  g: Granularity,
  position: number,
  direction: 1 | -1,
): number {
  const list = info.divergences;
  if (direction > 0) {
    for (const d of list) if (divergenceSide(d, g, position) > 0) return d.index;
    return -1;
  }
  for (let i = list.length - 1; i >= 0; i--) if (divergenceSide(list[i]!, g, position) < 0) return i;
  return -1;
}

export function createCompareStore(api: EngineApi, app: AppStore): CompareStore {
  let openSeq = 0;
  /** A link's aligned position for the next comparison (place()); consumed when it is ready. */
  let linkAt: number | null = null;
  /** The right run, kept across recomputations while its scenario and kernel stay the same. */
  let kept: { run: RunInfo; kernel: VariantId; scenario: unknown } | null = null;
  /** Mirroring into the app store: its own changes then are ours, not the user's. */
  let mirroring = false;

  const store = createStore<CompareState>()((set, get) => {
    const releaseCompare = (s: CompareState) => {
      if (s.info) void api.releaseCompare(s.info.compareId).catch(() => {});
    };
    const releaseKept = () => {
      if (kept) void api.release(kept.run.runId).catch(() => {});
      kept = null;
    };
    /** The right run for `scenario` under `kernel`: the kept one if it is that, else a new load. */
    const rightRun = async (
      scenario: unknown,
      kernel: VariantId,
    ): Promise<{ ok: true; run: RunInfo } | { ok: false; why: string }> => {
      if (kept && kept.kernel === kernel && kept.scenario === scenario) return { ok: true, run: kept.run };
      const r = await api.load({ scenario, kernel });
      if (!r.ok)
        return {
          ok: false,
          why: r.issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join("; "),
        };
      return { ok: true, run: r.run };
    };

    const mirror = (v: PairViewState) => {
      const a = app.getState();
      if (!a.run || a.run.runId !== get().left?.runId) return;
      mirroring = true;
      try {
        if (a.granularity === v.granularity && a.position !== v.sidePositions[0]) a.seek(v.sidePositions[0]);
        const sel = get().selection;
        const cur = a.selection;
        if (sel ? !cur || cur.mm !== sel.mm || cur.table !== sel.table : cur !== null) a.select(sel);
      } finally {
        mirroring = false;
      }
    };

    /** The diff map at an aligned position, after its views are on screen. */
    const diffs: LatestWins<number> = latestWins(async (position) => {
      const s = get();
      if (!s.info || !s.diffMap) return;
      const compareId = s.info.compareId;
      try {
        const diff = await api.diffPair(compareId, s.granularity, position);
        if (get().info?.compareId === compareId && diff.granularity === get().granularity) {
          set({ diff });
          selectDiffering(diff);
        }
      } catch (e) {
        if (get().info?.compareId === compareId)
          set({ error: `the engine could not compare this step: ${String(e)}` });
      }
    });

    /** After a jump to a divergence: the mm whose first differing table gets selected, and where. */
    let selectOn: { mm: string; position: number } | null = null;
    const selectDiffering = (d: PairDiff) => {
      const want = selectOn;
      if (!want || d.position !== want.position) return;
      selectOn = null;
      const cells = d.diff.find((m) => m.name === want.mm)?.left;
      const mm = get().left?.trace.mmNames.indexOf(want.mm) ?? -1;
      if (!cells || mm < 0) return;
      const table = cells.findIndex((c) => c !== 0);
      if (table >= 0) get().select({ mm, table });
    };

    /** Both sides' views at an aligned position (the answer moves the cursor only if nothing newer waits). */
    const views: LatestWins<number> = latestWins(async (position) => {
      const s = get();
      if (!s.info) return;
      const compareId = s.info.compareId;
      try {
        const view = await api.viewPair({
          compareId,
          granularity: s.granularity,
          position,
          selection: s.selection,
          diff: false,
        });
        if (get().info?.compareId === compareId && view.granularity === get().granularity) {
          set(views.waiting() ? { view } : { view, position: view.position });
          mirror(view);
          if (get().diffMap) void diffs.ask(view.position);
        }
      } catch (e) {
        if (get().info?.compareId === compareId)
          set({ error: `the engine could not show this step: ${String(e)}` });
      }
    });

    /** The app's run, once it is ready (or null if it fails or compare mode is left first). */
    const appRun = (seq: number): Promise<RunInfo | null> =>
      new Promise((resolve) => {
        const check = (a: AppState): boolean => {
          const done = seq !== openSeq || a.status === "error" || (a.status === "ready" && a.run !== null);
          if (done) resolve(seq === openSeq && a.status === "ready" ? a.run : null);
          return done;
        };
        if (check(app.getState())) return;
        const unsub = app.subscribe((a) => {
          if (check(a)) unsub();
        });
      });

    const start = async (kernel: VariantId, right: RightScenario | null) => {
      const seq = ++openSeq;
      releaseCompare(get());
      set({
        rightKernel: kernel,
        rightScenario: right,
        status: "loading",
        error: null,
        info: null,
        right: null,
        view: null,
        diff: null,
      });
      const left = await appRun(seq);
      if (seq !== openSeq) return;
      if (!left) {
        set({ status: "error", error: "the left run is not ready (see the scenario's problems)" });
        return;
      }
      const scenario = right ? right.scenario : app.getState().scenario;
      try {
        const r = await rightRun(scenario, kernel);
        if (seq !== openSeq) {
          if (r.ok && r.run !== kept?.run) void api.release(r.run.runId);
          return;
        }
        if (!r.ok) {
          const what = right ? "the right-hand scenario" : "this scenario";
          set({ status: "error", error: `${what} cannot run under ${kernel}: ${r.why}` });
          return;
        }
        if (r.run !== kept?.run) {
          releaseKept();
          kept = { run: r.run, kernel, scenario };
        }
        const info = await api.compare({ left: left.runId, right: r.run.runId });
        if (seq !== openSeq) {
          void api.releaseCompare(info.compareId);
          return;
        }
        const g = app.getState().granularity;
        // A link's shared position wins: the app's left position alone may stand for several.
        const at = linkAt;
        const position =
          at !== null
            ? Math.max(0, Math.min(Math.round(at), info.counts[g]))
            : await api.alignedOf(info.compareId, 0, g, app.getState().position);
        if (seq !== openSeq) return;
        linkAt = null;
        set({
          status: "ready",
          left,
          right: r.run,
          info,
          granularity: g,
          position,
          selection: app.getState().selection,
        });
        await views.ask(position);
      } catch (e) {
        if (seq === openSeq) set({ status: "error", error: `the engine failed: ${String(e)}` });
      }
    };

    return {
      rightKernel: null,
      rightScenario: null,
      status: "off",
      error: null,
      left: null,
      right: null,
      info: null,
      granularity: app.getState().granularity,
      position: 0,
      view: null,
      diff: null,
      selection: null,
      diffMap: true,
      chartCounter: "rssAnonBytes",

      async open(kernel, right = null, at = null) {
        if (kernel === null) {
          get().close();
          return;
        }
        linkAt = at;
        await start(kernel, right);
      },

      async refresh() {
        const s = get();
        if (s.rightKernel) await start(s.rightKernel, s.rightScenario);
      },

      place(position) {
        linkAt = position;
        const s = get();
        if (position === null || s.status !== "ready" || !s.info || position === s.position) return;
        get().seek(position);
        linkAt = position;
      },

      close() {
        openSeq++;
        releaseCompare(get());
        releaseKept();
        views.drop();
        linkAt = null;
        set({
          rightKernel: null,
          rightScenario: null,
          status: "off",
          error: null,
          left: null,
          right: null,
          info: null,
          view: null,
        });
      },

      seek(position) {
        const s = get();
        if (!s.info) return;
        linkAt = null;
        const p = Math.max(0, Math.min(Math.round(position), s.info.counts[s.granularity]));
        set({ position: p });
        void views.ask(p);
      },

      stepBy(delta) {
        get().seek(get().position + delta);
      },

      async setGranularity(g) {
        const s = get();
        if (!s.info || g === s.granularity) {
          set({ granularity: g });
          return;
        }
        const position = await api.convertPair(s.info.compareId, s.granularity, s.position, g);
        set({ granularity: g, position });
        mirroring = true;
        try {
          await app.getState().setGranularity(g);
        } finally {
          mirroring = false;
        }
        await views.ask(position);
      },

      select(selection) {
        set({ selection });
        void views.ask(get().position);
      },

      async goToDivergence(index) {
        const s = get();
        const info = s.info;
        const d = info?.divergences[index];
        if (!info || !d) return;
        const g = divergenceGranularity(s.granularity);
        const p = Math.max(0, Math.min(d.positions[g], info.counts[g]));
        // Select the page table where the difference is, once the diff map shows it.
        selectOn = d.mm && s.diffMap ? { mm: d.mm, position: p } : null;
        if (g === s.granularity) {
          get().seek(p);
          return;
        }
        // A finer granularity, straight at the divergence's position (no conversion of the old
        // one). The app changes granularity first, so that the view's answer can mirror the left
        // side's position into it.
        linkAt = null;
        set({ granularity: g, position: p });
        mirroring = true;
        try {
          await app.getState().setGranularity(g);
        } finally {
          mirroring = false;
        }
        if (get().info !== info || get().granularity !== g) return;
        await views.ask(get().position);
      },

      stepDivergence(direction) {
        const s = get();
        if (!s.info) return false;
        const i = divergenceFrom(s.info, s.granularity, s.position, direction);
        if (i < 0) return false;
        void get().goToDivergence(i);
        return true;
      },

      setDiffMap(on) {
        set({ diffMap: on, diff: null });
        const v = get().view;
        if (on && v) void diffs.ask(v.position);
      },

      setChartCounter(c) {
        set({ chartCounter: c });
      },

      isIdle() {
        const s = get();
        if (s.status === "off" || s.status === "error") return true;
        const shown = s.status === "ready" && views.idle() && s.view?.position === s.position;
        if (!shown || !s.diffMap) return shown;
        return diffs.idle() && s.diff?.position === s.position;
      },
    };
  });

  /** The app moved by itself (its keys, its controls, a link): the shared cursor follows its left. */
  let followSeq = 0;
  const follow = async (a: AppState) => {
    const s = store.getState();
    if (s.status !== "ready" || !s.info || a.run?.runId !== s.left?.runId) return;
    const seq = ++followSeq;
    if (a.granularity !== s.granularity) {
      await store.getState().setGranularity(a.granularity);
      return;
    }
    // Keep a shared position whose left side is already where the app is (a link's cstep, or a
    // step of the right alone): moving to the first aligned position of that left step would lose it.
    const info = s.info;
    const [left] = await api.sidesOfPair(info.compareId, a.granularity, store.getState().position);
    if (seq !== followSeq || store.getState().info !== info || left === a.position) return;
    const aligned = await api.alignedOf(info.compareId, 0, a.granularity, a.position);
    if (seq !== followSeq || store.getState().info !== info) return;
    if (store.getState().view?.sidePositions[0] !== a.position) store.getState().seek(aligned);
  };

  // The app loaded another scenario or kernel: the right side follows. Our own mirroring (seek,
  // select, granularity) never changes the run.
  app.subscribe((a, prev) => {
    if (mirroring) return;
    const s = store.getState();
    if (!s.rightKernel) return;
    if (s.status === "ready" && (a.position !== prev.position || a.granularity !== prev.granularity)) {
      void follow(a);
      return;
    }
    const reloaded =
      s.status !== "loading" &&
      a.run !== prev.run &&
      a.run !== null &&
      a.status === "ready" &&
      a.run.runId !== s.left?.runId;
    const loading = a.status === "loading" && prev.status !== "loading";
    if (loading || reloaded) void store.getState().refresh();
  });

  return store;
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
