/**
 * Overlaid counter series for compare mode: per mm, one counter of both runs on one aligned axis.
 * The axis is u ∈ [0, 1] over the aligned table steps (compare/align.ts), so a long event takes
 * room in proportion to the page tables it walks, as in the single view's trace axis. Each series
 * has a point at the start and one at the end of every event pair, from the trace's counters after
 * the event each side has completed by then.
 */
import type { CompareInfo, Granularity, PairViewState, RunInfo } from "../../worker/api.ts";

export interface OverlaySeries {
  readonly side: 0 | 1;
  readonly u: Float64Array;
  readonly values: Float64Array;
}

export interface OverlayTrack {
  readonly mm: string;
  readonly label: string;
  readonly unit: "bytes" | "pages" | "count";
  readonly series: readonly OverlaySeries[];
  readonly max: number;
}

type Runs = readonly [Pick<RunInfo, "trace" | "counters">, Pick<RunInfo, "trace" | "counters">];

/** The value of counter `c` of mm `mm` after event `e` (−1: initial) in a run's trace. */
function valueAt(run: Runs[number], e: number, mm: number, c: number): number {
  const t = run.trace;
  const nc = run.counters.length;
  if (e < 0) return t.initialCounters[mm * nc + c]!;
  return t.counters[(e * t.mmNames.length + mm) * nc + c]!;
}

/** u of the end of pair p (p = −1: 0). */
export function pairEndU(info: CompareInfo, p: number): number {
  const total = info.counts.table;
  if (p < 0 || total <= 0) return 0;
  return info.pairAfter.table[p]! / total;
}

export function overlayTracks(info: CompareInfo, runs: Runs, counter: string): OverlayTrack[] {
  const names: string[] = [...runs[0].trace.mmNames];
  for (const n of runs[1].trace.mmNames) if (!names.includes(n)) names.push(n);
  const col = runs[0].counters.findIndex((c) => c.key === counter);
  if (col < 0) return [];
  const info0 = runs[0].counters[col]!;
  return names.map((mm) => {
    const series: OverlaySeries[] = [];
    for (const side of [0, 1] as const) {
      const run = runs[side];
      const m = run.trace.mmNames.indexOf(mm);
      if (m < 0) continue;
      const n = info.pairCount + 1;
      const u = new Float64Array(n);
      const values = new Float64Array(n);
      values[0] = valueAt(run, -1, m, col);
      for (let p = 0; p < info.pairCount; p++) {
        u[p + 1] = pairEndU(info, p);
        values[p + 1] = valueAt(run, info.pairEnd[side][p]!, m, col);
      }
      series.push({ side, u, values });
    }
    let max = 0;
    for (const s of series) for (const v of s.values) if (v > max) max = v;
    return { mm, label: info0.label, unit: info0.unit, series, max };
  });
}

/** u of the shared cursor: the end of the last pair done, plus the done part of the current one. */
export function cursorU(
  info: CompareInfo,
  view: Pick<PairViewState, "pair" | "stepInPair" | "stepsInPair">,
): number {
  if (view.pair < 0) return 0;
  const start = pairEndU(info, view.pair - 1);
  const end = pairEndU(info, view.pair);
  const f = view.stepsInPair > 0 ? view.stepInPair / view.stepsInPair : 1;
  return start + (end - start) * Math.min(1, Math.max(0, f));
}

/** u of an aligned position at granularity g, from the summary alone (for marks and clicks). */
export function positionU(info: CompareInfo, g: Granularity, position: number): number {
  const total = info.counts.table;
  if (total <= 0) return 0;
  if (g === "table") return position / total;
  if (g === "action") {
    const a = info.actions[position - 1];
    return a ? a.end.table / total : 0;
  }
  // PTE steps: find the pair by its end positions, then the fraction within it.
  const ends = info.pairAfter.pte;
  let lo = 0;
  let hi = info.pairCount - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (ends[mid]! < position) lo = mid + 1;
    else hi = mid;
  }
  const start = lo > 0 ? ends[lo - 1]! : 0;
  const f = ends[lo]! > start ? (position - start) / (ends[lo]! - start) : 1;
  return pairEndU(info, lo - 1) + (pairEndU(info, lo) - pairEndU(info, lo - 1)) * f;
}

/** The aligned position at granularity g nearest to u (for clicks on the charts and timeline). */
export function uToPosition(info: CompareInfo, g: Granularity, u: number): number {
  const total = info.counts.table;
  const table = Math.round(Math.max(0, Math.min(1, u)) * total);
  if (g === "table") return table;
  // The pair whose table range holds `table`, then its end (action: its action's end).
  const ends = info.pairAfter.table;
  let lo = 0;
  let hi = Math.max(0, info.pairCount - 1);
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (ends[mid]! < table) lo = mid + 1;
    else hi = mid;
  }
  if (info.pairCount === 0) return 0;
  if (g === "action") return info.pairAction[lo]! + 1;
  return info.pairAfter.pte[lo]!;
}
