/**
 * The delta table: final and peak counters of each mm on both sides, the difference (right minus
 * left, so "what the right kernel changes") in bytes and per cent of the left, and a fixed-width
 * text form to paste into a mailing-list reply.
 *
 * Counters come from the traces (the values after each event, and the initial ones): final is after
 * the last event, peak is the largest value at any step. A difference is in the counter's own unit:
 * bytes for byte counters, a plain signed count for page counters and counts (zeropage PTEs are
 * pages that cost no frame, so "+40 GiB" would read as memory spent). Each row says whether the
 * right side's change is a cost, a gain or neither (the counter's sense, engine/proc/status.ts),
 * for the views to colour. Mms are matched by name.
 *
 * Worked numbers (the commit story, fa41ba0d against 06201e00): RssAnon on the source ends at
 * 100 GiB against 60 GiB, a difference of -40 GiB, -40.0 %; the destination the same.
 */
import { formatBytes, formatCount } from "../base/units.ts";
import { COUNTER_COUNT, COUNTERS, type CounterKey, counterAt, type Trace } from "../engine/index.ts";
import { type CounterSense, changeTone } from "../engine/proc/status.ts";

export interface DeltaRow {
  readonly mm: string;
  readonly counter: CounterKey;
  readonly label: string;
  readonly unit: "bytes" | "pages" | "count";
  /** Whether a rise is memory spent, saved, or neither. */
  readonly sense: CounterSense;
  /** Value per side; null if that side has no such mm. */
  readonly final: readonly [number | null, number | null];
  readonly peak: readonly [number | null, number | null];
  /** Right minus left, in the counter's unit (a missing side counts as 0). */
  readonly finalDiff: number;
  readonly peakDiff: number;
  /** The same in bytes, for byte counters only (null for page counters and counts). */
  readonly finalDiffBytes: number | null;
  readonly peakDiffBytes: number | null;
  /** How the right side's difference reads: memory spent ("cost"), saved ("gain"), or neither. */
  readonly finalTone: "cost" | "gain" | "neutral";
  readonly peakTone: "cost" | "gain" | "neutral";
  /** Per cent of the left value; null when the left is 0 (or missing) and the right is not. */
  readonly finalPct: number | null;
  readonly peakPct: number | null;
}

export interface DeltaTable {
  readonly labels: readonly [string, string];
  readonly rows: readonly DeltaRow[];
}

function finalAndPeak(t: Trace, mm: number, c: number): [number, number] {
  let peak = counterAt(t, -1, mm, c);
  for (let e = 0; e < t.events; e++) peak = Math.max(peak, counterAt(t, e, mm, c));
  return [counterAt(t, t.events - 1, mm, c), peak];
}

function pct(left: number, diff: number): number | null {
  if (left === 0) return diff === 0 ? 0 : null;
  return (diff / left) * 100;
}

export function deltaTable(left: Trace, right: Trace, labels: readonly [string, string]): DeltaTable {
  const names: string[] = [...left.mmNames];
  for (const n of right.mmNames) if (!names.includes(n)) names.push(n);
  const rows: DeltaRow[] = [];
  for (const name of names) {
    const ia = left.mmNames.indexOf(name);
    const ib = right.mmNames.indexOf(name);
    for (let c = 0; c < COUNTER_COUNT; c++) {
      const info = COUNTERS[c]!;
      const a = ia >= 0 ? finalAndPeak(left, ia, c) : null;
      const b = ib >= 0 ? finalAndPeak(right, ib, c) : null;
      const finalDiff = (b?.[0] ?? 0) - (a?.[0] ?? 0);
      const peakDiff = (b?.[1] ?? 0) - (a?.[1] ?? 0);
      const bytes = info.unit === "bytes";
      rows.push({
        mm: name,
        counter: info.key,
        label: info.label,
        unit: info.unit,
        sense: info.sense,
        final: [a?.[0] ?? null, b?.[0] ?? null],
        peak: [a?.[1] ?? null, b?.[1] ?? null],
        finalDiff,
        peakDiff,
        finalDiffBytes: bytes ? finalDiff : null,
        peakDiffBytes: bytes ? peakDiff : null,
        finalTone: changeTone(info.sense, finalDiff),
        peakTone: changeTone(info.sense, peakDiff),
        finalPct: pct(a?.[0] ?? 0, finalDiff),
        peakPct: pct(a?.[1] ?? 0, peakDiff),
      });
    }
  }
  return { labels: [labels[0], labels[1]], rows };
}

