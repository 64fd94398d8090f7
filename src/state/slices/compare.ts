/**
 * The compare slice (`AppState.compare`): the right-hand run, the comparison the worker computed,
 * the shared aligned cursor, the shared selection, and the compare view's options. The types and
 * the divergence arithmetic are in ../compare.ts.
 *
 * The left side is the app's run. The two cursors meet in this one store:
 * - the compare cursor moves (its controls, a divergence, a link): each view that answers is
 *   written together with the app's step, granularity and selection (the left side's), in one
 *   update, so the app, the link and the single view never stand anywhere else;
 * - the app moves by itself (its keys, a link, playback): the app is then not where the view's
 *   left side is, and the shared cursor follows it (to the first aligned position of that step,
 *   unless it already shows it).
 * When the app loads another scenario or kernel, the comparison is recomputed: a right side that
 * follows the left reloads, a chosen right-hand scenario stays (its run is reused when nothing
 * about it changed).
 */
import type { PairDiff, PairViewState, RunInfo, Selection, VariantId } from "../../worker/api.ts";
import { type CompareState, divergenceFrom, divergenceGranularity } from "../compare.ts";
import { type LatestWins, latestWins } from "../latest.ts";
import type { RightScenario } from "../link-state.ts";
import type { AppState } from "../store.ts";
import type { Kit } from "./kit.ts";
import type { Cursor } from "./playback.ts";

function sameSelection(a: Selection | null, b: Selection | null): boolean {
  return a === null || b === null ? a === b : a.mm === b.mm && a.table === b.table;
}

/** The compare slice's values when compare mode is off. */
const OFF = {
  rightKernel: null,
  rightScenario: null,
  status: "off",
  error: null,
  left: null,
  right: null,
  info: null,
  view: null,
} as const;

/** What the slice keeps between requests (not state the views read). */
interface Held {
  openSeq: number;
  followSeq: number;
  /** A link's aligned position for the next comparison (place()); consumed when it is ready. */
  linkAt: number | null;
  /** The right run, kept across recomputations while its scenario and kernel stay the same. */
  kept: { run: RunInfo; kernel: VariantId; scenario: unknown } | null;
  /** After a jump to a divergence: the mm whose first differing table gets selected, and where. */
  selectOn: { mm: string; position: number } | null;
}

/** The slice's own reading and writing of `AppState.compare`. */
function access(kit: Kit) {
  return {
    get: (): CompareState => kit.get().compare,
    put: (patch: Partial<CompareState>) => kit.set((s) => ({ compare: { ...s.compare, ...patch } })),
  };
}

/**
 * Writes a compare view and the app's step beside it: the app shows the left side (its step,
 * granularity and selection), in the same update. `moveCursor`: the answer is the newest asked
 * for, so the shared cursor moves to where the worker put it.
 */
function showPair(kit: Kit, cursor: Cursor, view: PairViewState, moveCursor: boolean): void {
  let moved = false;
  kit.set((a) => {
    const c = a.compare;
    const compare = { ...c, view, ...(moveCursor ? { position: view.position } : {}) };
    if (!a.run || a.run.runId !== c.left?.runId) return { compare };
    const left = view.sidePositions[0];
    const app: Partial<AppState> = {
      ...(a.granularity !== view.granularity
        ? { granularity: view.granularity, wantedGranularity: view.granularity }
        : {}),
      ...(a.position !== left ? { position: left } : {}),
      ...(sameSelection(a.selection, c.selection) ? {} : { selection: c.selection }),
    };
    moved = Object.keys(app).length > 0;
    return { compare, ...app };
  });
  if (moved) cursor.show(kit.get().position);
}

function requests(kit: Kit, cursor: Cursor, held: Held) {
  const { api } = kit;
  const { get, put } = access(kit);
  const selectDiffering = (d: PairDiff) => {
    const want = held.selectOn;
    if (!want || d.position !== want.position) return;
    held.selectOn = null;
    const cells = d.diff.find((m) => m.name === want.mm)?.left;
    const mm = get().left?.trace.mmNames.indexOf(want.mm) ?? -1;
    if (!cells || mm < 0) return;
    const table = cells.findIndex((c) => c !== 0);
    if (table >= 0) get().select({ mm, table });
  };
  /** The diff map at an aligned position, after its views are on screen. */
  const diffs: LatestWins<number> = latestWins(async (position) => {
    const s = get();
    if (!s.info || !s.diffMap) return;
    const compareId = s.info.compareId;
    try {
      const diff = await api.diffPair(compareId, s.granularity, position);
      if (get().info?.compareId === compareId && diff.granularity === get().granularity) {
        put({ diff });
        selectDiffering(diff);
      }
    } catch (e) {
      if (get().info?.compareId === compareId)
        put({ error: `the engine could not compare this step: ${String(e)}` });
    }
  });
  /** Both sides' views at an aligned position. */
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
        showPair(kit, cursor, view, !views.waiting());
        if (get().diffMap) void diffs.ask(view.position);
      }
    } catch (e) {
      if (get().info?.compareId === compareId)
        put({ error: `the engine could not show this step: ${String(e)}` });
    }
  });
  return { views, diffs };
}

