/**
 * The only writer of the browser's history: keeps the address bar on the link of what is shown
 * (linkStateOf, link-state.ts) and applies a link when the reader goes Back or Forward. It writes
 * the link status, the app store's `link` (`links` reads it as a store of its own).
 *
 * App → URL: loading a scenario, a preset or another kernel pushes a history entry once its run
 * is ready, so Back returns to the previous one (a load that fails or is cancelled adds none);
 * stepping, changing granularity or selection, zooming or scrolling to a section replaces the
 * current entry (at most every `replaceDelayMs`, so playback does not flood the history or trip
 * the browser's rate limit). Turning compare mode on or off, or changing its right side, pushes.
 *
 * URL → app: the link the page opened with is read by url.ts into the store's initial state; a
 * popstate (Back, Forward, an edited fragment) is decoded here and applied to the store. A broken
 * link shows its error and the default scenario.
 *
 * What it does is decided by one value, `phase`:
 *
 * - opening: the page's first run is computing (for the link it opened with, `link`). Nothing is
 *   written; when the run is ready the link is checked and the entry replaced.
 * - applying: a link (`link`: a popstate, or the default after a broken link) is being brought
 *   into the store. The store's changes are the link's, so they write nothing; a newer link
 *   replaces the phase, and the older one's loads then stop at their next step.
 * - loading: a load the user started is computing. Its entry is pushed when the run is ready
 *   (it carries a compare change made meanwhile too: writing earlier would overwrite the previous
 *   entry with a half-loaded state, and Back would never leave compare mode).
 * - steady: every change replaces the entry (compare changes push).
 *
 * Self-check: when a run computed for a link is ready, its end state is compared with the link's
 * (`e`, `h`, `ha`, `x`); a difference becomes `report` for the banner, and the link's expectation
 * stays in the address bar (links.pinned) until the user loads something else, so that reloading
 * the page shows the warning again. Copied links always carry the current run's check.
 */
import type { StoreApi } from "zustand/vanilla";
import type { VariantId } from "../engine/variants.ts";
import { hasVary } from "../exercise/draw.ts";
import {
  type DecodeResult,
  decodeLink,
  defaultLinkState,
  encodeLink,
  jsonEqual,
  type LinkCheck,
  type LinkEmbed,
  type LinkSection,
  type LinkState,
  resolveScenario,
  toJson,
  verifyCheck,
} from "../permalink/index.ts";
import type { SweepSpec } from "../sweep/spec.ts";
import type { RunInfo } from "../worker/api.ts";
import {
  cannotRun,
  compareExpectOf,
  compareOfLink,
  type LinkError,
  type LinkStatus,
  linkSeed,
  linkStateOf,
  linkStatusOf,
  type RightScenario,
  rangeNotes,
  runEndHash,
  runKernel,
  sameRight,
} from "./link-state.ts";
import { type AppState, type AppStore, openingPosition } from "./store.ts";
import { linkResultState } from "./url.ts";

export type {
  LinkCompare,
  LinkError,
  LinkSection,
  LinkStatus,
  RightScenario,
} from "./link-state.ts";

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

export interface LinkSyncOptions {
  /** Coalesce replaceState calls (stepping) to one per this many ms; 0 writes at once. */
  readonly replaceDelayMs?: number;
}

export type Phase =
  | { readonly kind: "opening"; readonly link: LinkState; readonly decoded: boolean }
  | { readonly kind: "applying"; readonly link: LinkState }
  | { readonly kind: "loading" }
  | { readonly kind: "steady" };

const STEADY: Phase = { kind: "steady" };

type LoadKey = Pick<AppState, "presetId" | "scenario" | "kernel" | "seed">;

const sameLoadKey = (a: LoadKey, b: LoadKey) =>
  a.presetId === b.presetId && a.scenario === b.scenario && a.kernel === b.kernel && a.seed === b.seed;

/** The store already runs what `state` names (scenario, seed and kernel): applying it loads nothing. */
function runsLink(s: AppState, state: LinkState): boolean {
  const scenario = resolveScenario(state.scenario);
  const seed = state.seed ?? null;
  return (
    s.run !== null &&
    jsonEqual(toJson(s.scenario), toJson(scenario)) &&
    linkSeed(s) === (hasVary(scenario) ? seed : null) &&
    runKernel(s) === (state.kernel ?? runKernel({ kernel: null, scenario, seed }))
  );
}

/** The link status as a store of its own: a lens on `AppState.link` (one store underneath). */
export interface LinkStatusStore
  extends Pick<StoreApi<LinkStatus>, "getState" | "getInitialState" | "subscribe"> {
  setState(patch: Partial<LinkStatus>): void;
}

