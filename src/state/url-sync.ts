/**
 * Keeps the URL and the app in step, both ways.
 *
 * App → URL: the fragment always describes what is shown (encodeLink). Loading a scenario, a
 * preset or another kernel pushes a history entry once its run is ready, so Back returns to the
 * previous one (a load that fails or is cancelled adds none); stepping, changing granularity or
 * selection replaces the current entry (at most every `replaceDelayMs`, so playback does not
 * flood the history or trip the browser's rate limit).
 *
 * URL → app: the link the page opened with is read by url.ts into the store's initial state; a
 * popstate (Back, Forward, an edited fragment) is decoded here and applied to the store without
 * writing history. A broken link shows its error and the default scenario.
 *
 * Self-check: when a run computed for a link is ready, its end state is compared with the link's
 * (`e`, `h`, `ha`, `x`); a difference becomes `report` for the banner, and the link's expectation
 * stays in the address bar ("pinned") until the user loads something else, so that reloading the
 * page shows the warning again. Copied links always carry the current run's check.
 *
 * Zoom, the compare setting and embed options live in this module's own small store (`links`):
 * they are part of the link, not of the engine state.
 *
 * Compare mode (state/compare.ts, joined by connectCompareLinks): `links.compare` carries the
 * right-hand kernel and scenario, the shared aligned position and the right run's self-check.
 * Turning compare mode on or off, or changing its right side, pushes a history entry of its own,
 * except while a load the user started is computing: that load's push carries it (writing then
 * would overwrite the previous entry with a half-loaded state, and Back would never leave compare
 * mode). The shared position and the zoom replace the entry, like stepping, and also wait for a
 * pending load.
 */
import { createStore, type StoreApi } from "zustand/vanilla";
import type { VariantId } from "../engine/variants.ts";
import { hasVary } from "../exercise/draw.ts";
import {
  type CheckReport,
  checkOf,
  type DecodeErrorKind,
  type DecodeResult,
  decodeLink,
  defaultLinkState,
  encodeLink,
  endHash,
  endStateOf,
  jsonEqual,
  LINK_VERSION,
  type LinkCheck,
  type LinkEmbed,
  type LinkSection,
  type LinkState,
  type Outcome,
  resolveScenario,
  type ScenarioRef,
  scenarioRefFor,
  toJson,
  verifyCheck,
} from "../permalink/index.ts";
import type { SweepSpec } from "../sweep/spec.ts";
import type { RunInfo } from "../worker/api.ts";
import { type AppState, type AppStore, concreteScenario, openingPosition, scenarioKernel } from "./store.ts";
import { linkResultState } from "./url.ts";

/** The parts of `window` this module uses (tests pass a fake). */
export interface UrlHost {
  readonly location: { readonly hash: string; readonly href: string };
  readonly history: {
    pushState(data: unknown, unused: string, url: string): void;
    replaceState(data: unknown, unused: string, url: string): void;
  };
  addEventListener(type: "popstate", listener: () => void): void;
  removeEventListener(type: "popstate", listener: () => void): void;
}

export type { LinkSection } from "../permalink/index.ts";

export interface LinkError {
  readonly kind: DecodeErrorKind | "cannot-run";
  readonly message: string;
}

/** The compare view's right-hand scenario as the stores hold it: its JSON and its preset, if any. */
export interface RightScenario {
  readonly presetId: string | null;
  readonly scenario: unknown;
}

/** Compare mode as a link carries it (permalink/schema.ts: compare, cpreset/co/cs, cstep, ch). */
export interface LinkCompare {
  /** The right-hand kernel variant. */
  readonly kernel: VariantId;
  /** The right-hand scenario; null: the left's (one scenario under two kernels). */
  readonly right: RightScenario | null;
  /** The shared aligned position at the app's granularity; null: where the left's step maps. */
  readonly position: number | null;
  /** The right run's self-check against the link, once it is ready; null if the link had none. */
  readonly report: CheckReport | null;
}

