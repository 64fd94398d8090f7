/**
 * The engine side of the worker API (api.ts): runs scenarios, keeps the runs, and rebuilds the
 * world at any step. Plain TypeScript with no worker globals, so Node tests and the CLI can use it
 * directly; engine.worker.ts only exposes it through comlink.
 *
 * Seeking reuses work: the last world rebuilt per run is cached at an event boundary, so stepping
 * forward applies only the events in between, and fine steps inside an event replay that one event
 * from its start.
 */

import { PAGE_SIZE } from "../base/units.ts";
import { type Comparison, compareRuns, diffWorlds, summarize, withPrefix } from "../compare/index.ts";
import {
  allRules,
  applyEvent,
  COUNTERS,
  type Cursor,
  contentClassNames,
  effectsOf,
  footprintOf,
  type Granularity,
  Positions,
  PTE_KEYS,
  PTE_NAMES,
  type SelftestReport,
  sharedZeropageTest,
  snapshotMm,
  type Trace,
  tableDetail,
  traceHash,
  VARIANT_IDS,
  VARIANTS,
  variantPath,
  type World,
} from "../engine/index.ts";
import { STATE_CLASS, STATE_FRAME } from "../engine/snapshot.ts";
import { GUEST_BALLOON, GUEST_SET } from "../hypervisor/guest.ts";
import { SOURCE } from "../hypervisor/machine.ts";
import { defaultZeroPageDetection } from "../hypervisor/migration/state.ts";
import { checkScenario, type RunResult, runParsed } from "../scenario/compile.ts";
import { runLedger } from "../scenario/ledger.ts";
import { PRESETS } from "../scenario/presets/index.ts";
import { parseScenario, type Scenario } from "../scenario/schema.ts";
import type {
  AnswerKeyRequest,
  AnswerKeyRow,
  CompareInfo,
  CompareRequest,
  EngineApi,
  ExerciseAnswers,
  HistoryEntry,
  LoadProgress,
  LoadRequest,
  LoadResult,
  MigrationSetup,
  MmDiff,
  PairDiff,
  PairViewRequest,
  PairViewState,
  PresetInfo,
  ProgressListener,
  RunInfo,
  ScenarioIssue,
  StepChange,
  SweepPoint,
  SweepPointRequest,
  TableGeometry,
  VariantId,
  VariantInfo,
  ViewRequest,
  ViewState,
} from "./api.ts";
import { answerKey, exerciseOf, sweepPoint } from "./study-host.ts";

/** Ballooned guest pages: the guest's page set (on mm 0, hypervisor/guest.ts), value GUEST_BALLOON. */
const BALLOON = { mm: SOURCE, name: GUEST_SET, value: GUEST_BALLOON } as const;

interface Held {
  readonly result: RunResult;
  readonly positions: Positions;
  /** World after the first `event` events, for incremental stepping. */
  cache: { event: number; world: World } | null;
}

/**
 * A computed run without its id: what load() returns for it, minus runId and elapsedMs. Kept by
 * the run cache, so choosing a kernel again (or one computed ahead) costs no new run.
 */
interface Prepared {
  readonly result: RunResult;
  readonly positions: Positions;
  readonly info: Omit<RunInfo, "runId" | "elapsedMs">;
}

/** Guest RAM up to which runs are computed ahead (a 100 GiB run keeps about 10 MB). */
const SPECULATE_MAX_GUEST_BYTES = 128 * 2 ** 30;
/** The cache's bound in guest RAM over all its runs (about 64 MB of the worker's heap). */
const CACHE_GUEST_BYTES = 640 * 2 ** 30;

export interface EngineHostOptions {
  /**
   * How many computed runs to keep for a load() that asks for the same scenario under the same
   * kernel again, most recently used first (0: none, each load computes). The app's worker keeps
   * a few: the run is a pure function of the scenario and the kernel.
   */
  readonly cacheRuns?: number;
}