function linkStatusStore(store: AppStore): LinkStatusStore {
  return {
    getState: () => store.getState().link,
    getInitialState: () => store.getInitialState().link,
    setState: (patch) => store.setState((s) => ({ link: { ...s.link, ...patch } })),
    subscribe: (listener) =>
      store.subscribe((s, prev) => {
        if (s.link !== prev.link) listener(s.link, prev.link);
      }),
  };
}

export class LinkSync {
  /** The app store's link status, read as a store (its views, the sweep, compare's link side). */
  readonly links: LinkStatusStore;
  /** What the sync is doing (see the module's comment). */
  private phase: Phase;
  /** The link's expectation for the right run of a comparison, until that run is ready. */
  private compareExpect: LinkCheck | null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private readonly delay: number;
  private readonly unsubscribe: () => void;

  constructor(
    private readonly store: AppStore,
    private readonly host: UrlHost,
    opts: LinkSyncOptions = {},
  ) {
    this.delay = opts.replaceDelayMs ?? 150;
    const first = decodeLink(host.location.hash);
    const firstState = linkResultState(first);
    this.links = linkStatusStore(store);
    this.links.setState({
      error: first.ok ? null : { kind: first.kind, message: first.error },
      notes: first.ok ? first.notes : [],
      ...linkStatusOf(firstState),
    });
    this.phase = { kind: "opening", link: firstState, decoded: first.ok };
    this.compareExpect = compareExpectOf(firstState);
    this.unsubscribe = store.subscribe((s, prev) => this.onStore(s, prev));
    host.addEventListener("popstate", this.onPopState);
  }

  /** The phase, for tests and the README's sequences. */
  get currentPhase(): Phase["kind"] {
    return this.phase.kind;
  }