type Requests = ReturnType<typeof requests>;

/** The app's run, once it is ready (or null if it fails or compare mode is left first). */
function appRun(kit: Kit, held: Held, seq: number): Promise<RunInfo | null> {
  return new Promise((resolve) => {
    const check = (a: AppState): boolean => {
      const done = seq !== held.openSeq || a.status === "error" || (a.status === "ready" && a.run !== null);
      if (done) resolve(seq === held.openSeq && a.status === "ready" ? a.run : null);
      return done;
    };
    if (check(kit.get())) return;
    const unsub = kit.store.subscribe((a) => {
      if (check(a)) unsub();
    });
  });
}

/** The right run for `scenario` under `kernel`: the kept one if it is that, else a new load. */
async function rightRun(
  kit: Kit,
  held: Held,
  scenario: unknown,
  kernel: VariantId,
): Promise<{ ok: true; run: RunInfo } | { ok: false; why: string }> {
  const kept = held.kept;
  if (kept && kept.kernel === kernel && kept.scenario === scenario) return { ok: true, run: kept.run };
  const r = await kit.api.load({ scenario, kernel });
  if (!r.ok)
    return {
      ok: false,
      why: r.issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join("; "),
    };
  return { ok: true, run: r.run };
}

function releaseKept(kit: Kit, held: Held): void {
  if (held.kept) void kit.api.release(held.kept.run.runId).catch(() => {});
  held.kept = null;
}

/** Computes the comparison of the app's run with `right` under `kernel`, and shows it. */
async function start(kit: Kit, held: Held, req: Requests, kernel: VariantId, right: RightScenario | null) {
  const { api } = kit;
  const { get, put } = access(kit);
  const seq = ++held.openSeq;
  const info0 = get().info;
  if (info0) void api.releaseCompare(info0.compareId).catch(() => {});
  put({
    rightKernel: kernel,
    rightScenario: right,
    status: "loading",
    error: null,
    info: null,
    right: null,
    view: null,
    diff: null,
  });
  const left = await appRun(kit, held, seq);
  if (seq !== held.openSeq) return;
  if (!left) {
    put({ status: "error", error: "the left run is not ready (see the scenario's problems)" });
    return;
  }
  const scenario = right ? right.scenario : kit.get().scenario;
  try {
    const r = await rightRun(kit, held, scenario, kernel);
    if (seq !== held.openSeq) {
      if (r.ok && r.run !== held.kept?.run) void api.release(r.run.runId);
      return;
    }
    if (!r.ok) {
      const what = right ? "the right-hand scenario" : "this scenario";
      put({ status: "error", error: `${what} cannot run under ${kernel}: ${r.why}` });
      return;
    }
    if (r.run !== held.kept?.run) {
      releaseKept(kit, held);
      held.kept = { run: r.run, kernel, scenario };
    }
    const info = await api.compare({ left: left.runId, right: r.run.runId });
    if (seq !== held.openSeq) {
      void api.releaseCompare(info.compareId);
      return;
    }
    const granularity = kit.get().granularity;
    // A link's shared position wins: the app's left position alone may stand for several.
    const at = held.linkAt;
    const position =
      at !== null
        ? Math.max(0, Math.min(Math.round(at), info.counts[granularity]))
        : await api.alignedOf(info.compareId, 0, granularity, kit.get().position);
    if (seq !== held.openSeq) return;
    held.linkAt = null;
    const selection = kit.get().selection;
    put({ status: "ready", left, right: r.run, info, granularity, position, selection });
    await req.views.ask(position);
  } catch (e) {
    if (seq === held.openSeq) put({ status: "error", error: `the engine failed: ${String(e)}` });
  }
}

/** The app moved by itself (its keys, its controls, a link): the shared cursor follows its left. */
async function follow(kit: Kit, held: Held, a: AppState): Promise<void> {
  const { get } = access(kit);
  const s = get();
  if (s.status !== "ready" || !s.info || a.run?.runId !== s.left?.runId) return;
  const seq = ++held.followSeq;
  if (a.granularity !== s.granularity) {
    await s.setGranularity(a.granularity);
    return;
  }
  // Keep a shared position whose left side is already where the app is (a link's cstep, or a
  // step of the right alone): moving to the first aligned position of that left step would lose it.
  const info = s.info;
  const [left] = await kit.api.sidesOfPair(info.compareId, a.granularity, get().position);
  if (seq !== held.followSeq || get().info !== info || left === a.position) return;
  const aligned = await kit.api.alignedOf(info.compareId, 0, a.granularity, a.position);
  if (seq !== held.followSeq || get().info !== info) return;
  if (get().view?.sidePositions[0] !== a.position) get().seek(aligned);
}