function now(): number {
  return typeof performance !== "undefined" ? performance.now() : Date.now();
}

export function variantInfo(id: keyof typeof VARIANTS): VariantInfo {
  const v = VARIANTS[id];
  return { id: v.id, letter: v.letter, title: v.title, arch: v.arch, sourceTag: v.sourceTag };
}

export class EngineHost implements EngineApi {
  private readonly runs = new Map<number, Held>();
  private nextId = 1;

  private progress: ProgressListener | null = null;

  /** Computed runs by cacheKey(), least recently used first. */
  private readonly cache = new Map<string, Prepared>();
  private readonly cacheRuns: number;
  /** Loads to compute ahead when idle (computeAhead), by cacheKey(). */
  private readonly ahead = new Map<string, LoadRequest>();

  constructor(
    private readonly where: "worker" | "main",
    opts: EngineHostOptions = {},
  ) {
    this.cacheRuns = opts.cacheRuns ?? 0;
  }

  async setProgressListener(listener: ProgressListener | null): Promise<void> {
    this.progress = listener;
  }

  async setRunIdBase(base: number): Promise<void> {
    this.nextId = Math.max(this.nextId, base);
  }

  async check(req: LoadRequest): Promise<readonly ScenarioIssue[]> {
    const parsed = parseScenario(req.scenario);
    if (!parsed.ok) return parsed.issues;
    return checkScenario(parsed.scenario, req.kernel ?? parsed.scenario.machine.kernel);
  }

  async presets(): Promise<readonly PresetInfo[]> {
    return PRESETS.map((p) => ({
      id: p.id,
      title: p.title,
      summary: p.summary,
      variants: p.variants,
      scenario: p.scenario,
      patch: p.patch ?? null,
    }));
  }

  async variants(): Promise<readonly VariantInfo[]> {
    return Object.keys(VARIANTS).map((id) => variantInfo(id as keyof typeof VARIANTS));
  }

  async load(req: LoadRequest): Promise<LoadResult> {
    const t0 = now();
    const key = this.cacheRuns > 0 ? cacheKey(req) : null;
    const hit = key === null ? undefined : this.cache.get(key);
    let prepared: Prepared;
    if (hit) {
      // Most recently used: to the end of the map's order.
      this.cache.delete(key!);
      this.cache.set(key!, hit);
      prepared = hit;
    } else {
      const r = this.compute(req, t0);
      if (!r.ok) return r;
      prepared = r.prepared;
      if (key !== null) this.remember(key, prepared);
    }
    if (this.cacheRuns > 0) this.planAhead(req, prepared.result);
    const runId = this.nextId++;
    this.runs.set(runId, { result: prepared.result, positions: prepared.positions, cache: null });
    return { ok: true, run: { ...prepared.info, runId, elapsedMs: now() - t0 } };
  }

  /**
   * Computes one load planned ahead (the other kernels the preset names), if any is left; false
   * when there is nothing to do. The worker calls it when it has been idle for a while.
   */
  computeAhead(): boolean {
    for (const [key, req] of this.ahead) {
      this.ahead.delete(key);
      if (this.cache.has(key)) continue;
      const r = this.compute(req, now(), false);
      if (r.ok) this.remember(key, r.prepared);
      return true;
    }
    return false;
  }

  /**
   * Keeps a computed run, dropping the least recently used beyond cacheRuns runs or
   * CACHE_GUEST_BYTES of guest RAM (a run larger than that is not kept).
   */
  private remember(key: string, prepared: Prepared): void {
    const guest = (p: Prepared) => p.result.scenario.machine.guestRam;
    if (guest(prepared) > CACHE_GUEST_BYTES) return;
    this.cache.set(key, prepared);
    let bytes = 0;
    for (const p of this.cache.values()) bytes += guest(p);
    while (this.cache.size > this.cacheRuns || bytes > CACHE_GUEST_BYTES) {
      const [oldest, p] = this.cache.entries().next().value!;
      this.cache.delete(oldest);
      bytes -= guest(p);
    }
  }

