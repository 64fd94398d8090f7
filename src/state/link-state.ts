/**
 * The permalink as a function of the state: linkStateOf(app, links) is the link of what is shown
 * (src/permalink encodes it), with nothing read from the address bar or the history. link-sync.ts
 * writes it to the history; the share menu copies it. Also the link status's types (what a link
 * says beyond the engine state: zoom, sections, compare, embed, the self-check) and the notes a
 * link gets when it names more than its run has.
 *
 * The end-state checks and scenario references are remembered per run and per scenario object:
 * the link is asked for on every step, and hashing a run's end state is not free.
 */
import type { VariantId } from "../engine/variants.ts";
import { hasVary } from "../exercise/draw.ts";
import {
  type CheckReport,
  checkOf,
  type DecodeErrorKind,
  endHash,
  endStateOf,
  jsonEqual,
  LINK_VERSION,
  type LinkCheck,
  type LinkEmbed,
  type LinkSection,
  type LinkState,
  resolveScenario,
  type ScenarioRef,
  scenarioRefFor,
  toJson,
} from "../permalink/index.ts";
import type { SweepSpec } from "../sweep/spec.ts";
import type { RunInfo } from "../worker/api.ts";
import { type AppState, concreteScenario, scenarioKernel } from "./store.ts";

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
  /**
   * The right run's end hash (the link's `ch`) once its comparison with left run `left` is ready;
   * a new left run makes a new comparison, so the hash counts only while `left` is the app's run.
   */
  readonly hash?: { readonly left: number; readonly end: string } | null;
  /** The link's `ch`, kept in the URL while the right run disagrees with it; null otherwise. */
  readonly pinned?: string | null;
}

