/**
 * The app's state (zustand): which scenario and kernel, the run the worker computed, where in the
 * trace we are, what is selected, and playback. Views read it; they change it only through the
 * actions below, which turn intent into requests to the worker.
 *
 * Seeking is latest-wins (latest.ts): while a view request is in flight, further seeks only remember
 * their target, and the newest one is fetched when the answer arrives. Stale answers are dropped.
 * `position` is the target; `view.position` is what the views show. `isIdle()` is true when the
 * two agree and nothing is in flight (the e2e tests and the UI benchmark wait for it).
 *
 * Selection has two levels: `selection` is the page table the table view shows, `selectedPage`
 * the PTE whose life `pageHistory` tells (fetched from the worker when a page is selected).
 *
 * The store is created with an engine API (the comlink proxy in the app, an in-process EngineHost
 * in tests) and with the initial URL state, read once at creation (StrictMode runs effects twice).
 */
import { createStore, type StoreApi } from "zustand/vanilla";
import { isVariantId } from "../engine/variants.ts";
import { drawScenario, hasCheckpoints } from "../exercise/draw.ts";
import { PRESET_ALIASES } from "../scenario/presets/index.ts";
import type {
  EngineApi,
  Granularity,
  HistoryEntry,
  PresetInfo,
  RunInfo,
  ScenarioIssue,
  Selection,
  SelftestReport,
  VariantId,
  VariantInfo,
  ViewState,
} from "../worker/api.ts";
import type { CompareState } from "./compare.ts";
import { latestWins } from "./latest.ts";
import { type LinkStatus, NO_LINK_STATUS } from "./link-state.ts";
import { compareSlice } from "./slices/compare.ts";
import type { Kit } from "./slices/kit.ts";
import { type MapViewState, mapViewSlice } from "./slices/map-view.ts";
import { createCursor, playbackActions } from "./slices/playback.ts";
import { runActions } from "./slices/run.ts";
import { createHistories, selectionActions } from "./slices/selection.ts";

/** A preset's current id: links and scripts may name one by an id it had before (PRESET_ALIASES). */
export function currentPresetId(id: string): string {
  return PRESET_ALIASES[id] ?? id;
}

export interface InitialState {
  readonly presetId?: string;
  readonly scenario?: unknown;
  readonly kernel?: VariantId;
  readonly granularity?: Granularity;
  readonly position?: number;
  readonly selection?: Selection | null;
  /** A student's seed (a link's seed=). */
  readonly seed?: number | null;
}

/** The furthest position stepping and playback may reach in run `runId`, at `granularity`. */
export interface SeekLimit {
  readonly runId: number;
  readonly granularity: Granularity;
  readonly position: number;
}

/** A PTE: the mm and the guest page it maps. */
export interface PageRef {
  readonly mm: number;
  readonly page: number;
}

export interface PageHistory {
  readonly runId: number;
  readonly page: PageRef;
  readonly status: "loading" | "ready" | "error";
  readonly entries: readonly HistoryEntry[];
}

export interface AppState extends MapViewState {
  readonly presets: readonly PresetInfo[];
  readonly variants: readonly VariantInfo[];
  /**
   * shared_zeropage_test.c run on the model of every kernel (EngineApi.selftests), once the ledger
   * panel asked for it (loadSelftests); null before.
   */
  readonly selftests: readonly SelftestReport[] | null;
  /** The preset the scenario came from, or null for a custom scenario. */
  readonly presetId: string | null;
  readonly scenario: unknown;
  /** Variant override; null runs the scenario's own kernel. */
  readonly kernel: VariantId | null;
  readonly status: "idle" | "loading" | "ready" | "error";
  readonly issues: readonly ScenarioIssue[];
  /** The chosen kernel, when `issues` say it cannot run a scenario that runs under its own kernel. */
  readonly refusingKernel: VariantId | null;
  readonly error: string | null;
  readonly run: RunInfo | null;
  readonly granularity: Granularity;
  /** The granularity last asked for: shown by the controls at once, while the position converts. */
  readonly wantedGranularity: Granularity;
  readonly position: number;
  readonly view: ViewState | null;
  readonly selection: Selection | null;
  readonly playing: boolean;
  /** Playback speed multiplier, 0.25 to 8. */
  readonly speed: number;
  /** The PTE whose history is shown, or null. */
  readonly selectedPage: PageRef | null;
  readonly pageHistory: PageHistory | null;
  /** prefers-reduced-motion: views jump to end states, with highlights but no motion. */
  readonly reducedMotion: boolean;
  readonly helpOpen: boolean;

