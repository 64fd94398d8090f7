/**
 * A parameter sweep beside the run: a slice that runs the scenario on screen over one
 * parameter's range for two or more kernels, one point at a time on a second engine worker
 * (study-engine.ts), reporting each point as it lands; it can be cancelled (the worker is ended
 * mid-point) and it travels in the link (link-sync's links.sweep, `sweep=`).
 *
 * The sweep runs over the scenario as it runs (a student's draw included) and remembers its last
 * few results, so Back to a sweep shows it again at once. Opening a point loads that point's
 * scenario under its kernel (a history entry of its own, without the sweep) at the step that
 * matters: the first allocation of ballooned memory (src/sweep/run.ts relevantEvent), at page-table
 * granularity, on the table where it happens (firstGrowth).
 */
import { createStore, type StoreApi } from "zustand/vanilla";
import { applyParameter, type ParameterValue } from "../scenario/parameters.ts";
import { FIRST_BALLOON_ALLOCATION } from "../sweep/run.ts";
import { formatSpec, type SweepSpec, sweepValues } from "../sweep/spec.ts";
import type { EngineApi, SweepPoint, VariantId } from "../worker/api.ts";
import type { LinkSync } from "./link-sync.ts";
import { CancelledError } from "./restartable-engine.ts";
import { type AppState, type AppStore, concreteScenario } from "./store.ts";

// What the sweep's views need from the model's small, engine-free modules.
export {
  formatParameterValue,
  PARAMETERS,
  type ParameterId,
  parameterValueOf,
} from "../scenario/parameters.ts";
export { sweepCsv } from "../sweep/csv.ts";
export { MEASURES, SIDES } from "../sweep/measures.ts";
export {
  describeSpec,
  MAX_POINTS,
  makeSpec,
  SWEEP_PARAMETERS,
  type SweepSpec,
} from "../sweep/spec.ts";

export type SweepStatus = "idle" | "running" | "done" | "cancelled" | "error";

export interface SweepRun {
  readonly spec: SweepSpec;
  /** The scenario JSON the sweep ran over, and the run's title. */
  readonly scenario: unknown;
  readonly title: string;
  /** The parameter's value at each point. */
  readonly values: readonly ParameterValue[];
  /** points[v * kernels + k]: value v under kernel k, null until it lands. */
  readonly points: readonly (SweepPoint | null)[];
}

export interface SweepState {
  /** The sweep panel is open. */
  readonly open: boolean;
  readonly run: SweepRun | null;
  readonly status: SweepStatus;
  readonly done: number;
  readonly total: number;
  /** performance.now() when it started, and how long it took (or has taken). */
  readonly startedAt: number;
  readonly elapsedMs: number;
  readonly error: string | null;

  /** Opens the panel (with a spec: runs that sweep; without: starts the second worker). */
  openPanel(spec?: SweepSpec): void;
  close(): void;
  start(spec: SweepSpec): Promise<void>;
  cancel(): void;
  /** Loads point (value v, kernel) at its step that matters; closes the panel. */
  openPoint(valueIndex: number, kernel: VariantId): Promise<void>;
}

/** A sweep store's data before any sweep (the store's start, and the page's stand-in without one). */
export const SWEEP_IDLE = {
  open: false,
  run: null,
  status: "idle",
  done: 0,
  total: 0,
  startedAt: 0,
  elapsedMs: 0,
  error: null,
} as const satisfies Partial<SweepState>;

export type SweepStore = StoreApi<SweepState> & { stop(): void };

/** What a sweep runs on: the cancellable second worker (study-engine.ts) or, in tests, a host. */
export interface SweepEngine {
  readonly api: EngineApi;
  cancel(): void;
}

const now = () => (typeof performance !== "undefined" ? performance.now() : Date.now());

const KEEP = 4;

/**
 * The first page-table step in [first, last] after which `mm` holds more RssAnon than before
 * `first`: within the event that first allocates ballooned memory (src/sweep/run.ts
 * relevantEvent), the table where a ballooned page first gets a page of its own. The event only
 * adds pages (a fault that allocates, or one that finds its page mapped), so RssAnon grows step by
 * step and a binary search over the steps' views finds it in log2(steps) calls. `first` when
 * RssAnon does not grow.
 */
