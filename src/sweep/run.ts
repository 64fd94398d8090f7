/**
 * Running a sweep's points: the scenario with the parameter set (scenario/parameters.ts), run by
 * the engine under one kernel (no checkpoints: only the trace is read), reduced to what the small
 * multiples draw: final and peak RssAnon and host memory on the source and the destination, the
 * outcome, and the step a click on the point opens (relevantEvent).
 *
 * One point at a time: the worker answers one call per point, so the page shows progress and can
 * stop between points; the command line loops over the same function.
 */
import {
  COUNTERS,
  counterAt,
  effectsOf,
  mmActive,
  peakCounterAt,
  type Trace,
  type VariantId,
} from "../engine/index.ts";
import { isAnon, Pte } from "../engine/pte.ts";
import type { Outcome } from "../hypervisor/machine.ts";
import { runScenario } from "../scenario/compile.ts";
import { applyParameter, type ParameterId, type ParameterValue } from "../scenario/parameters.ts";
import { MEASURES, type MeasureId, SIDES, type Side } from "./measures.ts";
import type { SweepSpec } from "./spec.ts";

export { MEASURES, type MeasureId, SIDES, type Side } from "./measures.ts";

import { sweepValues } from "./spec.ts";

export interface SweepPointRequest {
  /** Scenario JSON the sweep runs over (the app's scenario, a student's draw included). */
  readonly scenario: unknown;
  readonly param: ParameterId;
  readonly value: ParameterValue;
  readonly kernel: VariantId;
}

export interface SweepPoint {
  readonly param: ParameterId;
  readonly value: ParameterValue;
  readonly kernel: VariantId;
  /** Empty when the point ran; else why it could not ("…: QEMU 9.2 refuses …"). */
  readonly problem: string;
  readonly outcome: Outcome | null;
  readonly outcomeReason: string;
  /** Bytes by measure and side; null for a side the run never used (no migration). */
  readonly values: Readonly<Record<MeasureId, Readonly<Record<Side, number | null>>>>;
  readonly events: number;
  /** The event a click on the point opens (-1: the run has none). */
  readonly relevantEvent: number;
  /** What that event is: "the first allocation of ballooned memory", … */
  readonly relevantLabel: string;
}

const AT = new Map<string, number>(COUNTERS.map((c, i) => [c.key, i]));

function reduce(t: Trace, mm: number, counter: string, stat: "final" | "peak"): number {
  const c = AT.get(counter)!;
  return stat === "final" ? counterAt(t, t.events - 1, mm, c) : peakCounterAt(t, mm, c);
}

/** The label of a point whose step is the first allocation of ballooned memory (see below). */
export const FIRST_BALLOON_ALLOCATION = "the first allocation of ballooned memory";

/**
 * The step a click on a point opens: the first allocation of ballooned memory (an empty PTE, as
 * the balloon leaves it, filled with a page of its own on the balloon's side), else the first
 * mapping of ballooned memory at all (the zeropage where it is allowed), else the migration's
 * first event, else the run's last.
 */
export function relevantEvent(t: Trace): { event: number; label: string } {
  const inflate = t.actions.findIndex((a) => a.marker === "inflate");
  if (inflate >= 0) {
    const a = t.actions[inflate]!;
    const mm = a.endEvent > a.firstEvent ? t.mm[a.firstEvent]! : 0;
    let mapped = -1;
    for (let e = a.endEvent; e < t.events; e++) {
      if (t.mm[e] !== mm) continue;
      for (const eff of effectsOf(t, e)) {
        if (eff.from !== Pte.NONE || eff.to === Pte.NONE) continue;
        if (isAnon(eff.to)) return { event: e, label: FIRST_BALLOON_ALLOCATION };
        if (mapped < 0) mapped = e;
      }
    }
    if (mapped >= 0) return { event: mapped, label: "the first mapping of ballooned memory" };
  }
  const migration = t.actions.find((a) => a.marker === "migration-start");
  if (migration && migration.endEvent > migration.firstEvent)
    return { event: migration.firstEvent, label: "the start of the migration" };
  return { event: t.events - 1, label: "the end of the run" };
}

function emptyValues(): Record<MeasureId, Record<Side, number | null>> {
  return Object.fromEntries(MEASURES.map((m) => [m.id, { source: null, destination: null }])) as Record<
    MeasureId,
    Record<Side, number | null>
  >;
}

/** The scenario JSON of one point (also what a click on the point opens). */
export function pointScenario(
  scenario: unknown,
  param: ParameterId,
  value: ParameterValue,
): { ok: true; scenario: unknown } | { ok: false; problem: string } {
  const r = applyParameter(scenario, param, value);
  return r.ok
    ? { ok: true, scenario: r.scenario }
    : { ok: false, problem: `${r.issue.path}: ${r.issue.message}` };
}

export function runSweepPoint(req: SweepPointRequest): SweepPoint {
  const base = {
    param: req.param,
    value: req.value,
    kernel: req.kernel,
    outcome: null,
    outcomeReason: "",
    values: emptyValues(),
    events: 0,
    relevantEvent: -1,
    relevantLabel: "",
  };
  const point = pointScenario(req.scenario, req.param, req.value);
  if (!point.ok) return { ...base, problem: point.problem };
  const r = runScenario(point.scenario, { kernel: req.kernel, checkpoints: false });
  if (!r.ok)
    return {
      ...base,
      problem: r.issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join("; "),
    };
  const t = r.run.trace;
  const values = emptyValues();
  // The source always has values; the destination only when the run reached it.
  const live = SIDES.map((_, mm) => mm === 0 || mmActive(t, mm));
  for (const m of MEASURES)
    SIDES.forEach((side, mm) => {
      values[m.id][side] = live[mm] ? reduce(t, mm, m.counter, m.stat) : null;
    });
  const rel = relevantEvent(t);
  return {
    ...base,
    problem: "",
    outcome: r.run.outcome,
    outcomeReason: r.run.outcomeReason,
    values,
    events: t.events,
    relevantEvent: rel.event,
    relevantLabel: rel.label,
  };
}

/** Every point of a sweep, in order (each value, each kernel), as the command line runs it. */
export function* runSweep(spec: SweepSpec, scenario: unknown): Generator<SweepPoint> {
  for (const value of sweepValues(spec, scenario))
    for (const kernel of spec.kernels) yield runSweepPoint({ scenario, param: spec.param, value, kernel });
}