  /**
   * After a load of a preset's scenario: the preset's other kernels, to compute when idle (a user
   * who opened a story compares its kernels next). Only for guests up to
   * SPECULATE_MAX_GUEST_BYTES, and never more than the cache keeps beside the run on screen.
   */
  private planAhead(req: LoadRequest, r: RunResult): void {
    this.ahead.clear();
    if (r.scenario.machine.guestRam > SPECULATE_MAX_GUEST_BYTES) return;
    const json = JSON.stringify(req.scenario);
    const preset = PRESETS.find((p) => JSON.stringify(p.scenario) === json);
    if (!preset) return;
    for (const kernel of preset.variants.slice(0, Math.max(0, this.cacheRuns - 1))) {
      if (kernel === r.kernel) continue;
      const next: LoadRequest = { scenario: req.scenario, kernel };
      const key = cacheKey(next);
      if (key !== null && !this.cache.has(key)) this.ahead.set(key, next);
    }
  }

  /** Runs a scenario and everything RunInfo says about it but its id and time. */
  private compute(
    req: LoadRequest,
    t0: number,
    withProgress = true,
  ):
    | { ok: true; prepared: Prepared }
    | { ok: false; issues: ScenarioIssue[]; refusingKernel: VariantId | null } {
    const listener = withProgress ? this.progress : null;
    // Progress goes to another thread through comlink: fire and forget, and never fail the load.
    const report = (p: LoadProgress) => {
      try {
        Promise.resolve(listener?.(p) as unknown).catch(() => {});
      } catch {
        // the listener is gone; the load goes on
      }
    };
    const onAction = listener
      ? (actionsDone: number, actionsTotal: number) =>
          report({ phase: "simulating", actionsDone, actionsTotal, elapsedMs: now() - t0 })
      : undefined;
    const parsed = parseScenario(req.scenario);
    if (!parsed.ok) return { ok: false, issues: parsed.issues, refusingKernel: null };
    const attempt = runParsed(parsed.scenario, { ...(req.kernel ? { kernel: req.kernel } : {}), onAction });
    if (!attempt.ok)
      return {
        ok: false,
        issues: attempt.issues,
        refusingKernel: refusingKernel(parsed.scenario, req.kernel),
      };
    const r = attempt.run;
    const total = r.scenario.actions.length;
    if (listener)
      report({ phase: "indexing", actionsDone: total, actionsTotal: total, elapsedMs: now() - t0 });
    const positions = new Positions(r.trace);
    const info: Prepared["info"] = {
      kernel: variantInfo(r.kernel),
      kernelVersion: r.simulation.world.mms[0]!.kernelVersion,
      qemuVersion: r.scenario.machine.qemu.version,
      title: r.scenario.title,
      guestRamBytes: r.scenario.machine.guestRam,
      trace: r.trace,
      traceHash: traceHash(r.trace),
      counts: {
        action: positions.count("action"),
        table: positions.count("table"),
        pte: positions.count("pte"),
      },
      rules: allRules().map((x) => ({
        id: x.id,
        title: x.title,
        // The path as the variant's linked kernel tag names it (engine/kernel-names.ts).
        path: variantPath(x, r.kernel),
        explain: x.explain,
        ...(x.assumption ? { assumption: x.assumption } : {}),
      })),
      counters: COUNTERS.map((c) => ({ key: c.key, label: c.label, unit: c.unit, sense: c.sense })),
      outcome: r.outcome,
      outcomeReason: r.outcomeReason,
      computedIn: this.where,
      pteStates: PTE_KEYS.map((key, state) => ({
        key,
        name: PTE_NAMES[state] ?? key,
        contentClass: STATE_CLASS[state] ?? 0,
        frame: STATE_FRAME[state] ?? "none",
      })),
      migration: migrationSetup(r),
      geometry: tableGeometry(r),
      contentClasses: contentClassNames(statesSeen(r.trace)),
    };
    return { ok: true, prepared: { result: r, positions, info } };
  }