/** The same right-hand side: both the left's, or the same scenario JSON from the same preset. */
export function sameRight(a: RightScenario | null, b: RightScenario | null): boolean {
  if (a === b) return true;
  if (a === null || b === null) return false;
  return (
    a.presetId === b.presetId &&
    (a.scenario === b.scenario || jsonEqual(toJson(a.scenario), toJson(b.scenario)))
  );
}

/** A link's right-hand scenario reference as the stores hold it. */
export function rightOfRef(ref: ScenarioRef): RightScenario {
  return { presetId: ref.kind === "preset" ? ref.id : null, scenario: resolveScenario(ref) };
}

function compareOfLink(st: LinkState): LinkCompare | null {
  if (!st.compare) return null;
  const right = st.compareScenario ? rightOfRef(st.compareScenario) : null;
  return { kernel: st.compare, right, position: st.compareStep, report: null };
}

/** What a link expects of the right run: its hash under the left check's engine version. */
function compareExpectOf(st: LinkState): LinkCheck | null {
  return st.compare && st.compareCheck && st.check
    ? { engine: st.check.engine, end: st.compareCheck, actions: "" }
    : null;
}

export interface LinkStatus {
  /** Why the last link could not be shown as it was (plain text), or null. */
  readonly error: LinkError | null;
  /** Things the decoder ignored, as sentences. */
  readonly notes: readonly string[];
  /** The self-check of the last link, once its run is ready; null if it had none. */
  readonly report: CheckReport | null;
  readonly zoom: number | null;
  /** The first page table the zoomed maps show (with zoom), or null. */
  readonly viewStart: number | null;
  /** The memory panel's open section (Page table, Balloon, Migration), or null for the maps. */
  readonly section: LinkSection | null;
  /** The ballooned tables are highlighted on the host maps. */
  readonly balloonHighlight: boolean;
  /** Presentation mode (large type, the map larger, side panels folded). */
  readonly present: boolean;
  /** A parameter sweep shown beside the run (state/sweep.ts), or null. */
  readonly sweep: SweepSpec | null;
  /** Compare mode, or null when it is off. */
  readonly compare: LinkCompare | null;
  readonly embed: LinkEmbed | null;
  /** The page the link selected (for the views that show one page), or null. */
  readonly page: { readonly mm: number; readonly page: number } | null;
}

export interface UrlSync {
  readonly links: StoreApi<LinkStatus>;
  /** The absolute URL of the current state: `step: false` leaves out step and selection. */
  linkTo(opts?: { step?: boolean; embed?: LinkEmbed | null }): string;
  /** The memory maps' zoom factor and first table; (null, null) for the whole RAM. */
  setZoom(zoom: number | null, viewStart: number | null): void;
  /** The memory panel's open section, as the user scrolls or picks it (replaces the entry). */
  setSection(section: LinkSection | null): void;
  /** The balloon view's "highlight the ballooned tables" (replaces the entry). */
  setBalloonHighlight(on: boolean): void;
  /** Presentation mode on or off (replaces the entry). */
  setPresent(on: boolean): void;
  /** A sweep opened, changed or closed (replaces the entry; a point it opens pushes its own). */
  setSweep(spec: SweepSpec | null): void;
  /**
   * Compare mode turned on (against `kernel`, with `right` on the right or the left's scenario),
   * changed or turned off (null): pushes a history entry, unless a load is pending.
   */
  setCompare(kernel: VariantId | null, right?: RightScenario | null): void;
  /** The compare view's shared aligned position (replaces the entry, like stepping). */
  setComparePosition(position: number | null): void;
  /** A comparison is ready: check its right run against the link, and carry its hash in links. */
  compareReady(right: RunInfo): void;
  dismissError(): void;
  dismissReport(): void;
  /** Stops listening to the store and to popstate. */
  stop(): void;
}

export interface UrlSyncOptions {
  /** Coalesce replaceState calls (stepping) to one per this many ms; 0 writes at once. */
  readonly replaceDelayMs?: number;
}

type LoadKey = { presetId: string | null; scenario: unknown; kernel: VariantId | null; seed: number | null };

/** The seed a state's link carries: only a scenario with ranges draws from one. */
function linkSeed(s: Pick<AppState, "scenario" | "seed">): number | null {
  return s.seed !== null && hasVary(s.scenario) ? s.seed : null;
}