/** The app's changes the comparison answers to: a step of its own, or another run. */
function onApp(kit: Kit, held: Held, a: AppState, prev: AppState): void {
  const c = a.compare;
  if (!c.rightKernel) return;
  if (c.status === "ready" && (a.position !== prev.position || a.granularity !== prev.granularity)) {
    // The compare view's own answers move the app to their left side: nothing to follow then.
    const inStep = c.view?.granularity === a.granularity && c.view.sidePositions[0] === a.position;
    if (!inStep) void follow(kit, held, a);
    return;
  }
  const reloaded =
    c.status !== "loading" &&
    a.run !== prev.run &&
    a.run !== null &&
    a.status === "ready" &&
    a.run.runId !== c.left?.runId;
  const loading = a.status === "loading" && prev.status !== "loading";
  if (loading || reloaded) void c.refresh();
}

type CursorActions = Pick<CompareState, "seek" | "stepBy" | "setGranularity" | "select">;

function cursorActions(kit: Kit, held: Held, req: Requests): CursorActions {
  const { get, put } = access(kit);
  return {
    seek(position) {
      const s = get();
      if (!s.info) return;
      held.linkAt = null;
      const p = Math.max(0, Math.min(Math.round(position), s.info.counts[s.granularity]));
      put({ position: p });
      void req.views.ask(p);
    },
    stepBy(delta) {
      get().seek(get().position + delta);
    },
    async setGranularity(granularity) {
      const s = get();
      if (!s.info || granularity === s.granularity) {
        put({ granularity });
        return;
      }
      const position = await kit.api.convertPair(s.info.compareId, s.granularity, s.position, granularity);
      put({ granularity, position });
      await req.views.ask(position);
    },
    select(selection) {
      put({ selection });
      void req.views.ask(get().position);
    },
  };
}

type DivergenceActions = Pick<CompareState, "goToDivergence" | "stepDivergence" | "setDiffMap">;

function divergenceActions(kit: Kit, held: Held, req: Requests): DivergenceActions {
  const { get, put } = access(kit);
  return {
    async goToDivergence(index) {
      const s = get();
      const info = s.info;
      const d = info?.divergences[index];
      if (!info || !d) return;
      const granularity = divergenceGranularity(s.granularity);
      const p = Math.max(0, Math.min(d.positions[granularity], info.counts[granularity]));
      // Select the page table where the difference is, once the diff map shows it.
      held.selectOn = d.mm && s.diffMap ? { mm: d.mm, position: p } : null;
      if (granularity === s.granularity) {
        get().seek(p);
        return;
      }
      // A finer granularity, straight at the divergence's position (no conversion of the old one);
      // the view's answer takes the app there too.
      held.linkAt = null;
      put({ granularity, position: p });
      await req.views.ask(p);
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
      put({ diffMap: on, diff: null });
      const v = get().view;
      if (on && v) void req.diffs.ask(v.position);
    },
  };
}

type ModeActions = Pick<CompareState, "open" | "refresh" | "place" | "close" | "setChartCounter" | "isIdle">;

function modeActions(kit: Kit, held: Held, req: Requests): ModeActions {
  const { get, put } = access(kit);
  return {
    async open(kernel, right = null, at = null) {
      if (kernel === null) {
        get().close();
        return;
      }
      held.linkAt = at;
      await start(kit, held, req, kernel, right);
    },
    async refresh() {
      const s = get();
      if (s.rightKernel) await start(kit, held, req, s.rightKernel, s.rightScenario);
    },
    place(position) {
      held.linkAt = position;
      const s = get();
      if (position === null || s.status !== "ready" || !s.info || position === s.position) return;
      get().seek(position);
      held.linkAt = position;
    },
    close() {
      held.openSeq++;
      const info = get().info;
      if (info) void kit.api.releaseCompare(info.compareId).catch(() => {});
      releaseKept(kit, held);
      req.views.drop();
      held.linkAt = null;
      put(OFF);
    },
    setChartCounter(chartCounter) {
      put({ chartCounter });
    },
    isIdle() {
      const s = get();
      if (s.status === "off" || s.status === "error") return true;
      const shown = s.status === "ready" && req.views.idle() && s.view?.position === s.position;
      if (!shown || !s.diffMap) return shown;
      return req.diffs.idle() && s.diff?.position === s.position;
    },
  };
}

/** The compare slice: off at first, at the app's granularity. */
export function compareSlice(kit: Kit, cursor: Cursor, granularity: AppState["granularity"]): CompareState {
  const held: Held = { openSeq: 0, followSeq: 0, linkAt: null, kept: null, selectOn: null };
  const req = requests(kit, cursor, held);
  kit.store.subscribe((a, prev) => onApp(kit, held, a, prev));
  return {
    ...OFF,
    granularity,
    position: 0,
    diff: null,
    selection: null,
    diffMap: true,
    chartCounter: "rssAnonBytes",
    ...cursorActions(kit, held, req),
    ...divergenceActions(kit, held, req),
    ...modeActions(kit, held, req),
  };
}
