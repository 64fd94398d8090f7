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
import { type LatestWins, latestWins } from "./latest.ts";

/** A preset's current id: links and scripts may name one by an id it had before (PRESET_ALIASES). */
function currentPresetId(id: string): string {
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

export interface AppState {
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
  setGranularity(g: Granularity): Promise<void>;
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
function drawOf(scenario: unknown, seed: number): ReturnType<typeof drawScenario> {
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

export const SPEEDS = [0.25, 0.5, 1, 2, 4, 8] as const;
export const GRANULARITY_ORDER: readonly Granularity[] = ["action", "table", "pte"];

export function createAppStore(api: EngineApi, initial: InitialState = {}): AppStore {
  let loadSeq = 0;
  // Granularity changes and the seeks issued while one is pending run in order, one at a time.
  const ops: (() => void | Promise<void>)[] = [];
  let draining: Promise<void> | null = null;
  const pending = () => draining !== null;
  const enqueue = (op: () => void | Promise<void>): Promise<void> => {
    ops.push(op);
    if (!draining) {
      draining = (async () => {
        while (ops.length > 0) {
          try {
            await ops.shift()!();
          } catch (e) {
            store.setState({ error: `the engine could not change the step: ${String(e)}` });
          }
        }
        draining = null;
      })();
    }
    return draining;
  };

  /** loadSelftests() is waiting for the engine. */
  let selftestsAsked = false;
  const store = createStore<AppState>()((set, get) => {
    /**
     * The view at a position of the run on screen. An answer still for the run and granularity
     * shown is shown; it moves the target `position` (the worker clamps) only when no newer
     * target waits behind it: a key pressed meanwhile would be lost.
     */
    const views: LatestWins<number> = latestWins(async (position) => {
      const s = get();
      if (!s.run) return;
      const runId = s.run.runId;
      try {
        const view = await api.view({ runId, granularity: s.granularity, position, selection: s.selection });
        if (get().run?.runId === runId && view.granularity === get().granularity)
          set(views.waiting() ? { view } : { view, position: view.position });
      } catch (e) {
        set({ error: `the engine could not show this step: ${String(e)}` });
      }
    });
    const showPosition = (position: number): void => {
      void views.ask(position);
    };

    const seekNow = (position: number): void => {
      const s = get();
      if (!s.run) return;
      let p = Math.max(0, Math.min(Math.round(position), s.run.counts[s.granularity]));
      // An exercise's open question: a seek from before it stops there.
      const lim = s.seekLimit;
      if (lim && lim.runId === s.run.runId && lim.granularity === s.granularity) {
        if (s.position <= lim.position && p > lim.position) {
          p = lim.position;
          if (s.playing) set({ playing: false });
        }
      }
      set({ position: p });
      showPosition(p);
    };

    /** A page's history, for the page selected when it answers (else dropped). */
    const histories = latestWins(async ({ runId, page }: { runId: number; page: PageRef }) => {
      const current = () => {
        const h = get().pageHistory;
        return h !== null && h.runId === runId && h.page === page;
      };
      try {
        const entries = await api.history(runId, page.mm, page.page);
        if (current()) set({ pageHistory: { runId, page, status: "ready", entries } });
      } catch {
        if (current()) set({ pageHistory: { runId, page, status: "error", entries: [] } });
      }
    });
    const fetchHistory = (): void => {
      const s = get();
      const page = s.selectedPage;
      if (!s.run || !page) {
        histories.drop();
        set({ pageHistory: null });
        return;
      }
      const runId = s.run.runId;
      set({ pageHistory: { runId, page, status: "loading", entries: [] } });
      void histories.ask({ runId, page });
    };

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

    /**
     * Loads a scenario. While it computes, the run on screen stays: its views, its counters and its
     * outcome, stepping included (status "loading" says a new one is coming; the header says which).
     * The new run replaces it only together with its first view, in one update, so no frame shows
     * a run without its view ("Computing…" beside counters of 0 B). `keep` is read when the new run
     * lands, so a step taken meanwhile is kept too.
     */
    const runLoad = async (
      presetId: string | null,
      scenario: unknown,
      kernel: VariantId | null,
      keep?: () => InitialState,
    ) => {
      const seq = ++loadSeq;
      set({
        status: "loading",
        presetId,
        scenario,
        kernel,
        issues: [],
        refusingKernel: null,
        error: null,
        playing: false,
      });
      try {
        // A student's problem: the scenario drawn for the seed, when it has ranges.
        const seed = get().seed;
        const draw = seed === null ? null : drawOf(scenario, seed);
        if (draw && !draw.ok) {
          set({ status: "error", issues: [...draw.issues], run: null, view: null });
          return;
        }
        const toRun = draw ? draw.scenario : scenario;
        const r = await api.load(kernel ? { scenario: toRun, kernel } : { scenario: toRun });
        if (seq !== loadSeq) return;
        if (!r.ok) {
          set({
            status: "error",
            issues: r.issues,
            refusingKernel: r.refusingKernel,
            run: null,
            view: null,
          });
          return;
        }
        const k = keep?.();
        const granularity = k?.granularity ?? get().granularity;
        const last = r.run.counts[granularity];
        const position = Math.max(
          0,
          Math.min(k?.position ?? openingPosition(scenario, r.run, granularity), last),
        );
        const selection = k?.selection ?? null;
        const view = await api.view({ runId: r.run.runId, granularity, position, selection });
        if (seq !== loadSeq) {
          void api.release(r.run.runId);
          return;
        }
        const old = get().run;
        if (old) void api.release(old.runId);
        const page = get().selectedPage;
        // Requests for the old run still in flight are dropped when they answer (runId check).
        views.drop();
        set({
          status: "ready",
          run: r.run,
          granularity,
          wantedGranularity: granularity,
          position: view.position,
          view,
          selection,
          selectedPage: page && page.mm < r.run.trace.mmNames.length ? page : null,
        });
        void fetchHistory();
      } catch (e) {
        if (seq !== loadSeq) return;
        set({ status: "error", error: `the engine failed: ${String(e)}`, run: null, view: null });
      }
    };

    return {
      presets: [],
      selftests: null,
      seed: initial.seed ?? null,
      seekLimit: null,
      variants: [],
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
      reducedMotion: false,
      helpOpen: false,

      async loadSelftests() {
        if (get().selftests !== null || selftestsAsked) return;
        selftestsAsked = true;
        try {
          set({ selftests: await api.selftests() });
        } catch (e) {
          set({ error: `the engine could not run the selftest: ${String(e)}` });
        } finally {
          selftestsAsked = false;
        }
      },

      async init() {
        const [presets, variants] = await Promise.all([api.presets(), api.variants()]);
        set({ presets, variants });
        const s = get();
        const first: InitialState = {
          granularity: s.granularity,
          ...(initial.position !== undefined ? { position: initial.position } : {}),
          selection: s.selection,
        };
        const keep = () => first;
        if (s.scenario !== null) {
          await runLoad(s.presetId, s.scenario, s.kernel, keep);
          return;
        }
        const preset = presets.find((p) => p.id === currentPresetId(s.presetId ?? "")) ?? presets[0];
        if (!preset) return;
        await runLoad(preset.id, preset.scenario, s.kernel, keep);
      },

      async loadPreset(id, kernel = null, seed) {
        const preset = get().presets.find((p) => p.id === currentPresetId(id));
        if (!preset) {
          set({ status: "error", error: `there is no preset "${id}"` });
          return;
        }
        if (seed !== undefined) set({ seed });
        await runLoad(preset.id, preset.scenario, kernel);
      },

      async loadScenario(scenario, kernel = null, seed) {
        if (seed !== undefined) set({ seed });
        await runLoad(null, scenario, kernel);
      },

      async setSeed(seed) {
        const s = get();
        if (s.seed === seed) return;
        set({ seed });
        // A new problem: its own kernel (a drawn one, where the ranges draw the kernel).
        await runLoad(s.presetId, s.scenario, null);
      },

      setSeekLimit(seekLimit) {
        set({ seekLimit });
      },

      async setKernel(kernel) {
        const s = get();
        // Where the user is when the new run lands (they may step the old one meanwhile).
        await runLoad(s.presetId, s.scenario, kernel, () => {
          const now = get();
          return { granularity: now.granularity, position: now.position, selection: now.selection };
        });
      },

      seek(position) {
        const s = get();
        if (!s.run) return;
        if (pending()) {
          // A granularity change is converting the position: `position` is in the current units,
          // so it is converted too once the change has landed, and applied in order.
          const from = s.granularity;
          const runId = s.run.runId;
          enqueue(async () => {
            const now = get();
            if (!now.run || now.run.runId !== runId) return;
            seekNow(
              from === now.granularity ? position : await api.convert(runId, from, position, now.granularity),
            );
          });
          return;
        }
        seekNow(position);
      },

      async seekToEvent(event) {
        const s = get();
        if (!s.run) return;
        if (event < 0) {
          get().seek(0);
          return;
        }
        // At action granularity, go to the end of the action the event belongs to (the worker's
        // answer would be the last action boundary before the event's end).
        if (s.granularity === "action") {
          const e = Math.min(event, s.run.trace.events - 1);
          get().seek(e < 0 ? 0 : s.run.trace.action[e]! + 1);
          return;
        }
        const runId = s.run.runId;
        const granularity = s.granularity;
        const p = await api.positionOfEvent(runId, granularity, event);
        if (get().run?.runId === runId && get().granularity === granularity) get().seek(p);
      },

      stepBy(delta) {
        // While a granularity change is pending, a step is a step in the new units, after it.
        if (pending()) enqueue(() => seekNow(get().position + delta));
        else get().seek(get().position + delta);
      },

      async setGranularity(g) {
        set({ wantedGranularity: g });
        await enqueue(async () => {
          const s = get();
          if (!s.run || g === s.granularity) {
            set({ granularity: g });
            return;
          }
          const runId = s.run.runId;
          const position = await api.convert(runId, s.granularity, s.position, g);
          if (get().run?.runId !== runId) return;
          set({ granularity: g, position });
          showPosition(position);
        });
      },

      select(selection) {
        set({ selection });
        showPosition(get().position);
      },

      setPlaying(playing) {
        set({ playing: playing && get().run !== null });
      },

      togglePlaying() {
        const s = get();
        if (!s.run) return;
        if (s.playing) {
          set({ playing: false });
          return;
        }
        if (s.position >= s.run.counts[s.granularity]) get().seek(0);
        set({ playing: true });
      },

      setSpeed(speed) {
        set({ speed: Math.max(0.25, Math.min(8, speed)) });
      },

      stepSpeed(delta) {
        const s = get();
        let i = SPEEDS.findIndex((v) => v >= s.speed);
        if (i < 0) i = SPEEDS.length - 1;
        const next = SPEEDS[Math.max(0, Math.min(SPEEDS.length - 1, i + delta))]!;
        set({ speed: next });
      },

      async stepGranularity(delta) {
        const i = GRANULARITY_ORDER.indexOf(get().wantedGranularity);
        const next = GRANULARITY_ORDER[Math.max(0, Math.min(GRANULARITY_ORDER.length - 1, i + delta))]!;
        await get().setGranularity(next);
      },

      selectPage(page) {
        const s = get();
        const cur = s.selectedPage;
        if (page && cur && page.mm === cur.mm && page.page === cur.page) return;
        set({ selectedPage: page });
        void fetchHistory();
        // Following a page shows its page table too: the table view and the maps' selection are
        // where the history's events happen.
        const table = page && s.run ? tableOfPage(s.run.trace, page) : null;
        const sel = s.selection;
        if (page && table !== null && (!sel || sel.mm !== page.mm || sel.table !== table))
          get().select({ mm: page.mm, table });
      },

      setReducedMotion(reducedMotion) {
        set({ reducedMotion });
      },

      setHelpOpen(helpOpen) {
        set({ helpOpen, ...(helpOpen ? { playing: false } : {}) });
      },

      draftCheck: null,
      checkDraft(scenario) {
        draft = scenario;
        if (scenario === null) {
          checks.drop();
          set({ draftCheck: null });
          return;
        }
        void checks.ask(scenario);
      },

      isIdle() {
        const s = get();
        if (s.status === "error") return true;
        if (s.status !== "ready") return false;
        return draining === null && views.idle() && s.view !== null && s.view.position === s.position;
      },
    };
  });
  return store;
}
