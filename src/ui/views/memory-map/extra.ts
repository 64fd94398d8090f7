/**
 * The hypervisor's counters (the trace's extra columns, hypervisor/machine.ts EXTRA_KEYS) at a
 * step. Inside an event that is still in progress at a fine granularity, the value moves from the
 * event's "before" to its "after" in proportion to the steps done: the counters count pages the
 * event processes in order, so this is what QEMU would report part-way.
 */
import type { Trace } from "../../../worker/api.ts";

/** Value of extra column `key` after event `event` (-1: the initial value); NaN if unknown. */
export function extraAfter(trace: Trace, event: number, key: string): number {
  const k = trace.extraKeys.indexOf(key);
  if (k < 0) return Number.NaN;
  if (event < 0) return trace.initialExtra[k] ?? 0;
  const e = Math.min(event, trace.events - 1);
  return trace.extra[e * trace.extraKeys.length + k] ?? 0;
}

export interface StepPoint {
  /** The event this step belongs to (-1 at the start). */
  readonly event: number;
  /** 1-based step within the event, and its step count. */
  readonly stepInEvent: number;
  readonly stepsInEvent: number;
}

/**
 * The counter at a step, and how much it grew during the step: since the end of event
 * `sinceEvent` (the step's start: the previous action's last event at action granularity, the
 * previous event otherwise).
 */
export function extraAt(
  trace: Trace,
  at: StepPoint,
  key: string,
  sinceEvent = at.event - 1,
): { value: number; delta: number } {
  const before = extraAfter(trace, at.event - 1, key);
  const after = extraAfter(trace, at.event, key);
  if (at.event < 0) return { value: after, delta: 0 };
  const f = at.stepsInEvent > 0 ? Math.min(1, Math.max(0, at.stepInEvent / at.stepsInEvent)) : 1;
  const value = Math.round(before + (after - before) * f);
  return { value, delta: value - extraAfter(trace, sinceEvent, key) };
}

/** The event a step started after: the previous action's end at action granularity. */
export function stepStartEvent(
  trace: Trace,
  view: StepPoint & { readonly granularity: string; readonly action: number },
): number {
  if (view.event < 0) return -1;
  if (view.granularity === "action" && view.action >= 0) {
    return (trace.actions[view.action]?.firstEvent ?? view.event) - 1;
  }
  return view.event - 1;
}