  /** The absolute URL of the current state: `step: false` leaves out step and selection. */
  linkTo(o: { step?: boolean; embed?: LinkEmbed | null } = {}): string {
    const state = linkStateOf(this.store.getState(), this.links.getState(), {
      step: o.step ?? true,
      fresh: true,
      embed: o.embed,
    });
    const base = this.host.location.href.replace(/#.*$/, "");
    return `${base}#${encodeLink(state)}`;
  }

  /** The memory maps' zoom factor and first table; (null, null) for the whole RAM. */
  setZoom(zoom: number | null, viewStart: number | null): void {
    const l = this.links.getState();
    if (l.zoom === zoom && l.viewStart === viewStart) return;
    this.changeLink({ zoom, viewStart });
  }

  /** The memory panel's open section, as the user scrolls or picks it (replaces the entry). */
  setSection(section: LinkSection | null): void {
    if (this.links.getState().section !== section) this.changeLink({ section });
  }

  /** The balloon view's "highlight the ballooned tables" (replaces the entry). */
  setBalloonHighlight(on: boolean): void {
    if (this.links.getState().balloonHighlight !== on) this.changeLink({ balloonHighlight: on });
  }

  /** Presentation mode on or off (replaces the entry). */
  setPresent(on: boolean): void {
    if (this.links.getState().present !== on) this.changeLink({ present: on });
  }

  /** A sweep opened, changed or closed (replaces the entry; a point it opens pushes its own). */
  setSweep(sweep: SweepSpec | null): void {
    if (this.links.getState().sweep !== sweep) this.changeLink({ sweep });
  }

  /**
   * Compare mode turned on (against `kernel`, with `right` on the right or the left's scenario),
   * changed or turned off (null): pushes a history entry, unless a load is pending.
   */
  setCompare(kernel: VariantId | null, right: RightScenario | null = null): void {
    const c = this.links.getState().compare;
    if (kernel === null ? c === null : c?.kernel === kernel && sameRight(c.right, right)) return;
    this.compareExpect = null;
    this.links.setState({ compare: kernel ? { kernel, right, position: null, report: null } : null });
    if (this.phase.kind === "steady") this.write("push");
  }

  /** The compare view's shared aligned position (replaces the entry, like stepping). */
  setComparePosition(position: number | null): void {
    const c = this.links.getState().compare;
    if (c && c.position !== position) this.changeLink({ compare: { ...c, position } });
  }

  /** A comparison is ready: check its right run against the link, and carry its hash in links. */
  compareReady(run: RunInfo): void {
    const c = this.links.getState().compare;
    const left = this.store.getState().run?.runId ?? -1;
    const end = runEndHash(run);
    if (!c || (c.hash?.left === left && c.hash.end === end && this.compareExpect === null)) return;
    const hash = { left, end };
    const expect = this.compareExpect;
    this.compareExpect = null;
    if (expect) {
      const report = verifyCheck(
        expect,
        run.trace,
        run.counters.map((k) => k.key),
        run.outcome,
      );
      this.changeLink({ compare: { ...c, hash, report, pinned: report.matches ? null : expect.end } });
    } else this.changeLink({ compare: { ...c, hash } });
  }

  dismissError(): void {
    this.links.setState({ error: null, notes: [] });
  }

  dismissReport(): void {
    this.links.setState({ report: null });
  }

  /** Stops listening to the store and to popstate. */
  stop(): void {
    this.unsubscribe();
    this.host.removeEventListener("popstate", this.onPopState);
    if (this.timer !== null) clearTimeout(this.timer);
  }

  /** A part of the link that is not engine state changed: the entry follows, like a step. */
  private changeLink(patch: Partial<LinkStatus>): void {
    this.links.setState(patch);
    if (this.phase.kind === "steady") this.scheduleReplace();
  }

  private write(mode: "push" | "replace", s: AppState = this.store.getState()): void {
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    const url = `#${encodeLink(linkStateOf(s, this.links.getState(), { step: true, fresh: false }))}`;
    if (mode === "replace" && url === this.host.location.hash) return;
    if (mode === "push") this.host.history.pushState(null, "", url);
    else this.host.history.replaceState(null, "", url);
  }

  private scheduleReplace(): void {
    if (this.delay <= 0) this.write("replace");
    else if (this.timer === null) this.timer = setTimeout(() => this.write("replace"), this.delay);
  }

  private onStore(s: AppState, prev: AppState): void {
    const becameReady = s.run !== prev.run && s.run !== null && s.status === "ready";
    switch (this.phase.kind) {
      case "opening":
        if (becameReady) this.openingReady(this.phase.link);
        else if (s.status === "error" && prev.status !== "error" && s.issues.length > 0)
          void this.refused(this.phase, s);
        return;
      case "applying":
        return;
      default:
        break;
    }
    if (!sameLoadKey(s, prev)) {
      this.userLoads(prev);
      return;
    }
    if (this.phase.kind === "loading") {
      if (becameReady) {
        this.phase = STEADY;
        // Loading what the entry already shows (a revert after a cancel) replaces it.
        this.write(this.sameLoadAsEntry(s) ? "replace" : "push");
      } else if (s.status === "error") this.phase = STEADY;
      return;
    }
    if (becameReady) this.settle(null);
    else if (
      s.position !== prev.position ||
      s.granularity !== prev.granularity ||
      s.selection !== prev.selection ||
      s.selectedPage !== prev.selectedPage
    )
      this.scheduleReplace();
  }

  /**
   * The user loaded something; the old link's warnings no longer apply. A replace still waiting
   * for its delay records the old entry's last step first. The new entry is pushed when the run
   * is ready, so a load that fails or is cancelled leaves no entry behind.
   */
  private userLoads(prev: AppState): void {
    if (this.timer !== null) this.write("replace", prev);
    this.phase = { kind: "loading" };
    this.compareExpect = null;
    // A new scenario opens on the whole RAM; compare mode stays on, at the new run's position.
    const c = this.links.getState().compare;
    this.links.setState({
      report: null,
      pinned: null,
      error: null,
      notes: [],
      page: null,
      zoom: null,
      viewStart: null,
      compare: c ? { kernel: c.kernel, right: c.right, position: null, report: null } : null,
    });
  }

  /** The page's first run is ready (store.init): apply what InitialState cannot carry, then settle. */
  private openingReady(link: LinkState): void {
    const sel = link.selection;
    const run = this.store.getState().run;
    if (run && sel?.page !== undefined && sel.mm < run.trace.mmNames.length)
      this.store.getState().selectPage({ mm: sel.mm, page: sel.page });
    this.settle(link);
  }

  /** The page's first run was refused: its own kernel, or the default scenario. */
  private async refused(
    { link, decoded }: { link: LinkState; decoded: boolean },
    s: AppState,
  ): Promise<void> {
    if (link.kernel !== null && decoded) await this.underOwnKernel(link, s);
    else await this.fallBack(cannotRun(s), defaultLinkState(this.links.getState().embed));
  }

  /**
   * A run is ready: check it against the link it came from (null: none), note what the link asked
   * for that the run does not have, and write the URL. The phase is steady from here.
   */
  private settle(link: LinkState | null): void {
    const s = this.store.getState();
    if (!s.run || s.status !== "ready") {
      this.phase = STEADY;
      return;
    }
    if (link) {
      const notes = rangeNotes(link, s.run);
      if (link.selection && notes.some((n) => n.startsWith("This link's sel=")) && s.selection !== null) {
        s.select(null);
        this.store.getState().selectPage(null);
      }
      if (notes.length > 0) this.links.setState({ notes: [...this.links.getState().notes, ...notes] });
      if (link.check) {
        const report = verifyCheck(
          link.check,
          s.run.trace,
          s.run.counters.map((c) => c.key),
          s.run.outcome,
        );
        this.links.setState({
          report,
          pinned: report.matches ? null : link.check,
          ...(report.note ? { notes: [...this.links.getState().notes, report.note] } : {}),
        });
      } else this.links.setState({ report: null, pinned: null });
    }
    this.phase = STEADY;
    this.write("replace");
  }

  private readonly onPopState = (): void => {
    const r: DecodeResult = decodeLink(this.host.location.hash);
    if (!r.ok) {
      void this.fallBack({ kind: r.kind, message: r.error }, r.fallback);
      return;
    }
    this.links.setState({ error: null, notes: r.notes, ...linkStatusOf(r.state) });
    this.compareExpect = compareExpectOf(r.state);
    void this.apply(r.state);
  };

  /** Loads the default scenario after a link could not be shown, replacing the history entry. */
  private async fallBack(error: LinkError, fallback: LinkState): Promise<void> {
    this.links.setState({ error, report: null, notes: [] });
    await this.apply(fallback, true);
  }

  /**
   * A link whose kernel cannot run its scenario (a PV guest under x86_64): the kernel is the part
   * that was wrong, so the scenario runs under its own kernel, at the link's step, with a note
   * that names the kernel; the link's self-check, made for that kernel, is not applied. Only a
   * scenario that cannot run under its own kernel either falls back to the default.
   */
  private async underOwnKernel(state: LinkState, failed: AppState): Promise<void> {
    const why = failed.issues
      .slice(0, 2)
      .map((i) => i.message)
      .join("; ");
    const own: LinkState = { ...state, kernel: null, check: null, compareCheck: null };
    this.links.setState({
      notes: [
        ...this.links.getState().notes,
        `This link's kernel=${state.kernel} cannot run its scenario (${why}); the scenario's own kernel runs instead, and the link's self-check, made for ${state.kernel}, is not applied.`,
      ],
    });
    await this.apply(own);
  }

  /** Brings the store to `state` (from a popstate or a fallback) without writing history. */
  private async apply(state: LinkState, isFallback = false): Promise<void> {
    const phase: Phase = { kind: "applying", link: state };
    this.phase = phase;
    const current = () => this.phase === phase;
    // A link lands on its own step: playback would move on from it (or from where it was).
    this.store.getState().setPlaying(false);
    if (!runsLink(this.store.getState(), state)) {
      const sc = state.scenario;
      const seed = state.seed ?? null;
      if (sc.kind === "preset" && !sc.overrides)
        await this.store.getState().loadPreset(sc.id, state.kernel, seed);
      else await this.store.getState().loadScenario(resolveScenario(sc), state.kernel, seed);
    }
    if (!current()) return;
    const after = this.store.getState();
    if (after.status === "error" && after.issues.length > 0 && !isFallback) {
      if (state.kernel !== null) await this.underOwnKernel(state, after);
      else await this.fallBack(cannotRun(after), defaultLinkState(this.links.getState().embed));
      return;
    }
    if (after.status !== "ready" || !after.run) {
      this.phase = STEADY;
      return;
    }
    await this.finishApplying(state);
    if (current()) this.settle(state);
  }

  /** Granularity, step, selection and page of a link, once its run is ready. */
  private async finishApplying(state: LinkState): Promise<void> {
    const st = this.store.getState();
    if (st.granularity !== state.granularity) await st.setGranularity(state.granularity);
    const run = this.store.getState().run;
    if (!run) return;
    const app = () => this.store.getState();
    app().seek(state.step ?? openingPosition(app().scenario, run, state.granularity));
    const sel = state.selection;
    const cur = app().selection;
    if (sel ? !cur || cur.mm !== sel.mm || cur.table !== sel.table : cur !== null)
      app().select(sel ? { mm: sel.mm, table: sel.table } : null);
    if (sel?.page !== undefined && sel.mm < run.trace.mmNames.length)
      app().selectPage({ mm: sel.mm, page: sel.page });
  }

  /**
   * True when the history entry's link shows the same scenario under the same kernel as `s`, and
   * the same compare setting as now: only then does a finished load replace it rather than push.
   */
  private sameLoadAsEntry(s: AppState): boolean {
    const r = decodeLink(this.host.location.hash);
    if (!r.ok) return false;
    const c = this.links.getState().compare;
    const entry = compareOfLink(r.state);
    return (
      runsLinkScenario(s, r.state) &&
      entry?.kernel === c?.kernel &&
      sameRight(entry?.right ?? null, c?.right ?? null)
    );
  }
}

/** The same scenario, seed and kernel as link state `state` names (whether or not a run is ready). */
function runsLinkScenario(s: AppState, state: LinkState): boolean {
  const scenario = resolveScenario(state.scenario);
  const seed = state.seed ?? null;
  return (
    (state.kernel ?? runKernel({ kernel: null, scenario, seed })) === runKernel(s) &&
    (hasVary(scenario) ? seed : null) === linkSeed(s) &&
    jsonEqual(toJson(scenario), toJson(s.scenario))
  );
}