export interface LinkStatus {
  /** Why the last link could not be shown as it was (plain text), or null. */
  readonly error: LinkError | null;
  /** Things the decoder ignored, as sentences. */
  readonly notes: readonly string[];
  /** The self-check of the last link, once its run is ready; null if it had none. */
  readonly report: CheckReport | null;
  /**
   * The link's expectation (`e`, `h`, `ha`, `x`), kept in the URL while the run disagrees with it,
   * so that reloading the page shows the warning again; null when it agrees or the user moved on.
   */
  readonly pinned?: LinkCheck | null;
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

/** The link status before a link is read (and of a page without one). */
export const NO_LINK_STATUS: LinkStatus = {
  error: null,
  notes: [],
  report: null,
  pinned: null,
  zoom: null,
  viewStart: null,
  section: null,
  balloonHighlight: false,
  present: false,
  sweep: null,
  compare: null,
  embed: null,
  page: null,
};

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

/** Compare mode as link state `st` names it, or null. */
export function compareOfLink(st: LinkState): LinkCompare | null {
  if (!st.compare) return null;
  const right = st.compareScenario ? rightOfRef(st.compareScenario) : null;
  return { kernel: st.compare, right, position: st.compareStep, report: null };
}

/** What a link expects of the right run: its hash under the left check's engine version. */
export function compareExpectOf(st: LinkState): LinkCheck | null {
  return st.compare && st.compareCheck && st.check
    ? { engine: st.check.engine, end: st.compareCheck, actions: "" }
    : null;
}

/** The link status a decoded link state starts with (its error and notes are the caller's). */
export function linkStatusOf(st: LinkState): Omit<LinkStatus, "error" | "notes"> {
  return {
    report: null,
    pinned: null,
    zoom: st.zoom,
    viewStart: st.viewStart,
    section: st.section,
    balloonHighlight: st.balloonHighlight,
    present: st.present ?? false,
    sweep: st.sweep ?? null,
    compare: compareOfLink(st),
    embed: st.embed,
    page: st.selection?.page !== undefined ? { mm: st.selection.mm, page: st.selection.page } : null,
  };
}

/** The seed a state's link carries: only a scenario with ranges draws from one. */
export function linkSeed(s: Pick<AppState, "scenario" | "seed">): number | null {
  return s.seed !== null && hasVary(s.scenario) ? s.seed : null;
}

/** The kernel a state runs: the chosen one, else the (drawn) scenario's own. */
export function runKernel(s: Pick<AppState, "kernel" | "scenario" | "seed">): VariantId | null {
  return s.kernel ?? scenarioKernel(concreteScenario(s));
}

const checks = new WeakMap<RunInfo, LinkCheck>();
const hashes = new WeakMap<RunInfo, string>();
const refs = new WeakMap<object, Map<string | null, ScenarioRef>>();

/** A ready run's self-check: its end state, hashed (remembered per run). */
export function runCheck(run: RunInfo): LinkCheck {
  let c = checks.get(run);
  if (!c) {
    c = checkOf(
      run.trace,
      run.counters.map((k) => k.key),
      run.outcome,
    );
    checks.set(run, c);
  }
  return c;
}

/** A run's end hash (the link's `ch` for a comparison's right run), remembered per run. */
export function runEndHash(run: RunInfo): string {
  let h = hashes.get(run);
  if (h === undefined) {
    h = endHash(
      endStateOf(
        run.trace,
        run.counters.map((k) => k.key),
        run.outcome,
      ),
    );
    hashes.set(run, h);
  }
  return h;
}

/** How a link names a scenario from a preset (remembered per scenario object and preset). */
function refOf(presetId: string | null, scenario: unknown): ScenarioRef {
  if (typeof scenario !== "object" || scenario === null) return scenarioRefFor(presetId, scenario);
  let byPreset = refs.get(scenario);
  if (!byPreset) {
    byPreset = new Map();
    refs.set(scenario, byPreset);
  }
  let ref = byPreset.get(presetId);
  if (!ref) {
    ref = scenarioRefFor(presetId, scenario);
    byPreset.set(presetId, ref);
  }
  return ref;
}

export interface LinkOptions {
  /** Carry the step, the selection and the shared compare position (false: the scenario alone). */
  readonly step: boolean;
  /**
   * The current run's own check (a copied link), not a link's expectation still pinned in the
   * address bar.
   */
  readonly fresh: boolean;
  /** The embed options; undefined: the link status's. */
  readonly embed?: LinkEmbed | null;
}

type LinkApp = Pick<
  AppState,
  "presetId" | "scenario" | "kernel" | "seed" | "status" | "run" | "granularity" | "position" | "selection"
> &
  Partial<Pick<AppState, "selectedPage">>;

/** The link of the state: the app's scenario, kernel, step and selection, and the link status. */
export function linkStateOf(app: LinkApp, links: LinkStatus, o: LinkOptions): LinkState {
  const ready = app.status === "ready" && app.run !== null;
  const sel = app.selection;
  const page = app.selectedPage ?? links.page;
  const check = !o.fresh && links.pinned ? links.pinned : ready ? runCheck(app.run!) : null;
  const c = links.compare;
  const seed = linkSeed(app);
  const rightHash = c?.hash && app.run && c.hash.left === app.run.runId ? c.hash.end : null;
  return {
    v: LINK_VERSION,
    scenario: refOf(app.presetId, app.scenario),
    kernel: runKernel(app),
    granularity: app.granularity,
    step: o.step && ready ? app.position : null,
    selection:
      o.step && sel
        ? page && page.mm === sel.mm
          ? { mm: sel.mm, table: sel.table, page: page.page }
          : { mm: sel.mm, table: sel.table }
        : null,
    zoom: links.zoom,
    viewStart: links.viewStart,
    section: links.section,
    balloonHighlight: links.balloonHighlight,
    ...(links.present ? { present: true } : {}),
    ...(seed !== null ? { seed } : {}),
    ...(links.sweep ? { sweep: links.sweep } : {}),
    compare: c?.kernel ?? null,
    compareScenario: c?.right ? refOf(c.right.presetId, c.right.scenario) : null,
    compareStep: o.step && ready && c ? c.position : null,
    compareCheck: c && check ? ((!o.fresh ? c.pinned : null) ?? rightHash) : null,
    embed: o.embed === undefined ? links.embed : o.embed,
    check,
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

/** Why a link's scenario cannot run (the store's issues, the first six). */
export function cannotRun(s: Pick<AppState, "issues">): LinkError {
  const shown = s.issues.slice(0, 6).map((i) => (i.path ? `${i.path}: ${i.message}` : i.message));
  return {
    kind: "cannot-run",
    message: `This link's scenario cannot run:\n${shown.join("\n")}`,
  };
}
