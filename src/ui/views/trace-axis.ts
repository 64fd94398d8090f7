/**
 * The horizontal axis shared by the timeline and the counter charts: "trace space", u ∈ [0, 1].
 *
 * Each scenario action gets a band whose width is proportional to 1 + √(its events), so that a
 * 252-event migration does not squeeze a 2-event balloon inflate into a pixel (the commit story:
 * weights 2.4, 2.4, 2.4, 16.9 → the migration gets 70 % of the width, each other action 10 %).
 * Inside a band the action's events share the width equally, and inside an event a table or PTE
 * position moves linearly with the pieces or pages done, as the engine counts them (cursor.ts).
 *
 * Positions at table and PTE granularity are recomputed here from the trace's footprint columns
 * (steps of event e = max(1, footprint)), so the views can map a position to u without asking the
 * worker. Pure functions; `cssPx` appears only in the views that call them.
 */
import type { Granularity, Trace } from "../../worker/api.ts";

export interface TraceAxis {
  readonly actions: number;
  readonly events: number;
  /** u where action a starts, a = 0 … actions (the last entry is 1). */
  readonly actionStart_u: Float64Array;
  /** u where event e's slot starts and ends. */
  readonly eventStart_u: Float64Array;
  readonly eventEnd_u: Float64Array;
  /** Steps before event e at table and PTE granularity (length events + 1). */
  readonly cumTable: Float64Array;
  readonly cumPte: Float64Array;
}

export function traceAxis(t: Trace): TraceAxis {
  const A = t.actions.length;
  const E = t.events;
  const actionStart_u = new Float64Array(A + 1);
  const weights = t.actions.map((a) => 1 + Math.sqrt(Math.max(0, a.endEvent - a.firstEvent)));
  const total = weights.reduce((x, y) => x + y, 0) || 1;
  for (let a = 0; a < A; a++) actionStart_u[a + 1] = actionStart_u[a]! + weights[a]! / total;
  if (A > 0) actionStart_u[A] = 1;
  const eventStart_u = new Float64Array(E);
  const eventEnd_u = new Float64Array(E);
  for (let a = 0; a < A; a++) {
    const act = t.actions[a]!;
    const n = act.endEvent - act.firstEvent;
    const w = (actionStart_u[a + 1]! - actionStart_u[a]!) / Math.max(1, n);
    for (let i = 0; i < n; i++) {
      eventStart_u[act.firstEvent + i] = actionStart_u[a]! + i * w;
      eventEnd_u[act.firstEvent + i] = actionStart_u[a]! + (i + 1) * w;
    }
  }
  const cumTable = new Float64Array(E + 1);
  const cumPte = new Float64Array(E + 1);
  for (let e = 0; e < E; e++) {
    cumTable[e + 1] = cumTable[e]! + Math.max(1, t.footprintTables[e]!);
    cumPte[e + 1] = cumPte[e]! + Math.max(1, t.footprintPages[e]!);
  }
  return { actions: A, events: E, actionStart_u, eventStart_u, eventEnd_u, cumTable, cumPte };
}

/** The last position at granularity g. */
export function stepCount(ax: TraceAxis, g: Granularity): number {
  if (g === "action") return ax.actions;
  return (g === "table" ? ax.cumTable : ax.cumPte)[ax.events]!;
}

/** Largest i with arr[i] < x, for a non-decreasing arr (−1 if none). */
function lastBelow(arr: Float64Array, x: number, hi: number): number {
  let lo = -1;
  let h = hi;
  while (lo < h) {
    const mid = (lo + h + 1) >> 1;
    if (arr[mid]! < x) lo = mid;
    else h = mid - 1;
  }
  return lo;
}

/** Where position p at granularity g sits on the axis. */
export function positionToU(ax: TraceAxis, g: Granularity, p: number): number {
  if (ax.actions === 0) return 0;
  const n = stepCount(ax, g);
  const pos = Math.max(0, Math.min(p, n));
  if (g === "action") return ax.actionStart_u[Math.round(pos)]!;
  if (pos === 0) return 0;
  if (pos >= n) return 1;
  const cum = g === "table" ? ax.cumTable : ax.cumPte;
  const e = Math.max(0, lastBelow(cum, pos, ax.events - 1));
  const steps = cum[e + 1]! - cum[e]!;
  const frac = Math.min(1, (pos - cum[e]!) / steps);
  return ax.eventStart_u[e]! + frac * (ax.eventEnd_u[e]! - ax.eventStart_u[e]!);
}

/** The event whose slot holds u (clamped to the first and last event); −1 without events. */
export function eventAtU(ax: TraceAxis, u: number): number {
  if (ax.events === 0) return -1;
  if (u <= 0) return 0;
  // Last event whose slot starts at or before u.
  let lo = 0;
  let hi = ax.events - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (ax.eventStart_u[mid]! <= u) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/**
 * The position at granularity g nearest to u: at action granularity the nearest action boundary,
 * at finer ones the step inside the event under u.
 */
export function uToPosition(ax: TraceAxis, g: Granularity, u: number): number {
  const x = Math.max(0, Math.min(1, u));
  if (g === "action") {
    let best = 0;
    for (let a = 1; a <= ax.actions; a++)
      if (Math.abs(ax.actionStart_u[a]! - x) < Math.abs(ax.actionStart_u[best]! - x)) best = a;
    return best;
  }
  if (ax.events === 0) return 0;
  if (x >= 1) return stepCount(ax, g);
  const e = eventAtU(ax, x);
  const cum = g === "table" ? ax.cumTable : ax.cumPte;
  const start = ax.eventStart_u[e]!;
  const width = ax.eventEnd_u[e]! - start;
  const frac = width > 0 ? Math.max(0, Math.min(1, (x - start) / width)) : 1;
  return cum[e]! + Math.round(frac * (cum[e + 1]! - cum[e]!));
}

/**
 * The position at granularity g one event boundary before or after p (PageUp/PageDown at fine
 * granularity; one action at action granularity).
 */
export function eventBoundaryStep(ax: TraceAxis, g: Granularity, p: number, dir: 1 | -1): number {
  const n = stepCount(ax, g);
  if (g === "action") return Math.max(0, Math.min(n, p + dir));
  const cum = g === "table" ? ax.cumTable : ax.cumPte;
  if (dir > 0) {
    for (let e = lastBelow(cum, p + 1, ax.events) + 1; e <= ax.events; e++) if (cum[e]! > p) return cum[e]!;
    return n;
  }
  const e = lastBelow(cum, p, ax.events);
  return e < 0 ? 0 : cum[e]!;
}
