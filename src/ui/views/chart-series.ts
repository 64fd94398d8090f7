/**
 * Counter series for the charts, straight from the trace's counter columns: per mm RssAnon, host
 * memory, VmPTE, zeropage PTEs and huge zero PMDs, and the guest's balloon (trace extra
 * "balloonPages"). Points sit on the shared trace axis: a counter holds its value before an event
 * at the event's slot start and reaches its value after the event at the slot end (a straight
 * line in between: the event's pages are done one after another). Each track's description is the
 * counters' legend in the run's own geometry.
 */
import { PAGE_SIZE } from "../../base/units.ts";
import type { CounterColumn, RunInfo } from "../../worker/api.ts";
import { formatInt } from "../format.ts";
import { counterMeaning } from "../narration/counter-legend.ts";
import type { TraceAxis } from "./trace-axis.ts";

export interface Series {
  /** mm index, or −1 for the guest (balloon). */
  readonly mm: number;
  readonly name: string;
  readonly u: Float64Array;
  readonly values: Float64Array;
  /** Value after event e (e = −1: the initial value). */
  readonly at: (e: number) => number;
}

export interface Track {
  readonly id: string;
  readonly label: string;
  /** What the label means, for titles and the table's caption. */
  readonly description: string;
  readonly unit: CounterColumn["unit"];
  readonly series: readonly Series[];
  readonly max: number;
}

type ChartRun = Pick<RunInfo, "trace" | "counters" | "geometry">;

/**
 * The charted counters; `ifUsed`: only in runs where it is ever non-zero. What each means comes
 * from the counters' legend (narration/counter-legend.ts), in the run's own geometry.
 */
export const CHART_COUNTERS: readonly { key: string; ifUsed?: boolean }[] = [
  { key: "rssAnonBytes" },
  { key: "hostMemBytes" },
  { key: "vmPteBytes" },
  { key: "zeropagePtes" },
  { key: "hugeZeroPmds", ifUsed: true },
];

function series(ax: TraceAxis, events: number, mm: number, name: string, at: (e: number) => number): Series {
  const n = 1 + 2 * events;
  const u = new Float64Array(n);
  const values = new Float64Array(n);
  u[0] = 0;
  values[0] = at(-1);
  for (let e = 0; e < events; e++) {
    u[1 + 2 * e] = ax.eventStart_u[e]!;
    values[1 + 2 * e] = at(e - 1);
    u[2 + 2 * e] = ax.eventEnd_u[e]!;
    values[2 + 2 * e] = at(e);
  }
  return { mm, name, u, values, at };
}

function maxOf(ss: readonly Series[]): number {
  let m = 0;
  for (const s of ss) for (const v of s.values) if (v > m) m = v;
  return m;
}

export function chartTracks(run: ChartRun, ax: TraceAxis): Track[] {
  const t = run.trace;
  const mms = t.mmNames.length;
  const nc = run.counters.length;
  const tracks: Track[] = [];
  for (const { key, ifUsed } of CHART_COUNTERS) {
    const c = run.counters.findIndex((x) => x.key === key);
    if (c < 0) continue;
    const ss = t.mmNames.map((name, mm) =>
      series(ax, t.events, mm, name, (e) =>
        e < 0 ? t.initialCounters[mm * nc + c]! : t.counters[(e * mms + mm) * nc + c]!,
      ),
    );
    if (ifUsed && maxOf(ss) === 0) continue;
    tracks.push({
      id: key,
      label: run.counters[c]!.label,
      description: counterMeaning(key, run.geometry),
      unit: run.counters[c]!.unit,
      series: ss,
      max: maxOf(ss),
    });
  }
  const b = t.extraKeys.indexOf("balloonPages");
  if (b >= 0) {
    const k = t.extraKeys.length;
    const s = series(
      ax,
      t.events,
      -1,
      "guest",
      (e) => (e < 0 ? t.initialExtra[b]! : t.extra[e * k + b]!) * PAGE_SIZE,
    );
    tracks.push({
      id: "balloon",
      label: "balloon",
      description: "the guest's balloon: guest memory handed back to the host",
      unit: "bytes",
      series: [s],
      max: maxOf([s]),
    });
  }
  return tracks;
}

/** "10.5 M", "262 k", "940": compact counts for axis labels. */
export function compactCount(v: number): string {
  const a = Math.abs(v);
  const fmt = (x: number, unit: string) =>
    `${x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2)} ${unit}`;
  if (a >= 1e9) return fmt(v / 1e9, "G");
  if (a >= 1e6) return fmt(v / 1e6, "M");
  if (a >= 1e4) return fmt(v / 1e3, "k");
  return formatInt(v);
}
