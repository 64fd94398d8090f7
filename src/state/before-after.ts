/**
 * The before/after panel's state (zustand), a slice beside the app store: when the story on screen
 * names a patch (PresetInfo.patch), the same step under the kernel before the patch and the kernel
 * after it, and on request a third kernel, at every step, without entering compare mode.
 *
 * It holds runs of its own (the app's run may be released whenever the app loads another), the
 * worker's comparison of before against after (compare/: alignment, divergences, explanations),
 * and, per step, each column's view. The app's step is mapped onto the comparison's aligned
 * cursor through the kernel it runs: directly when the app shows the before or the after kernel,
 * through a second comparison otherwise (alignment only: no views are asked of the app's run).
 *
 * Following is latest-wins, as in the app store: while a request is in flight, later steps only
 * remember the newest, fetched when the answer arrives.
 */
import { createStore, type StoreApi } from "zustand/vanilla";
import { type StepDifference, stepDifference } from "../compare/index.ts";
import type {
  CompareInfo,
  EngineApi,
  Granularity,
  PatchStory,
  RunInfo,
  VariantId,
  ViewState,
} from "../worker/api.ts";
import type { AppState, AppStore } from "./store.ts";

export type { StepDifference } from "../compare/index.ts";

export interface BeforeAfterColumn {
  readonly role: "before" | "after" | "also";
  readonly kernel: VariantId;
  readonly run: RunInfo;
}

export interface BeforeAfterStep {
  /** The app's step this shows. */
  readonly granularity: Granularity;
  readonly position: number;
  /** One view per column, in column order. */
  readonly views: readonly ViewState[];
  readonly difference: StepDifference;
}

export interface BeforeAfterState {
  /** The patch the story on screen names; null: no panel. */
  readonly patch: PatchStory | null;
  /** The reader may hide the panel (it is shown whenever the story names a patch). */
  readonly shown: boolean;
  /** The third column's kernel, or null. */
  readonly third: VariantId | null;
  readonly status: "off" | "loading" | "ready" | "error";
  readonly error: string | null;
  readonly columns: readonly BeforeAfterColumn[];
  /** Before against after. */
  readonly info: CompareInfo | null;
  readonly step: BeforeAfterStep | null;
  setShown(shown: boolean): void;
  setThird(kernel: VariantId | null): void;
  /** Off, failed, or showing the app's step with nothing in flight. */
  isIdle(): boolean;
}

export type BeforeAfterStore = StoreApi<BeforeAfterState>;

interface Held {
  readonly scenario: unknown;
  readonly runs: Map<VariantId, RunInfo>;
  /** before → after, and before → third. */
  info: CompareInfo | null;
  thirdInfo: CompareInfo | null;
  /** The app's run against the before run, when the app shows neither before nor after. */
  map: { appRunId: number; info: CompareInfo } | null;
}

export function patchOf(a: Pick<AppState, "presets" | "presetId">): PatchStory | null {
  return a.presets.find((p) => p.id === a.presetId)?.patch ?? null;
}