  init(): Promise<void>;
  /** `seed`, when given, replaces the student's seed (a link's seed=; undefined keeps it). */
  loadPreset(id: string, kernel?: VariantId | null, seed?: number | null): Promise<void>;
  loadScenario(scenario: unknown, kernel?: VariantId | null, seed?: number | null): Promise<void>;
  setKernel(kernel: VariantId | null): Promise<void>;
  seek(position: number): void;
  /** Seeks to the end of event `event` (or the start with -1), at the current granularity. */
  seekToEvent(event: number): Promise<void>;
  stepBy(delta: number): void;
  setGranularity(granularity: Granularity): Promise<void>;
  select(selection: Selection | null): void;
  setPlaying(playing: boolean): void;
  /** Plays from the start when at the end; pauses when playing. */
  togglePlaying(): void;
  setSpeed(speed: number): void;
  /** Moves `delta` places along SPEEDS (0.25× … 8×). */
  stepSpeed(delta: number): void;
  /** Moves `delta` places along GRANULARITIES (action → page table → PTE), clamped. */
  stepGranularity(delta: number): Promise<void>;
  selectPage(page: PageRef | null): void;
  setReducedMotion(reduced: boolean): void;
  setHelpOpen(open: boolean): void;
  /** Asks the engine for the selftest reports, once (a second call while one runs does nothing). */
  loadSelftests(): Promise<void>;
  /**
   * A student's seed: the run is the scenario drawn for it from its exercise's ranges
   * (src/exercise/draw.ts); null: the scenario as written. It stays when another scenario loads
   * (it is the student's), and matters only for scenarios with ranges.
   */
  readonly seed: number | null;
  /** Draws the scenario again for `seed`: a new problem, under its own kernel. */
  setSeed(seed: number | null): Promise<void>;
  /**
   * A step that stepping and playback may reach but not pass (an exercise's unanswered question,
   * state/exercise.ts), or null. A seek past it from before it stops there, and pauses playback.
   */
  readonly seekLimit: SeekLimit | null;
  setSeekLimit(limit: SeekLimit | null): void;
  /**
   * The worker's compile-time checks (EngineApi.check) of the editor's draft, once asked for the
   * draft by checkDraft; null before, or after checkDraft(null).
   */
  readonly draftCheck: DraftCheck | null;
  /** Asks the worker to check a draft scenario (latest-wins: only the newest draft's answer lands). */
  checkDraft(scenario: unknown): void;
  /** Compare mode (slices/compare.ts): the right-hand run and the shared cursor; off by default. */
  readonly compare: CompareState;
  /**
   * The link status: what the link says beyond the engine state (zoom, open section, compare,
   * embed, …) and how the last link went (error, notes, self-check). Written by link-sync.ts.
   */
  readonly link: LinkStatus;
  /** True when the view shows `position` and no request is in flight. */
  isIdle(): boolean;
}

export interface DraftCheck {
  /** The draft checked (the very object passed to checkDraft). */
  readonly scenario: unknown;
  readonly issues: readonly ScenarioIssue[];
}

export type AppStore = StoreApi<AppState>;

/**
 * Where a run opens at `granularity` when nothing asks for a step: an exercise at its beginning
 * (its questions come before their steps), a story at its end.
 */
export function openingPosition(
  scenario: unknown,
  run: Pick<RunInfo, "counts">,
  granularity: Granularity,
): number {
  return hasCheckpoints(scenario) ? 0 : run.counts[granularity];
}

/** The page table that maps guest page `page.page` of mm `page.mm`, or null outside its RAM. */
export function tableOfPage(
  trace: Pick<RunInfo["trace"], "mmPages" | "mmPageOffset" | "mmPteShift">,
  page: PageRef,
): number | null {
  const pages = trace.mmPages[page.mm];
  if (pages === undefined || page.page < 0 || page.page >= pages) return null;
  const abs = page.page + (trace.mmPageOffset[page.mm] ?? 0);
  return Math.floor(abs / 2 ** (trace.mmPteShift[page.mm] ?? 8));
}

/** The kernel variant a scenario names (machine.kernel), or null. */
export function scenarioKernel(scenario: unknown): VariantId | null {
  const k = (scenario as { machine?: { kernel?: unknown } } | null)?.machine?.kernel;
  return typeof k === "string" && isVariantId(k) ? k : null;
}