  private held(runId: number): Held {
    const h = this.runs.get(runId);
    if (!h) throw new Error(`no run ${runId} (it was released or never loaded)`);
    return h;
  }

  /** The world at `cursor`, reusing the cached event-boundary world when it helps. */
  private worldAt(h: Held, cursor: Cursor): World {
    const sim = h.result.simulation;
    const c = h.cache;
    if (c && c.event <= cursor.event && cursor.event - c.event < 64) {
      for (let e = c.event; e < cursor.event; e++) applyEvent(c.world, sim.events[e]!);
      c.event = cursor.event;
    } else {
      h.cache = { event: cursor.event, world: sim.worldAt({ event: cursor.event, done: 0 }) };
    }
    const base = h.cache!.world;
    if (cursor.done === 0 || cursor.event >= sim.events.length) return base;
    const w = base.clone();
    applyEvent(w, sim.events[cursor.event]!, cursor.done);
    return w;
  }

  async view(req: ViewRequest): Promise<ViewState> {
    const t0 = now();
    const h = this.held(req.runId);
    const t = h.result.trace;
    const count = h.positions.count(req.granularity);
    const position = Math.max(0, Math.min(Math.round(req.position), count));
    const cursor = h.positions.toCursor(req.granularity, position);
    const loc = h.positions.locate(req.granularity, position);
    const built = builtCursor(t, req.granularity, cursor, loc.event);
    const world = this.worldAt(h, built);
    const mms = world.mms.map((_, i) => snapshotMm(world, i, BALLOON));
    const active: { mm: number; runs: number[] }[] = [];
    if (loc.event >= 0) {
      const runs = footprintOf(t, loc.event);
      active.push({ mm: t.mm[loc.event]!, runs: activeSlice(h, req.granularity, position, loc.event, runs) });
    }
    const sel = req.selection;
    const table = sel && sel.mm < world.mms.length ? tableDetail(world, sel.mm, sel.table, BALLOON) : null;
    const changes =
      req.granularity === "action" || loc.event < 0 || active.length === 0
        ? null
        : stepChanges(t, loc.event, built, h.cache!.world, world, active[0]!.runs);
    return {
      runId: req.runId,
      granularity: req.granularity,
      position,
      cursor,
      event: loc.event,
      stepInEvent: loc.step,
      stepsInEvent: loc.steps,
      action: loc.event >= 0 ? t.action[loc.event]! : -1,
      mms,
      active,
      table,
      changes,
      ledger: runLedger(
        h.result,
        world,
        built.event + (built.done > 0 ? 1 : 0),
        ledgerRow(t, built, loc.event),
      ),
      elapsedMs: now() - t0,
    };
  }

  async convert(runId: number, from: Granularity, position: number, to: Granularity): Promise<number> {
    const h = this.held(runId);
    return h.positions.fromCursor(to, h.positions.toCursor(from, position));
  }

  async positionOfEvent(runId: number, granularity: Granularity, event: number): Promise<number> {
    const h = this.held(runId);
    return h.positions.fromCursor(granularity, { event: Math.max(0, event + 1), done: 0 });
  }

  async history(runId: number, mm: number, page: number): Promise<readonly HistoryEntry[]> {
    const h = this.held(runId);
    const sim = h.result.simulation;
    const t = h.result.trace;
    const w = sim.worldAt({ event: 0, done: 0 });
    const out: HistoryEntry[] = [];
    for (let e = 0; e < sim.events.length; e++) {
      const before = t.mm[e] === mm ? w.mms[mm]!.pt.ptes.get(page) : -1;
      const r = applyEvent(w, sim.events[e]!);
      if (t.mm[e] !== mm) continue;
      const after = w.mms[mm]!.pt.ptes.get(page);
      const visited = footprintContains(r.rec.footprint, page);
      if (before === after && !visited) continue;
      const rule = visited ? ruleForPage(r.rec.effects, before, after) : 0;
      out.push({
        event: e,
        action: t.action[e]!,
        from: before,
        to: after,
        rule,
        cause: t.strings[t.cause[e]!] ?? "",
      });
    }
    return out;
  }

