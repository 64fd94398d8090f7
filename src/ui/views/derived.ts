/**
 * Per-run derived data for the views and commands, computed once per run (memoized on the
 * RunInfo object): the shared trace axis and the semantic markers.
 */
import type { RunInfo } from "../../worker/api.ts";
import { type Marker, traceMarkers } from "./markers.ts";
import { type TraceAxis, traceAxis } from "./trace-axis.ts";

const axes = new WeakMap<RunInfo, TraceAxis>();
const markers = new WeakMap<RunInfo, readonly Marker[]>();

export function axisOf(run: RunInfo): TraceAxis {
  let ax = axes.get(run);
  if (!ax) {
    ax = traceAxis(run.trace);
    axes.set(run, ax);
  }
  return ax;
}

export function markersOf(run: RunInfo): readonly Marker[] {
  let m = markers.get(run);
  if (!m) {
    m = traceMarkers(run.trace, axisOf(run), run.rules, run);
    markers.set(run, m);
  }
  return m;
}