/**
 * The kernel the user chose: the one being computed while a load runs, else the one shown. The
 * header's picker shows it at once (a picker that snapped back to the old kernel for seconds read
 * as "my click did not take").
 */
export function chosenKernel(s: Pick<AppState, "kernel" | "scenario" | "seed" | "run">): VariantId | null {
  return s.kernel ?? scenarioKernel(concreteScenario(s)) ?? s.run?.kernel.id ?? null;
}

let drawn: { scenario: unknown; seed: number; result: ReturnType<typeof drawScenario> } | null = null;

/** The scenario and seed's draw (remembered for the last pair: the header asks on every render). */
export function drawOf(scenario: unknown, seed: number): ReturnType<typeof drawScenario> {
  if (drawn && drawn.scenario === scenario && drawn.seed === seed) return drawn.result;
  const result = drawScenario(scenario, seed);
  drawn = { scenario, seed, result };
  return result;
}

/**
 * The scenario a state runs: the problem its seed draws where the scenario has ranges,
 * else the scenario itself (a draw that fails runs nothing: the load reports why).
 */
export function concreteScenario(s: Pick<AppState, "scenario" | "seed">): unknown {
  if (s.seed === null) return s.scenario;
  const d = drawOf(s.scenario, s.seed);
  return d.ok ? d.scenario : s.scenario;
}

export { GRANULARITY_ORDER, SPEEDS } from "./slices/playback.ts";

/** The preferences and panels no other slice owns: motion, help, the editor's draft check. */
function uiSlice({ api, set }: Kit) {
  /** The newest draft the editor asked to check (null: none). */
  let draft: unknown = null;
  const checks = latestWins(async (scenario: unknown) => {
    try {
      const issues = await api.check({ scenario });
      if (draft === scenario) set({ draftCheck: { scenario, issues } });
    } catch {
      // A worker that cannot check says nothing; the run itself reports the scenario's problems.
    }
  });
  return {
    reducedMotion: false,
    helpOpen: false,
    draftCheck: null,
    setReducedMotion(reducedMotion: boolean) {
      set({ reducedMotion });
    },
    setHelpOpen(helpOpen: boolean) {
      set({ helpOpen, ...(helpOpen ? { playing: false } : {}) });
    },
    checkDraft(scenario: unknown) {
      draft = scenario;
      if (scenario === null) {
        checks.drop();
        set({ draftCheck: null });
        return;
      }
      void checks.ask(scenario);
    },
  } satisfies Partial<AppState>;
}

/** The values a store starts with, from a link's initial state. */
function initialValues(initial: InitialState) {
  return {
    presets: [],
    variants: [],
    selftests: null,
    seed: initial.seed ?? null,
    seekLimit: null,
    presetId: initial.presetId ?? null,
    scenario: initial.scenario ?? null,
    kernel: initial.kernel ?? null,
    status: "idle",
    issues: [],
    refusingKernel: null,
    error: null,
    run: null,
    granularity: initial.granularity ?? "action",
    wantedGranularity: initial.granularity ?? "action",
    position: initial.position ?? 0,
    view: null,
    selection: initial.selection ?? null,
    playing: false,
    speed: 1,
    selectedPage: null,
    pageHistory: null,
    link: NO_LINK_STATUS,
  } satisfies Partial<AppState>;
}

/**
 * The app store: one zustand store made of slices (slices/): the run, playback, selection, and
 * the panels' preferences. Each slice is a function of the engine and the store's set and get.
 */
export function createAppStore(api: EngineApi, initial: InitialState = {}): AppStore {
  return createStore<AppState>()((set, get, store) => {
    const kit: Kit = { api, set, get, store };
    const cursor = createCursor(kit);
    const histories = createHistories(kit);
    return {
      ...initialValues(initial),
      ...runActions(kit, cursor, histories, initial),
      ...playbackActions(kit, cursor),
      ...selectionActions(kit, cursor, histories),
      ...uiSlice(kit),
      ...mapViewSlice(kit),
      compare: compareSlice(kit, cursor, initial.granularity ?? "action"),
      isIdle() {
        const s = get();
        if (s.status === "error") return true;
        if (s.status !== "ready") return false;
        return cursor.idle() && s.view !== null && s.view.position === s.position;
      },
    };
  });
}