  async release(runId: number): Promise<void> {
    this.runs.delete(runId);
  }

  async selftests(): Promise<readonly SelftestReport[]> {
    return VARIANT_IDS.map((k) => sharedZeropageTest(k));
  }

  // --- Compare mode: two held runs in lockstep (src/compare) ---------------------------

  private readonly compares = new Map<number, { c: Comparison; runs: readonly [number, number] }>();

  async compare(req: CompareRequest): Promise<CompareInfo> {
    const t0 = now();
    const side = (runId: number) => {
      const r = this.held(runId).result;
      return {
        trace: r.trace,
        kernel: r.kernel,
        label: `${r.kernel} · ${r.scenario.title}`,
        replay: r.simulation,
      };
    };
    const c = compareRuns(side(req.left), side(req.right));
    const compareId = this.nextId++;
    this.compares.set(compareId, { c, runs: [req.left, req.right] });
    return { ...summarize(c), compareId, runs: [req.left, req.right], elapsedMs: now() - t0 };
  }

  private comparison(compareId: number): { c: Comparison; runs: readonly [number, number] } {
    const s = this.compares.get(compareId);
    if (!s) throw new Error(`no comparison ${compareId} (it was released or never made)`);
    return s;
  }

  async viewPair(req: PairViewRequest): Promise<PairViewState> {
    const t0 = now();
    const { c, runs } = this.comparison(req.compareId);
    const al = c.alignment;
    const { granularity } = req;
    const position = Math.max(0, Math.min(Math.round(req.position), al.count(granularity)));
    const sidePositions = al.sides(granularity, position);
    const sides = await Promise.all(
      ([0, 1] as const).map((s) =>
        this.view({ runId: runs[s], granularity, position: sidePositions[s], selection: req.selection }),
      ),
    );
    const diff = req.diff ? this.diffAt(runs, [sides[0]!.cursor, sides[1]!.cursor]) : null;
    const loc = al.locate(granularity, position);
    let divergence = -1;
    for (const d of c.divergences) if (d.positions[granularity] <= position) divergence = d.index;
    return {
      compareId: req.compareId,
      granularity,
      position,
      sidePositions,
      sides: [sides[0]!, sides[1]!],
      pair: loc.pair,
      action: loc.action,
      stepInPair: loc.step,
      stepsInPair: loc.steps,
      divergence,
      diff,
      elapsedMs: now() - t0,
    };
  }

  /** The diff map at the sides' cursors, from the worlds their views just used. */
  private diffAt(runs: readonly [number, number], cursors: readonly [Cursor, Cursor]): MmDiff[] {
    // The event-boundary world (cached per run), plus the event's prefix on a copy of its mm only:
    // the page sets are not compared, so they are not copied.
    const worlds = ([0, 1] as const).map((s) => {
      const h = this.held(runs[s]);
      const c = cursors[s];
      const base = this.worldAt(h, { event: c.event, done: 0 });
      const e = h.result.simulation.events[c.event];
      return e && c.done > 0 ? withPrefix(base, e, c.done) : base;
    });
    return diffWorlds(worlds[0]!, worlds[1]!);
  }

  async diffPair(compareId: number, granularity: Granularity, position: number): Promise<PairDiff> {
    const t0 = now();
    const { c, runs } = this.comparison(compareId);
    const p = Math.max(0, Math.min(Math.round(position), c.alignment.count(granularity)));
    const cursors = c.alignment.cursors(granularity, p);
    return { granularity, position: p, diff: this.diffAt(runs, cursors), elapsedMs: now() - t0 };
  }

  async convertPair(
    compareId: number,
    from: Granularity,
    position: number,
    to: Granularity,
  ): Promise<number> {
    return this.comparison(compareId).c.alignment.convert(from, position, to);
  }