export function createBeforeAfterStore(api: EngineApi, app: AppStore): BeforeAfterStore {
  let held: Held | null = null;
  let seq = 0;
  let inFlight = false;
  let wanted: { granularity: Granularity; position: number } | null = null;

  const release = (h: Held | null) => {
    if (!h) return;
    for (const r of h.runs.values()) void api.release(r.runId).catch(() => {});
    for (const c of [h.info, h.thirdInfo, h.map?.info])
      if (c) void api.releaseCompare(c.compareId).catch(() => {});
  };

  const store = createStore<BeforeAfterState>()((set, get) => {
    const runFor = async (h: Held, kernel: VariantId): Promise<RunInfo> => {
      const kept = h.runs.get(kernel);
      if (kept) return kept;
      const r = await api.load({ scenario: h.scenario, kernel });
      if (!r.ok) throw new Error(`${kernel}: ${r.issues.map((i) => i.message).join("; ")}`);
      h.runs.set(kernel, r.run);
      return r.run;
    };

    /** The before run's position at the app's step. */
    const beforePosition = async (h: Held, a: AppState, g: Granularity, p: number): Promise<number> => {
      const patch = get().patch!;
      const k = a.run!.kernel.id;
      const info = h.info!;
      if (k === patch.before) return p;
      if (k === patch.after) {
        const aligned = await api.alignedOf(info.compareId, 1, g, p);
        return (await api.sidesOfPair(info.compareId, g, aligned))[0];
      }
      if (!h.map || h.map.appRunId !== a.run!.runId) {
        if (h.map) void api.releaseCompare(h.map.info.compareId).catch(() => {});
        const before = h.runs.get(patch.before)!;
        h.map = {
          appRunId: a.run!.runId,
          info: await api.compare({ left: a.run!.runId, right: before.runId }),
        };
      }
      const aligned = await api.alignedOf(h.map.info.compareId, 0, g, p);
      return (await api.sidesOfPair(h.map.info.compareId, g, aligned))[1];
    };

    const fetchStep = async (): Promise<void> => {
      const h = held;
      const s = get();
      if (!h?.info || wanted === null || inFlight || s.status !== "ready") return;
      inFlight = true;
      const { granularity: g, position: p } = wanted;
      wanted = null;
      const mySeq = seq;
      try {
        const a = app.getState();
        if (!a.run) return;
        const patch = s.patch!;
        const bp = await beforePosition(h, a, g, p);
        const aligned = await api.alignedOf(h.info.compareId, 0, g, bp);
        const pair = await api.viewPair({
          compareId: h.info.compareId,
          granularity: g,
          position: aligned,
          selection: null,
          diff: false,
        });
        const views: ViewState[] = [pair.sides[0], pair.sides[1]];
        if (h.thirdInfo) {
          const at3 = await api.alignedOf(h.thirdInfo.compareId, 0, g, bp);
          const v3 = await api.viewPair({
            compareId: h.thirdInfo.compareId,
            granularity: g,
            position: at3,
            selection: null,
            diff: false,
          });
          views.push(v3.sides[1]);
        }
        if (mySeq !== seq) return;
        const difference = stepDifference(
          h.info,
          { granularity: g, position: pair.position, pair: pair.pair, action: pair.action },
          [patch.before, patch.after],
        );
        set({ step: { granularity: g, position: p, views, difference } });
      } catch (e) {
        if (mySeq === seq) set({ error: `the before/after panel could not show this step: ${String(e)}` });
      } finally {
        inFlight = false;
      }
      if (wanted !== null) await fetchStep();
    };

    const follow = () => {
      const a = app.getState();
      if (!held || get().status !== "ready" || !a.run) return;
      const cur = get().step;
      if (cur && cur.granularity === a.granularity && cur.position === a.position && wanted === null) return;
      wanted = { granularity: a.granularity, position: a.position };
      void fetchStep();
    };

    const rebuild = async () => {
      const a = app.getState();
      const patch = patchOf(a);
      const s = get();
      const mySeq = ++seq;
      if (!patch || !s.shown || a.status !== "ready" || !a.run) {
        if (!patch || !s.shown) {
          release(held);
          held = null;
          set({ patch, status: "off", columns: [], info: null, step: null, error: null });
        }
        return;
      }
      // The same story keeps its runs (a kernel switch in the app changes only the mapping).
      if (!held || held.scenario !== a.scenario) {
        release(held);
        held = { scenario: a.scenario, runs: new Map(), info: null, thirdInfo: null, map: null };
      }
      const h = held;
      set({ patch, status: "loading", error: null });
      try {
        const before = await runFor(h, patch.before);
        const after = await runFor(h, patch.after);
        if (!h.info) h.info = await api.compare({ left: before.runId, right: after.runId });
        const third = get().third;
        let thirdRun: RunInfo | null = null;
        if (third) {
          thirdRun = await runFor(h, third);
          if (!h.thirdInfo || h.thirdInfo.runs[1] !== thirdRun.runId) {
            if (h.thirdInfo) void api.releaseCompare(h.thirdInfo.compareId).catch(() => {});
            h.thirdInfo = await api.compare({ left: before.runId, right: thirdRun.runId });
          }
        } else if (h.thirdInfo) {
          void api.releaseCompare(h.thirdInfo.compareId).catch(() => {});
          h.thirdInfo = null;
        }
        if (mySeq !== seq || held !== h) return;
        const columns: BeforeAfterColumn[] = [
          { role: "before", kernel: patch.before, run: before },
          { role: "after", kernel: patch.after, run: after },
        ];
        if (third && thirdRun) columns.push({ role: "also", kernel: third, run: thirdRun });
        set({ status: "ready", columns, info: h.info, step: null });
        follow();
      } catch (e) {
        if (mySeq === seq) set({ status: "error", error: `the before/after panel failed: ${String(e)}` });
      }
    };

    // The app's changes: a new run or story rebuilds; a step follows.
    app.subscribe((a, prev) => {
      const storyChanged =
        a.presetId !== prev.presetId ||
        a.presets !== prev.presets ||
        a.scenario !== prev.scenario ||
        (a.run !== prev.run && a.status === "ready") ||
        (a.status === "ready" && prev.status !== "ready");
      if (storyChanged) {
        void rebuild();
        return;
      }
      if (a.position !== prev.position || a.granularity !== prev.granularity) follow();
    });

    // The app may be ready already (a slice created after init()).
    queueMicrotask(() => void rebuild());
    return {
      patch: null,
      shown: true,
      third: null,
      status: "off",
      error: null,
      columns: [],
      info: null,
      step: null,
      setShown(shown) {
        if (shown === get().shown) return;
        set({ shown });
        void rebuild();
      },
      setThird(third) {
        if (third === get().third) return;
        set({ third });
        void rebuild();
      },
      isIdle() {
        const s = get();
        if (s.status === "off" || s.status === "error") return true;
        if (s.status !== "ready") return false;
        const a = app.getState();
        return (
          !inFlight &&
          wanted === null &&
          s.step !== null &&
          s.step.granularity === a.granularity &&
          s.step.position === a.position
        );
      },
    };
  });
  return store;
}
