/**
 * Semantic markers on the timeline and the charts, derived from the trace (never from kernel
 * semantics of their own): the scenario actions' marker kinds (balloon inflate, migration start,
 * storage keys enabled, ...), unshare passes (events whose rules include
 * __s390_unshare_zeropages), and where the run hung or failed.
 */
import type { Granularity, RuleInfo, Trace } from "../../worker/api.ts";
import { formatInt } from "../format.ts";
import { stepCount, type TraceAxis } from "./trace-axis.ts";

export type MarkerKind =
  | "inflate"
  | "deflate"
  | "migration-start"
  | "switchover"
  | "migration-end"
  | "skeys"
  | "pv"
  | "ksm"
  | "unshare"
  | "hang"
  | "failed";

export interface Marker {
  readonly kind: MarkerKind;
  /** Short name for the flag ("inflate"), and a sentence for titles and lists. */
  readonly name: string;
  readonly label: string;
  readonly u: number;
  /** The action and event it refers to; `at` says whether it marks their start or end. */
  readonly action: number;
  readonly event: number;
  readonly at: "start" | "end";
}

const NAMES: Record<MarkerKind, string> = {
  inflate: "inflate",
  deflate: "deflate",
  "migration-start": "migration",
  switchover: "switchover",
  "migration-end": "migration done",
  skeys: "storage keys",
  pv: "PV",
  ksm: "KSM",
  unshare: "unshare",
  hang: "hang",
  failed: "failed",
};

/** A short name for an action's marker kind ("migration-start" → "migration"). */
export function markerName(kind: string): string {
  return isMarkerKind(kind) ? NAMES[kind] : kind;
}

export const UNSHARE_RULE = "__s390_unshare_zeropages";

function isMarkerKind(k: string): k is MarkerKind {
  return k in NAMES;
}

export interface RunOutcome {
  readonly outcome: "completed" | "hung" | "failed";
  readonly outcomeReason: string;
}

export function traceMarkers(t: Trace, ax: TraceAxis, rules: readonly RuleInfo[], run: RunOutcome): Marker[] {
  const out: Marker[] = [];
  t.actions.forEach((a, i) => {
    if (!isMarkerKind(a.marker)) return;
    out.push({
      kind: a.marker,
      name: NAMES[a.marker],
      label: a.label,
      u: ax.actionStart_u[i]!,
      action: i,
      event: Math.min(a.firstEvent, Math.max(0, t.events - 1)),
      at: "start",
    });
  });
  const unshare = rules.findIndex((r) => r.id === UNSHARE_RULE);
  if (unshare >= 0) {
    let e = 0;
    while (e < t.events) {
      if (!eventUsesRule(t, e, unshare)) {
        e++;
        continue;
      }
      const first = e;
      let pages = 0;
      for (; e < t.events && eventUsesRule(t, e, unshare); e++) pages += rulePages(t, e, unshare);
      out.push({
        kind: "unshare",
        name: NAMES.unshare,
        label: `unshare pass on the ${t.mmNames[t.mm[first]!]}: ${formatInt(pages)} zeropages unshared (${UNSHARE_RULE})`,
        u: ax.eventStart_u[first]!,
        action: t.action[first]!,
        event: first,
        at: "start",
      });
    }
  }
  if (run.outcome !== "completed" && t.events > 0) {
    const hungKey = t.extraKeys.indexOf("hung");
    let e = t.events - 1;
    if (run.outcome === "hung" && hungKey >= 0) {
      for (let i = 0; i < t.events; i++) {
        if (t.extra[i * t.extraKeys.length + hungKey]! > 0) {
          e = i;
          break;
        }
      }
    }
    const kind = run.outcome === "hung" ? "hang" : "failed";
    out.push({
      kind,
      name: NAMES[kind],
      label: run.outcomeReason || (kind === "hang" ? "a vCPU hangs" : "the run failed"),
      u: ax.eventEnd_u[e]!,
      action: t.action[e]!,
      event: e,
      at: "end",
    });
  }
  return out.sort((a, b) => a.u - b.u);
}

function eventUsesRule(t: Trace, e: number, rule: number): boolean {
  for (let i = 0; i < t.stepCount[e]!; i++) if (t.steps[t.stepStart[e]! + i] === rule) return true;
  for (let i = 0; i < t.effCount[e]!; i++) if (t.effects[(t.effStart[e]! + i) * 4 + 2] === rule) return true;
  return false;
}

function rulePages(t: Trace, e: number, rule: number): number {
  let n = 0;
  for (let i = 0; i < t.effCount[e]!; i++) {
    const o = (t.effStart[e]! + i) * 4;
    if (t.effects[o + 2] === rule) n += t.effects[o + 3]!;
  }
  return n;
}

/** Where "go to marker" lands at granularity g: the marker's first step, or the step that ends it. */
export function markerPosition(t: Trace, ax: TraceAxis, g: Granularity, m: Marker): number {
  const n = stepCount(ax, g);
  if (g === "action") return Math.min(n, m.action + 1);
  const cum = g === "table" ? ax.cumTable : ax.cumPte;
  if (t.events === 0) return 0;
  return Math.min(n, m.at === "start" ? cum[m.event]! + 1 : cum[m.event + 1]!);
}

/** The marker whose landing position is the next after (dir 1) or last before (dir −1) p, or null. */
export function adjacentMarker(
  t: Trace,
  ax: TraceAxis,
  g: Granularity,
  markers: readonly Marker[],
  p: number,
  dir: 1 | -1,
): Marker | null {
  const at = markers.map((m) => markerPosition(t, ax, g, m));
  if (dir > 0) {
    const i = at.findIndex((x) => x > p);
    return i < 0 ? null : markers[i]!;
  }
  for (let i = at.length - 1; i >= 0; i--) if (at[i]! < p) return markers[i]!;
  return null;
}

/** Flags past this u hang to the left of their marker, so that they stay inside the track. */
export const FLAG_FLIP_U = 0.82;

/**
 * Lanes for the timeline's flags so that labels do not overlap: each flag takes the first lane
 * whose last flag ends left of it (label width estimated from its length), at most `lanes`.
 */
export function flagLanes(markers: readonly Marker[], width_cssPx: number, lanes = 2): number[] {
  const ends: number[] = [];
  return markers.map((m) => {
    const x = m.u * width_cssPx;
    const w = 12 + 6.2 * m.name.length;
    const start = m.u > FLAG_FLIP_U ? x - w : x;
    let lane = ends.findIndex((end) => end < start);
    if (lane < 0) lane = ends.length < lanes ? ends.length : lanes - 1;
    ends[lane] = start + w;
    return lane;
  });
}
