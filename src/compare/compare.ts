/**
 * compareRuns(): two runs in, everything compare mode shows out: the alignment (align.ts), the
 * divergences and policy notes (divergence.ts) and the delta table (delta.ts). Pure; the worker,
 * the CLI and tests call it with the runs they computed.
 *
 * `summarize()` turns a Comparison into plain data (typed arrays and objects, no classes) that the
 * worker sends to the UI: counts per granularity, the aligned actions, per pair the event each side
 * has completed and the aligned position after it (for overlaid charts and timeline marks).
 */
import type { Granularity, VariantId } from "../engine/index.ts";
import { Alignment, SIDES } from "./align.ts";
import { type DeltaTable, deltaTable } from "./delta.ts";
import { type CompareSide, type Divergence, findDivergences, type PolicyNote } from "./divergence.ts";

export interface Comparison {
  readonly sides: readonly [CompareSide, CompareSide];
  readonly alignment: Alignment;
  readonly divergences: readonly Divergence[];
  readonly first: number;
  readonly policy: readonly PolicyNote[];
  readonly delta: DeltaTable;
}

export function compareRuns(left: CompareSide, right: CompareSide): Comparison {
  const alignment = new Alignment(left.trace, right.trace);
  const d = findDivergences(alignment, [left, right]);
  return {
    sides: [left, right],
    alignment,
    divergences: d.list,
    first: d.first,
    policy: d.policy,
    delta: deltaTable(left.trace, right.trace, [left.label, right.label]),
  };
}

export interface AlignedAction {
  /** The action's label on each side (null: that side has no such action). */
  readonly labels: readonly [string | null, string | null];
  readonly markers: readonly [string, string];
  /** Aligned position where the action starts and ends, per granularity. */
  readonly start: Readonly<Record<Granularity, number>>;
  readonly end: Readonly<Record<Granularity, number>>;
}

export interface CompareSummary {
  readonly labels: readonly [string, string];
  readonly kernels: readonly [VariantId, VariantId];
  readonly counts: Readonly<Record<Granularity, number>>;
  readonly actions: readonly AlignedAction[];
  readonly pairCount: number;
  /** Per pair: the event each side runs in it (-1: none). */
  readonly pairEvent: readonly [Int32Array, Int32Array];
  /** Per pair: the last event each side has completed at its end (-1: none yet). */
  readonly pairEnd: readonly [Int32Array, Int32Array];
  readonly pairAction: Uint32Array;
  /** Per pair: the aligned position at its end, at table and PTE granularity. */
  readonly pairAfter: Readonly<Record<"table" | "pte", Float64Array>>;
  readonly oneSidedPairs: number;
  /** Pairs whose two footprints differ, so their steps are merged by page-table position. */
  readonly mergedPairs: Readonly<Record<"table" | "pte", number>>;
  readonly divergences: readonly Divergence[];
  readonly first: number;
  readonly policy: readonly PolicyNote[];
  readonly delta: DeltaTable;
}

export function summarize(c: Comparison): CompareSummary {
  const al = c.alignment;
  const [ta, tb] = al.traces;
  const actions: AlignedAction[] = [];
  for (let a = 0; a < al.actionCount; a++) {
    const p0 = al.actionPair[a]!;
    const p1 = al.actionPair[a + 1]!;
    actions.push({
      labels: [ta.actions[a]?.label ?? null, tb.actions[a]?.label ?? null],
      markers: [ta.actions[a]?.marker ?? "", tb.actions[a]?.marker ?? ""],
      start: { action: a, table: al.afterPair("table", p0 - 1), pte: al.afterPair("pte", p0 - 1) },
      end: { action: a + 1, table: al.afterPair("table", p1 - 1), pte: al.afterPair("pte", p1 - 1) },
    });
  }
  const pairEnd: [Int32Array, Int32Array] = [new Int32Array(al.pairCount), new Int32Array(al.pairCount)];
  const after = { table: new Float64Array(al.pairCount), pte: new Float64Array(al.pairCount) };
  for (let p = 0; p < al.pairCount; p++) {
    for (const s of SIDES) pairEnd[s][p] = al.consumed[s][p + 1]! - 1;
    after.table[p] = al.afterPair("table", p);
    after.pte[p] = al.afterPair("pte", p);
  }
  return {
    labels: [c.sides[0].label, c.sides[1].label],
    kernels: [c.sides[0].kernel, c.sides[1].kernel],
    counts: { action: al.count("action"), table: al.count("table"), pte: al.count("pte") },
    actions,
    pairCount: al.pairCount,
    pairEvent: [al.pairEvent[0].slice(), al.pairEvent[1].slice()],
    pairEnd,
    pairAction: al.pairAction.slice(),
    pairAfter: after,
    oneSidedPairs: al.oneSidedPairs(),
    mergedPairs: { table: al.mergedPairs("table"), pte: al.mergedPairs("pte") },
    divergences: c.divergences,
    first: c.first,
    policy: c.policy,
    delta: c.delta,
  };
}