function outcomeOf(run: RunInfo): Outcome {
  return run.outcome;
}

export function createUrlSync(store: AppStore, host: UrlHost, opts: UrlSyncOptions = {}): UrlSync {
  const delay = opts.replaceDelayMs ?? 150;
  const first = decodeLink(host.location.hash);
  const firstState = linkResultState(first);

  const links = createStore<LinkStatus>()(() => ({
    error: first.ok ? null : { kind: first.kind, message: first.error },
    notes: first.ok ? first.notes : [],
    report: null,
    zoom: firstState.zoom,
    viewStart: firstState.viewStart,
    section: firstState.section,
    balloonHighlight: firstState.balloonHighlight,
    present: firstState.present ?? false,
    sweep: firstState.sweep ?? null,
    compare: compareOfLink(firstState),
    embed: firstState.embed,
    page:
      firstState.selection?.page !== undefined
        ? { mm: firstState.selection.mm, page: firstState.selection.page }
        : null,
  }));

  /** The link whose run we are waiting for, to check it against. */
  let pending: LinkState | null = firstState;
  /** The link's expectation, kept in the URL while it disagrees with the run. */
  let pinned: LinkCheck | null = null;
  /** Non-zero while a link is applied to the store: its changes then write no history. */
  let applying = 0;
  /** Only the newest popstate finishes applying (an older one's load was superseded). */
  let applySeq = 0;
  let started = false;
  /** A load the user started is computing: its history entry is written when it is ready. */
  let loadPending = false;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let refCache: { presetId: string | null; scenario: unknown; ref: ScenarioRef } | null = null;
  let checkCache: { run: RunInfo; check: LinkCheck } | null = null;
  /** The right run of the comparison on screen (null until it is ready, or after a new left run). */
  let rightRun: RunInfo | null = null;
  let rightHashCache: { run: RunInfo; hash: string } | null = null;
  /** The link's expectation for the right run, until that run is ready. */
  let compareExpect: LinkCheck | null = compareExpectOf(firstState);
  /** The link's right-hand hash, kept in the URL while it disagrees with the right run. */
  let comparePinned: string | null = null;
  let rightRefCache: { right: RightScenario; ref: ScenarioRef } | null = null;

  const rightRefOf = (right: RightScenario): ScenarioRef => {
    if (rightRefCache?.right === right) return rightRefCache.ref;
    const ref = scenarioRefFor(right.presetId, right.scenario);
    rightRefCache = { right, ref };
    return ref;
  };

  const rightHash = (): string | null => {
    if (!rightRun) return null;
    if (rightHashCache?.run !== rightRun) {
      const keys = rightRun.counters.map((c) => c.key);
      rightHashCache = {
        run: rightRun,
        hash: endHash(endStateOf(rightRun.trace, keys, outcomeOf(rightRun))),
      };
    }
    return rightHashCache.hash;
  };

  const refOf = (s: AppState): ScenarioRef => {
    if (refCache && refCache.presetId === s.presetId && refCache.scenario === s.scenario) return refCache.ref;
    const ref = scenarioRefFor(s.presetId, s.scenario);
    refCache = { presetId: s.presetId, scenario: s.scenario, ref };
    return ref;
  };

  const currentCheck = (s: AppState): LinkCheck | null => {
    if (s.status !== "ready" || !s.run) return null;
    if (checkCache?.run !== s.run) {
      const keys = s.run.counters.map((c) => c.key);
      checkCache = { run: s.run, check: checkOf(s.run.trace, keys, outcomeOf(s.run)) };
    }
    return checkCache.check;
  };

  const stateOf = (
    s: AppState,
    o: { step: boolean; fresh: boolean; embed?: LinkEmbed | null },
  ): LinkState => {
    const l = links.getState();
    const ready = s.status === "ready" && s.run !== null;
    const sel = s.selection;
    const page = s.selectedPage ?? l.page;
    const check = !o.fresh && pinned ? pinned : currentCheck(s);
    const c = l.compare;
    return {
      v: LINK_VERSION,
      scenario: refOf(s),
      kernel: s.kernel ?? scenarioKernel(concreteScenario(s)),
      granularity: s.granularity,
      step: o.step && ready ? s.position : null,
      selection:
        o.step && sel
          ? page && page.mm === sel.mm
            ? { mm: sel.mm, table: sel.table, page: page.page }
            : { mm: sel.mm, table: sel.table }
          : null,
      zoom: l.zoom,
      viewStart: l.viewStart,
      section: l.section,
      balloonHighlight: l.balloonHighlight,
      ...(l.present ? { present: true } : {}),
      ...(linkSeed(s) !== null ? { seed: linkSeed(s)! } : {}),
      ...(l.sweep ? { sweep: l.sweep } : {}),
      compare: c?.kernel ?? null,
      compareScenario: c?.right ? rightRefOf(c.right) : null,
      compareStep: o.step && ready && c ? c.position : null,
      compareCheck: c && check ? (!o.fresh && comparePinned ? comparePinned : rightHash()) : null,
      embed: o.embed === undefined ? l.embed : o.embed,
      check,
    };
  };

  const write = (mode: "push" | "replace", s: AppState = store.getState()) => {
    if (timer !== null) {
      clearTimeout(timer);
      timer = null;
    }
    const url = `#${encodeLink(stateOf(s, { step: true, fresh: false }))}`;
    if (mode === "replace" && url === host.location.hash) return;
    if (mode === "push") host.history.pushState(null, "", url);
    else host.history.replaceState(null, "", url);
  };

  /**
   * Writes wait: before the first run, while a link is applied (it writes when done) and while a
   * load the user started computes (its push carries everything).
   */
  const quiet = () => !started || applying > 0 || loadPending;

  const scheduleReplace = () => {
    if (delay <= 0) {
      write("replace");
      return;
    }
    if (timer === null) timer = setTimeout(() => write("replace"), delay);
  };

  /** Loads the default scenario after a link could not be shown, replacing the history entry. */
  const fallBack = async (error: LinkError, fallback: LinkState) => {
    links.setState({ error, report: null, notes: [] });
    pending = fallback;
    await applyState(fallback, true);
  };

  /** Brings the store to `state` (from a popstate or a fallback) without writing history. */
  const applyState = async (state: LinkState, isFallback = false) => {
    const seq = ++applySeq;
    applying++;
    try {
      // A link lands on its own step: playback would move on from it (or from where it was).
      store.getState().setPlaying(false);
      const s = store.getState();
      const scenario = resolveScenario(state.scenario);
      const seed = state.seed ?? null;
      const sameLoad =
        s.run !== null &&
        jsonEqual(toJson(s.scenario), toJson(scenario)) &&
        linkSeed(s) === (hasVary(scenario) ? seed : null) &&
        (s.kernel ?? scenarioKernel(concreteScenario(s))) ===
          (state.kernel ?? scenarioKernel(concreteScenario({ scenario, seed })));
      if (!sameLoad) {
        const sc = state.scenario;
        if (sc.kind === "preset" && !sc.overrides)
          await store.getState().loadPreset(sc.id, state.kernel, seed);
        else await store.getState().loadScenario(scenario, state.kernel, seed);
      }
      if (seq !== applySeq) return;
      const after = store.getState();
      if (after.status === "error" && after.issues.length > 0 && !isFallback) {
        applying--;
        try {
          if (state.kernel !== null) await underOwnKernel(state, after);
          else await fallBack(cannotRun(after), defaultLinkState(links.getState().embed));
        } finally {
          applying++;
        }
        return;
      }
      if (after.status !== "ready" || !after.run) return;
      await finishApplying(state);
      if (seq !== applySeq) return;
    } finally {
      applying--;
    }
    onReady();
  };

  /**
   * A link whose kernel cannot run its scenario (a PV guest under x86_64): the kernel is the part
   * that was wrong, so the scenario runs under its own kernel, at the link's step, with a note
   * that names the kernel; the link's self-check, made for that kernel, is not applied. Only a
   * scenario that cannot run under its own kernel either falls back to the default.
   */
  const underOwnKernel = async (state: LinkState, failed: AppState) => {
    const why = failed.issues
      .slice(0, 2)
      .map((i) => i.message)
      .join("; ");
    const own: LinkState = { ...state, kernel: null, check: null, compareCheck: null };
    links.setState({
      notes: [
        ...links.getState().notes,
        `This link's kernel=${state.kernel} cannot run its scenario (${why}); the scenario's own kernel runs instead, and the link's self-check, made for ${state.kernel}, is not applied.`,
      ],
    });
    pending = own;
    await applyState(own);
  };

  /** Granularity, step, selection and page of a link, once its run is ready. */
  const finishApplying = async (state: LinkState) => {
    const st = store.getState();
    if (st.granularity !== state.granularity) await st.setGranularity(state.granularity);
    const run = store.getState().run;
    if (!run) return;
    store.getState().seek(state.step ?? openingPosition(store.getState().scenario, run, state.granularity));
    const sel = state.selection;
    const cur = store.getState().selection;
    if (sel ? !cur || cur.mm !== sel.mm || cur.table !== sel.table : cur !== null)
      store.getState().select(sel ? { mm: sel.mm, table: sel.table } : null);
    if (sel?.page !== undefined && sel.mm < run.trace.mmNames.length)
      store.getState().selectPage({ mm: sel.mm, page: sel.page });
  };

  /** A run is ready: check it against the link it came from, if any, and write the URL. */
  const onReady = () => {
    const s = store.getState();
    if (!s.run || s.status !== "ready") return;
    const p = pending;
    pending = null;
    if (p) {
      // What the link asked for that this run does not have: say so, and what is shown instead.
      const notes = rangeNotes(p, s.run);
      const sel = p.selection;
      if (sel && notes.some((n) => n.startsWith("This link's sel=")) && s.selection !== null) {
        applying++;
        try {
          store.getState().select(null);
          store.getState().selectPage(null);
        } finally {
          applying--;
        }
      }
      if (notes.length > 0) links.setState({ notes: [...links.getState().notes, ...notes] });
    }
    if (p?.check) {
      const keys = s.run.counters.map((c) => c.key);
      const report = verifyCheck(p.check, s.run.trace, keys, outcomeOf(s.run));
      links.setState({
        report,
        ...(report.note ? { notes: [...links.getState().notes, report.note] } : {}),
      });
      pinned = report.matches ? null : p.check;
    } else if (p) {
      links.setState({ report: null });
      pinned = null;
    }
    write("replace");
  };

  /** The app's first load finished (store.init): apply what InitialState cannot carry. */
  const onFirstReady = async () => {
    const sel = pending?.selection;
    const run = store.getState().run;
    if (run && sel?.page !== undefined && sel.mm < run.trace.mmNames.length) {
      applying++;
      try {
        store.getState().selectPage({ mm: sel.mm, page: sel.page });
      } finally {
        applying--;
      }
    }
    onReady();
  };

  /**
   * True when the history entry's link shows the same scenario under the same kernel as `s`, and
   * the same compare setting as now: only then does a finished load replace it rather than push.
   */
  const sameLoadAsEntry = (s: AppState): boolean => {
    const r = decodeLink(host.location.hash);
    if (!r.ok) return false;
    const kernel = s.kernel ?? scenarioKernel(concreteScenario(s));
    const scenario = resolveScenario(r.state.scenario);
    const c = links.getState().compare;
    const entry = compareOfLink(r.state);
    const seed = r.state.seed ?? null;
    return (
      (r.state.kernel ?? scenarioKernel(concreteScenario({ scenario, seed }))) === kernel &&
      (hasVary(scenario) ? seed : null) === linkSeed(s) &&
      jsonEqual(toJson(scenario), toJson(s.scenario)) &&
      entry?.kernel === c?.kernel &&
      sameRight(entry?.right ?? null, c?.right ?? null)
    );
  };

  const loadKeyOf = (s: AppState): LoadKey => ({
    presetId: s.presetId,
    scenario: s.scenario,
    kernel: s.kernel,
    seed: s.seed,
  });
  const sameKey = (a: LoadKey, b: LoadKey) =>
    a.presetId === b.presetId && a.scenario === b.scenario && a.kernel === b.kernel && a.seed === b.seed;

  const unsubscribe = store.subscribe((s, prev) => {
    // A new left run means a new comparison: its right run reports again when it is ready.
    if (s.run !== prev.run) rightRun = null;
    const loaded = !sameKey(loadKeyOf(s), loadKeyOf(prev));
    const becameReady = s.run !== prev.run && s.run !== null && s.status === "ready";
    const becameError = s.status === "error" && prev.status !== "error";
    if (!started) {
      if (becameReady) {
        started = true;
        void onFirstReady();
      } else if (becameError && s.issues.length > 0) {
        started = true;
        if (firstState.kernel !== null && first.ok) void underOwnKernel(firstState, s);
        else void fallBack(cannotRun(s), defaultLinkState(links.getState().embed));
      }
      return;
    }
    if (applying > 0) return;
    if (loaded) {
      // The user loaded something; the old link's warnings no longer apply. A replace still
      // waiting for its delay records the old entry's last step first. The new entry is pushed
      // when the run is ready, so a load that fails or is cancelled leaves no entry behind.
      if (timer !== null) write("replace", prev);
      pinned = null;
      pending = null;
      loadPending = true;
      compareExpect = null;
      comparePinned = null;
      // A new scenario opens on the whole RAM; compare mode stays on, at the new run's position.
      const c = links.getState().compare;
      links.setState({
        report: null,
        error: null,
        notes: [],
        page: null,
        zoom: null,
        viewStart: null,
        compare: c ? { ...c, position: null, report: null } : null,
      });
      return;
    }
    if (becameReady) {
      if (loadPending) {
        loadPending = false;
        // Loading what the entry already shows (a revert after a cancel) replaces it.
        write(sameLoadAsEntry(s) ? "replace" : "push");
      } else onReady();
      return;
    }
    if (loadPending) {
      if (s.status === "error") loadPending = false;
      return;
    }
    if (
      s.position !== prev.position ||
      s.granularity !== prev.granularity ||
      s.selection !== prev.selection ||
      s.selectedPage !== prev.selectedPage
    ) {
      scheduleReplace();
    }
  });

  const onPopState = () => {
    const r: DecodeResult = decodeLink(host.location.hash);
    if (!r.ok) {
      void fallBack({ kind: r.kind, message: r.error }, r.fallback);
      return;
    }
    links.setState({
      error: null,
      notes: r.notes,
      report: null,
      zoom: r.state.zoom,
      viewStart: r.state.viewStart,
      section: r.state.section,
      balloonHighlight: r.state.balloonHighlight,
      present: r.state.present ?? false,
      sweep: r.state.sweep ?? null,
      compare: compareOfLink(r.state),
      embed: r.state.embed,
      page:
        r.state.selection?.page !== undefined
          ? { mm: r.state.selection.mm, page: r.state.selection.page }
          : null,
    });
    pinned = null;
    comparePinned = null;
    compareExpect = compareExpectOf(r.state);
    pending = r.state;
    void applyState(r.state);
  };
  host.addEventListener("popstate", onPopState);

  return {
    links,
    linkTo(o = {}) {
      const state = stateOf(store.getState(), { step: o.step ?? true, fresh: true, embed: o.embed });
      const base = host.location.href.replace(/#.*$/, "");
      return `${base}#${encodeLink(state)}`;
    },
    setSection(section) {
      if (links.getState().section === section) return;
      links.setState({ section });
      if (!quiet()) scheduleReplace();
    },
    setBalloonHighlight(on) {
      if (links.getState().balloonHighlight === on) return;
      links.setState({ balloonHighlight: on });
      if (!quiet()) scheduleReplace();
    },
    setPresent(on) {
      if (links.getState().present === on) return;
      links.setState({ present: on });
      if (!quiet()) scheduleReplace();
    },
    setSweep(sweep) {
      if (links.getState().sweep === sweep) return;
      links.setState({ sweep });
      if (!quiet()) scheduleReplace();
    },
    setZoom(zoom, viewStart) {
      const l = links.getState();
      if (l.zoom === zoom && l.viewStart === viewStart) return;
      links.setState({ zoom, viewStart });
      if (!quiet()) scheduleReplace();
    },
    setCompare(kernel, right = null) {
      const c = links.getState().compare;
      if (kernel === null ? c === null : c?.kernel === kernel && sameRight(c.right, right)) return;
      rightRun = null;
      compareExpect = null;
      comparePinned = null;
      links.setState({ compare: kernel ? { kernel, right, position: null, report: null } : null });
      if (!quiet()) write("push");
    },
    setComparePosition(position) {
      const c = links.getState().compare;
      if (!c || c.position === position) return;
      links.setState({ compare: { ...c, position } });
      if (!quiet()) scheduleReplace();
    },
    compareReady(run) {
      const c = links.getState().compare;
      if (!c || (run === rightRun && compareExpect === null)) return;
      rightRun = run;
      const expect = compareExpect;
      compareExpect = null;
      if (expect) {
        const report = verifyCheck(
          expect,
          run.trace,
          run.counters.map((k) => k.key),
          outcomeOf(run),
        );
        comparePinned = report.matches ? null : expect.end;
        links.setState({ compare: { ...c, report } });
      }
      if (!quiet()) scheduleReplace();
    },
    dismissError() {
      links.setState({ error: null, notes: [] });
    },
    dismissReport() {
      links.setState({ report: null });
    },
    stop() {
      unsubscribe();
      host.removeEventListener("popstate", onPopState);
      if (timer !== null) clearTimeout(timer);
    },
  };
}

const GRANULARITY_WORDS: Readonly<Record<string, string>> = {
  action: "scenario action",
  table: "page table",
  pte: "PTE",
};

/**
 * Notes for the parts of a link that name more than the run has (a link edited by hand, or made
 * for another scenario): the step past the end, a selection outside the run's page tables. The
 * store clamps the step and the view drops such a selection; these say so, with the value.
 */
export function rangeNotes(state: LinkState, run: RunInfo): string[] {
  const notes: string[] = [];
  const fmt = (n: number) => n.toLocaleString("en-US");
  const count = run.counts[state.granularity];
  if (state.step !== null && state.step > count)
    notes.push(
      `This link's step=${fmt(state.step)} is past the end of this run (${fmt(count)} steps by ${GRANULARITY_WORDS[state.granularity]}); its end, step ${fmt(count)}, is shown.`,
    );
  const sel = state.selection;
  if (sel) {
    const t = run.trace;
    const spell = `sel=${sel.mm}.${sel.table}${sel.page !== undefined ? `.${sel.page}` : ""}`;
    const mms = t.mmNames.length;
    const pages = t.mmPages[sel.mm];
    const tables =
      pages === undefined
        ? 0
        : Math.ceil((pages + (t.mmPageOffset[sel.mm] ?? 0)) / 2 ** (t.mmPteShift[sel.mm] ?? 8));
    if (sel.mm >= mms)
      notes.push(
        `This link's ${spell} names address space ${sel.mm}, which this run does not have (it has ${mms}: ${t.mmNames.join(", ")}); nothing is selected.`,
      );
    else if (sel.table >= tables)
      notes.push(
        `This link's ${spell} names page table ${fmt(sel.table)} of the ${t.mmNames[sel.mm]}, which has ${fmt(tables)}; nothing is selected.`,
      );
    else if (sel.page !== undefined && pages !== undefined && sel.page >= pages)
      notes.push(
        `This link's ${spell} follows guest page ${fmt(sel.page)}, past the ${t.mmNames[sel.mm]}'s ${fmt(pages)} pages; no page is followed.`,
      );
  }
  return notes;
}

function cannotRun(s: AppState): LinkError {
  const shown = s.issues.slice(0, 6).map((i) => (i.path ? `${i.path}: ${i.message}` : i.message));
  return {
    kind: "cannot-run",
    message: `This link's scenario cannot run:\n${shown.join("\n")}`,
  };
}