/** The row of one counter of one mm. */
export function deltaRow(t: DeltaTable, mm: string, counter: CounterKey): DeltaRow | undefined {
  return t.rows.find((r) => r.mm === mm && r.counter === counter);
}

/** A value in its unit: "100 GiB", "26,214,400 pages", "102,400". */
export function formatValue(unit: DeltaRow["unit"], v: number | null): string {
  if (v === null) return "-";
  if (unit === "bytes") return formatBytes(v);
  return formatCount(v);
}

/** "-40 GiB", "+160 MiB", "0 B" for byte counters; "+10,485,760", "-3" for pages and counts. */
export function formatDiff(row: DeltaRow, which: "final" | "peak"): string {
  const v = which === "final" ? row.finalDiff : row.peakDiff;
  const text = row.unit === "bytes" ? formatBytes(Math.abs(v)) : formatCount(Math.abs(v));
  return v > 0 ? `+${text}` : v < 0 ? `-${text}` : text;
}

/** "-40.0%", "+0.4%", "0.0%", "new" (left is 0). */
export function formatPct(p: number | null): string {
  if (p === null) return "new";
  const t = `${Math.abs(p).toFixed(1)}%`;
  return p > 0.05 ? `+${t}` : p < -0.05 ? `-${t}` : "0.0%";
}

export interface FormatOptions {
  /** Keep only these counters (default: RssAnon, VmPTE, page-table memory, zeropage PTEs, host memory). */
  readonly counters?: readonly CounterKey[];
  /** Keep rows that are zero everywhere (default false). */
  readonly keepZero?: boolean;
}

export const DEFAULT_DELTA_COUNTERS: readonly CounterKey[] = [
  "rssAnonBytes",
  "vmPteBytes",
  "pageTableBytes",
  "zeropagePtes",
  "hostMemBytes",
];

/** The rows a text or UI table shows, in table order. */
export function selectRows(t: DeltaTable, o: FormatOptions = {}): DeltaRow[] {
  const keep = o.counters ?? DEFAULT_DELTA_COUNTERS;
  return t.rows.filter(
    (r) =>
      keep.includes(r.counter) && (o.keepZero || [...r.final, ...r.peak].some((v) => v !== null && v !== 0)),
  );
}

/**
 * Fixed-width text for a mailing list:
 *
 *   left:  s390-fa41ba0d · 100 GiB guest, 40 GiB ballooned, precopy migration
 *   right: s390-06201e00 · 100 GiB guest, 40 GiB ballooned, precopy migration
 *
 *   mm           counter          left final  right final      diff       %   left peak  right peak  ...
 *   source       RssAnon             100 GiB       60 GiB   -40 GiB  -40.0%     100 GiB     100 GiB  ...
 */
export function formatDeltaTable(t: DeltaTable, o: FormatOptions = {}): string {
  const rows = selectRows(t, o);
  const head = [
    "mm",
    "counter",
    "left final",
    "right final",
    "diff",
    "%",
    "left peak",
    "right peak",
    "diff",
    "%",
  ];
  const body = rows.map((r) => [
    r.mm,
    r.label,
    formatValue(r.unit, r.final[0]),
    formatValue(r.unit, r.final[1]),
    formatDiff(r, "final"),
    formatPct(r.finalPct),
    formatValue(r.unit, r.peak[0]),
    formatValue(r.unit, r.peak[1]),
    formatDiff(r, "peak"),
    formatPct(r.peakPct),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
      .join("  ")
      .trimEnd();
  const out = [`left:  ${t.labels[0]}`, `right: ${t.labels[1]}`, "", line(head), ...body.map(line)];
  out.push("", "diff = right - left; % of left; page counts are in pages (4 KiB each).");
  return out.join("\n");
}