  async sidesOfPair(
    compareId: number,
    granularity: Granularity,
    position: number,
  ): Promise<[number, number]> {
    const al = this.comparison(compareId).c.alignment;
    return al.sides(granularity, Math.max(0, Math.min(Math.round(position), al.count(granularity))));
  }

  async alignedOf(
    compareId: number,
    side: 0 | 1,
    granularity: Granularity,
    position: number,
  ): Promise<number> {
    return this.comparison(compareId).c.alignment.fromSide(side, granularity, position);
  }

  async releaseCompare(compareId: number): Promise<void> {
    this.compares.delete(compareId);
  }

  // --- Exercises and sweeps: src/exercise and src/sweep, through study-host.ts --------

  async exercise(runId: number): Promise<ExerciseAnswers | null> {
    return exerciseOf(this.held(runId).result);
  }

  async sweepPoint(req: SweepPointRequest): Promise<SweepPoint> {
    return sweepPoint(req);
  }

  async answerKeyRow(req: AnswerKeyRequest): Promise<AnswerKeyRow> {
    return answerKey(req);
  }
}

/**
 * The kernel a load asked for, when it is why a valid scenario did not run: the scenario passes
 * runParsed()'s checks (checkScenario) under its own kernel, and not under this one.
 */
function refusingKernel(s: Scenario, kernel: VariantId | undefined): VariantId | null {
  if (!kernel || s.machine.kernel === kernel) return null;
  return checkScenario(s, s.machine.kernel).length === 0 ? kernel : null;
}

/**
 * A load's identity: the scenario as given and the kernel it runs under (the one asked for, else
 * the scenario's own: runParsed() runs `opts.kernel ?? machine.kernel`, so a preset opened under
 * its own kernel and that kernel chosen again are one run); null when JSON would not tell two
 * scenarios apart (NaN and null, an undefined value and none, a Map or a Date), so such a load is
 * always computed.
 */
function cacheKey(req: LoadRequest): string | null {
  if (!plainJson(req.scenario)) return null;
  const own = (req.scenario as { machine?: { kernel?: unknown } } | null)?.machine?.kernel;
  return `${req.kernel ?? (typeof own === "string" ? own : "")}|${JSON.stringify(req.scenario)}`;
}

function plainJson(v: unknown): boolean {
  if (v === null || typeof v === "string" || typeof v === "boolean") return true;
  if (typeof v === "number") return Number.isFinite(v);
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) if (!(i in v) || !plainJson(v[i])) return false;
    return true;
  }
  if (typeof v !== "object") return false;
  const proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) return false;
  for (const x of Object.values(v as Record<string, unknown>)) if (!plainJson(x)) return false;
  return true;
}

/** The scenario's migration mode and QEMU's setup, defaulted as scenario/compile.ts runParsed() does. */
function migrationSetup(r: RunResult): MigrationSetup {
  const q = r.scenario.machine.qemu;
  let mode: MigrationSetup["mode"] = null;
  for (const a of r.scenario.actions) {
    if (a.do === "migrate" || a.do === "migrate-start") {
      mode = a.mode;
      break;
    }
  }
  return {
    mode,
    multifd: q.multifd,
    zeroPageDetection: q.zeroPageDetection ?? defaultZeroPageDetection(q.version),
    postcopyRam: q.postcopyRam || mode === "postcopy",
  };
}

/** Every PTE state some page of the run took (the trace's transitions; every run starts empty). */
function statesSeen(t: Trace): (state: number) => boolean {
  const seen = new Set<number>();
  for (let o = 0; o < t.effects.length; o += 4) {
    seen.add(t.effects[o]!);
    seen.add(t.effects[o + 1]!);
  }
  return (state) => seen.has(state);
}

