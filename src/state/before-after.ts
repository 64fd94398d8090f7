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
 * Following is latest-wins (latest.ts), as in the app store: while a request is in flight, later
 * steps only remember the newest, fetched when the answer arrives.
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
import { latestWins } from "./latest.ts";
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

/** The run of `kernel` for the held story: kept, or loaded now and kept. */
async function runFor(api: EngineApi, h: Held, kernel: VariantId): Promise<RunInfo> {
  const kept = h.runs.get(kernel);
  if (kept) return kept;
  const r = await api.load({ scenario: h.scenario, kernel });
  if (!r.ok) throw new Error(`${kernel}: ${r.issues.map((i) => i.message).join("; ")}`);
  h.runs.set(kernel, r.run);
  return r.run;
}

/** The before run's position at the app's step (`position` at `granularity` of the app's run). */
async function beforePosition(
  api: EngineApi,
  h: Held,
  patch: PatchStory,
  appRun: RunInfo,
  granularity: Granularity,
  position: number,
): Promise<number> {
  const k = appRun.kernel.id;
  const info = h.info!;
  if (k === patch.before) return position;
  if (k === patch.after) {
    const aligned = await api.alignedOf(info.compareId, 1, granularity, position);
    return (await api.sidesOfPair(info.compareId, granularity, aligned))[0];
  }
  if (!h.map || h.map.appRunId !== appRun.runId) {
    if (h.map) void api.releaseCompare(h.map.info.compareId).catch(() => {});
    const before = h.runs.get(patch.before)!;
    h.map = { appRunId: appRun.runId, info: await api.compare({ left: appRun.runId, right: before.runId }) };
  }
  const aligned = await api.alignedOf(h.map.info.compareId, 0, granularity, position);
  return (await api.sidesOfPair(h.map.info.compareId, granularity, aligned))[1];
}

/** Each column's view at the before run's position `bp`, and how before and after differ there. */
async function columnViews(
  api: EngineApi,
  h: Held & { info: CompareInfo },
  patch: PatchStory,
  granularity: Granularity,
  bp: number,
): Promise<{ views: ViewState[]; difference: StepDifference }> {
  const at = async (info: CompareInfo) =>
    api.viewPair({
      compareId: info.compareId,
      granularity,
      position: await api.alignedOf(info.compareId, 0, granularity, bp),
      selection: null,
      diff: false,
    });
  const pair = await at(h.info);
  const views: ViewState[] = [pair.sides[0], pair.sides[1]];
  if (h.thirdInfo) views.push((await at(h.thirdInfo)).sides[1]);
  const difference = stepDifference(
    h.info,
    { granularity, position: pair.position, pair: pair.pair, action: pair.action },
    [patch.before, patch.after],
  );
  return { views, difference };
}

/**
 * The runs and comparisons of a story with a patch (before → after, before → third), reusing
 * what `h` holds; the columns they make.
 */
async function buildColumns(
  api: EngineApi,
  h: Held,
  patch: PatchStory,
  third: VariantId | null,
): Promise<BeforeAfterColumn[]> {
  const before = await runFor(api, h, patch.before);
  const after = await runFor(api, h, patch.after);
  if (!h.info) h.info = await api.compare({ left: before.runId, right: after.runId });
  const columns: BeforeAfterColumn[] = [
    { role: "before", kernel: patch.before, run: before },
    { role: "after", kernel: patch.after, run: after },
  ];
  if (third) {
    const thirdRun = await runFor(api, h, third);
    if (!h.thirdInfo || h.thirdInfo.runs[1] !== thirdRun.runId) {
      if (h.thirdInfo) void api.releaseCompare(h.thirdInfo.compareId).catch(() => {});
      h.thirdInfo = await api.compare({ left: before.runId, right: thirdRun.runId });
    }
    columns.push({ role: "also", kernel: third, run: thirdRun });
  } else if (h.thirdInfo) {
    void api.releaseCompare(h.thirdInfo.compareId).catch(() => {});
    h.thirdInfo = null;
  }
  return columns;
}

function releaseHeld(api: EngineApi, h: Held | null): void {
  if (!h) return;
  for (const r of h.runs.values()) void api.release(r.runId).catch(() => {});
  for (const c of [h.info, h.thirdInfo, h.map?.info])
    if (c) void api.releaseCompare(c.compareId).catch(() => {});
}

type Target = { readonly granularity: Granularity; readonly position: number };

export function createBeforeAfterStore(api: EngineApi, app: AppStore): BeforeAfterStore {
  let held: Held | null = null;
  let seq = 0;

  const store = createStore<BeforeAfterState>()((set, get) => {
    const steps = latestWins<Target>(async ({ granularity, position }) => {
      const h = held;
      const s = get();
      const a = app.getState();
      if (!h?.info || s.status !== "ready" || !a.run) return;
      const mySeq = seq;
      try {
        const bp = await beforePosition(api, h, s.patch!, a.run, granularity, position);
        const { views, difference } = await columnViews(
          api,
          { ...h, info: h.info },
          s.patch!,
          granularity,
          bp,
        );
        if (mySeq === seq) set({ step: { granularity, position, views, difference } });
      } catch (e) {
        if (mySeq === seq) set({ error: `the before/after panel could not show this step: ${String(e)}` });
      }
    });

    const follow = () => {
      const a = app.getState();
      if (!held || get().status !== "ready" || !a.run) return;
      const cur = get().step;
      if (cur && cur.granularity === a.granularity && cur.position === a.position && steps.idle()) return;
      void steps.ask({ granularity: a.granularity, position: a.position });
    };

    const rebuild = async () => {
      const a = app.getState();
      const patch = patchOf(a);
      const s = get();
      const mySeq = ++seq;
      if (!patch || !s.shown) {
        releaseHeld(api, held);
        held = null;
        set({ patch, status: "off", columns: [], info: null, step: null, error: null });
        return;
      }
      if (a.status !== "ready" || !a.run) return;
      // The same story keeps its runs (a kernel switch in the app changes only the mapping).
      if (!held || held.scenario !== a.scenario) {
        releaseHeld(api, held);
        held = { scenario: a.scenario, runs: new Map(), info: null, thirdInfo: null, map: null };
      }
      const h = held;
      set({ patch, status: "loading", error: null });
      try {
        const columns = await buildColumns(api, h, patch, get().third);
        if (mySeq !== seq || held !== h) return;
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
          steps.idle() &&
          s.step !== null &&
          s.step.granularity === a.granularity &&
          s.step.position === a.position
        );
      },
    };
  });
  return store;
}