async function firstGrowth(
  api: EngineApi,
  runId: number,
  mm: number,
  first: number,
  last: number,
): Promise<number> {
  const rss = async (position: number) =>
    (await api.view({ runId, granularity: "table", position, selection: null })).mms[mm]?.counters
      .rssAnonBytes ?? 0;
  const before = await rss(first - 1);
  if ((await rss(last)) <= before) return first;
  let lo = first;
  let hi = last;
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    if ((await rss(mid)) > before) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

export function createSweepStore(
  app: AppStore,
  engine: SweepEngine,
  sync: LinkSync | null,
  appApi: EngineApi,
): SweepStore {
  const sweeps = new Sweeps(app, engine, sync, appApi);
  return Object.assign(sweeps.store, { stop: () => sweeps.stop() });
}

/** The run behind a sweep point: its relevant event's page-table step, in the app's run `runId`. */
async function relevantStep(appApi: EngineApi, a: AppState, point: SweepPoint): Promise<number> {
  const runId = a.run!.runId;
  // The event's page-table steps: from the one after the event before it to its last.
  const first =
    (point.relevantEvent > 0 ? await appApi.positionOfEvent(runId, "table", point.relevantEvent - 1) : 0) + 1;
  const end = await appApi.positionOfEvent(runId, "table", point.relevantEvent);
  const mm = a.run!.trace.mm[point.relevantEvent] ?? 0;
  return point.relevantLabel === FIRST_BALLOON_ALLOCATION
    ? await firstGrowth(appApi, runId, mm, first, Math.max(first, end))
    : first;
}

/** A sweep panel over the app's scenario: its runs on the second worker, and the link's sweep. */
class Sweeps {
  readonly store: StoreApi<SweepState>;
  private seq = 0;
  /** The link's sweep this slice last followed or wrote (see follow below). */
  private last: SweepSpec | null = null;
  /** Results by scenario and spec, newest last. */
  private readonly cache: { scenario: unknown; spec: string; run: SweepRun; elapsedMs: number }[] = [];
  private readonly stopLinks: () => void;
  private readonly stopApp: () => void;

  constructor(
    private readonly app: AppStore,
    private readonly engine: SweepEngine,
    private readonly sync: LinkSync | null,
    private readonly appApi: EngineApi,
  ) {
    this.store = createStore<SweepState>()(() => ({
      ...SWEEP_IDLE,
      openPanel: (spec) => {
        this.store.setState({ open: true });
        if (spec) void this.start(spec);
        // The second worker starts (loads the engine) while the form is read, not after Run.
        else if (this.store.getState().status !== "running") void engine.api.variants().catch(() => {});
      },
      close: () => {
        if (this.store.getState().status === "running") this.cancel();
        this.store.setState({ open: false });
        this.last = null;
        sync?.setSweep(null);
      },
      start: (spec) => this.start(spec),
      cancel: () => this.cancel(),
      openPoint: (v, k) => this.openPoint(v, k),
    }));
    this.stopLinks = sync?.links.subscribe(() => this.follow()) ?? (() => {});
    this.stopApp = app.subscribe((s, prev) => {
      if (s.status === "ready" && prev.status !== "ready") {
        this.last = null;
        const spec = sync?.links.getState().sweep ?? null;
        if (spec && !this.store.getState().open) this.follow();
        else this.last = spec;
      }
    });
    if (app.getState().status === "ready") this.follow();
  }

  stop(): void {
    this.stopLinks();
    this.stopApp();
  }

  private cancel(): void {
    if (this.store.getState().status !== "running") return;
    this.seq++;
    this.engine.cancel();
    this.store.setState({ status: "cancelled", elapsedMs: now() - this.store.getState().startedAt });
  }

  private async start(spec: SweepSpec): Promise<void> {
    const a = this.app.getState();
    const scenario = concreteScenario(a);
    const key = formatSpec(spec);
    if (this.store.getState().status === "running") this.cancel();
    const mine = ++this.seq;
    this.last = spec;
    this.sync?.setSweep(spec);
    const hit = this.cache.find((c) => c.scenario === scenario && c.spec === key);
    if (hit) {
      const n = hit.run.points.length;
      this.store.setState({
        open: true,
        run: hit.run,
        status: "done",
        done: n,
        total: n,
        elapsedMs: hit.elapsedMs,
        error: null,
      });
      return;
    }
    const values = sweepValues(spec, scenario);
    const total = values.length * spec.kernels.length;
    const points: (SweepPoint | null)[] = new Array(total).fill(null);
    const startedAt = now();
    const title = a.run?.title ?? "";
    const run = (): SweepRun => ({ spec, scenario, title, values, points: points.slice() });
    this.store.setState({
      open: true,
      run: run(),
      status: "running",
      done: 0,
      total,
      startedAt,
      elapsedMs: 0,
      error: null,
    });
    try {
      for (let v = 0; v < values.length; v++) {
        for (let k = 0; k < spec.kernels.length; k++) {
          const point = await this.engine.api.sweepPoint({
            scenario,
            param: spec.param,
            value: values[v]!,
            kernel: spec.kernels[k]!,
          });
          if (mine !== this.seq) return;
          points[v * spec.kernels.length + k] = point;
          const done = v * spec.kernels.length + k + 1;
          this.store.setState({ run: run(), done, elapsedMs: now() - startedAt });
        }
      }
      const elapsedMs = now() - startedAt;
      this.cache.push({ scenario, spec: key, run: { spec, scenario, title, values, points }, elapsedMs });
      if (this.cache.length > KEEP) this.cache.shift();
      this.store.setState({ status: "done", elapsedMs });
    } catch (e) {
      if (mine !== this.seq || e instanceof CancelledError) return;
      this.store.setState({ status: "error", error: `the sweep stopped: ${String(e)}` });
    }
  }

  private async openPoint(valueIndex: number, kernel: VariantId): Promise<void> {
    const run = this.store.getState().run;
    if (!run) return;
    const value = run.values[valueIndex];
    const point = run.points[valueIndex * run.spec.kernels.length + run.spec.kernels.indexOf(kernel)];
    if (value === undefined || !point || point.problem) return;
    const set = applyParameter(run.scenario, run.spec.param, value);
    if (!set.ok) return;
    // The point is a run to look at, not an exercise to answer.
    const scenario = { ...set.scenario };
    delete scenario.exercise;
    // The load pushes its own history entry (link-sync); the sweep is closed meanwhile, so the
    // entry before keeps it, and Back returns to the sweep.
    const loading = this.app.getState().loadScenario(scenario, kernel, null);
    if (this.store.getState().status === "running") this.cancel();
    this.store.setState({ open: false });
    this.last = null;
    this.sync?.setSweep(null);
    await loading;
    const a = this.app.getState();
    if (a.status !== "ready" || !a.run) return;
    const runId = a.run.runId;
    await a.setGranularity("table");
    if (this.app.getState().run?.runId !== runId || point.relevantEvent < 0) return;
    const at = await relevantStep(this.appApi, a, point);
    if (this.app.getState().run?.runId !== runId) return;
    this.app.getState().seek(at);
  }

  /** A link's sweep (the first one, Back and Forward): open it and run it (or show it again). */
  private follow(): void {
    const spec = this.sync?.links.getState().sweep ?? null;
    if (spec === this.last) return;
    this.last = spec;
    if (spec === null) {
      if (this.store.getState().open) {
        if (this.store.getState().status === "running") this.cancel();
        this.store.setState({ open: false });
      }
      return;
    }
    const cur = this.store.getState().run;
    if (this.store.getState().open && cur && formatSpec(cur.spec) === formatSpec(spec)) return;
    // The run must be on screen first: the sweep runs over its scenario.
    if (this.app.getState().status !== "ready") return;
    void this.start(spec);
  }
}