function tableGeometry(r: RunResult): TableGeometry {
  const geo = r.simulation.world.mms[0]!.geometry;
  return {
    ptesPerTable: geo.ptesPerTable,
    tableSpanBytes: geo.ptesPerTable * PAGE_SIZE,
    pteTableMemBytes: geo.pteTableMemBytes,
    pteTableVmPteBytes: geo.pteTableVmPteBytes,
    pteTableName: geo.pteTableName,
  };
}

function footprintContains(runs: readonly number[], page: number): boolean {
  for (let i = 0; i < runs.length; i += 2)
    if (page >= runs[i]! && page < runs[i]! + runs[i + 1]!) return true;
  return false;
}

function ruleForPage(
  effects: readonly { from: number; to: number; rule: number }[],
  from: number,
  to: number,
): number {
  for (const e of effects) if (e.from === from && e.to === to) return e.rule;
  return 0;
}

/**
 * The cursor whose world a view is built from. A fine step that ends event e is built as (e, all
 * its pages done) rather than (e + 1, 0): the same state for an event that succeeded (a failed
 * event is a transaction and is built whole), and the cached world then holds the state before
 * the event, from which stepChanges() reads what the step did.
 */
function builtCursor(t: Trace, granularity: Granularity, cursor: Cursor, event: number): Cursor {
  if (granularity === "action" || cursor.done > 0 || event < 0 || event !== cursor.event - 1) return cursor;
  const pages = t.footprintPages[event]!;
  return t.ok[event] && pages > 0 ? { event, done: pages } : cursor;
}

/**
 * The trace row whose hypervisor counters go with the world at `built`: an event's row holds them
 * after it, so part-way through event `event` it is the row before.
 */
function ledgerRow(t: Trace, built: Cursor, event: number): number {
  if (event < 0) return -1;
  const finished = built.event > event || built.done >= t.footprintPages[event]!;
  return finished ? event : event - 1;
}

/** PTE transitions of the last step's pages, by (from, to, rule); [] when the event changed nothing. */
function stepChanges(
  t: Trace,
  event: number,
  built: Cursor,
  before: World,
  after: World,
  runs: readonly number[],
): StepChange[] | null {
  if (t.footprintPages[event] === 0) return null;
  if (built.event !== event || built.done === 0) return [];
  const mm = t.mm[event]!;
  const from = before.mms[mm]?.pt.ptes;
  const to = after.mms[mm]?.pt.ptes;
  if (!from || !to) return null;
  const effects = effectsOf(t, event);
  const byKey = new Map<number, StepChange>();
  let budget = 4096;
  for (let i = 0; i < runs.length && budget > 0; i += 2) {
    for (let p = runs[i]!; p < runs[i]! + runs[i + 1]! && budget > 0; p++, budget--) {
      const a = from.get(p);
      const b = to.get(p);
      const key = a * 256 + b;
      const seen = byKey.get(key);
      byKey.set(key, {
        from: a,
        to: b,
        rule: seen?.rule ?? ruleForPage(effects, a, b),
        count: (seen?.count ?? 0) + 1,
      });
    }
  }
  return [...byKey.values()].sort((x, y) => y.count - x.count);
}

/** The pages the step at `position` covered within event `event`'s footprint. */
function activeSlice(
  h: Held,
  granularity: Granularity,
  position: number,
  event: number,
  runs: number[],
): number[] {
  if (granularity === "action") return runs;
  const end = h.positions.toCursor(granularity, position);
  const start = position > 0 ? h.positions.toCursor(granularity, position - 1) : { event: 0, done: 0 };
  const from = start.event === event ? start.done : 0;
  const to = end.event === event ? end.done : Number.POSITIVE_INFINITY;
  const out: number[] = [];
  let pos = 0;
  for (let i = 0; i < runs.length; i += 2) {
    const first = runs[i]!;
    const count = runs[i + 1]!;
    const lo = Math.max(from, pos);
    const hi = Math.min(to, pos + count);
    if (lo < hi) out.push(first + (lo - pos), hi - lo);
    pos += count;
  }
  return out;
}
