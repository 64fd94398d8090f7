/**
 * Stepping positions at three granularities, mapped to cursors (event, pages done):
 *
 *   action  one step per scenario action (position a = after the first a actions)
 *   table   one step per page-table piece of each event's footprint
 *   pte     one step per page of each event's footprint
 *
 * An event with an empty footprint (a flag change) is one step at the table and PTE granularity.
 * Position 0 is always the initial state; the last position is the end of the trace.
 *
 * Worked numbers: the commit story at 100 GiB has a few hundred events, ~300,000 table steps and
 * ~80,000,000 PTE steps; positions are exact in a double.
 */
import type { Cursor } from "./simulation.ts";
import type { Trace } from "./trace.ts";

export type Granularity = "action" | "table" | "pte";
export const GRANULARITIES: readonly Granularity[] = ["action", "table", "pte"];

export class Positions {
  /** cum[g][e] = steps before event e at granularity g (table, pte). */
  private readonly cumTable: Float64Array;
  private readonly cumPte: Float64Array;

  constructor(private readonly trace: Trace) {
    const n = trace.events;
    this.cumTable = new Float64Array(n + 1);
    this.cumPte = new Float64Array(n + 1);
    for (let e = 0; e < n; e++) {
      this.cumTable[e + 1] = this.cumTable[e]! + Math.max(1, trace.footprintTables[e]!);
      this.cumPte[e + 1] = this.cumPte[e]! + Math.max(1, trace.footprintPages[e]!);
    }
  }

  /** The last position at granularity g. */
  count(g: Granularity): number {
    if (g === "action") return this.trace.actions.length;
    return g === "table" ? this.cumTable[this.trace.events]! : this.cumPte[this.trace.events]!;
  }

  toCursor(g: Granularity, position: number): Cursor {
    const p = Math.max(0, Math.min(Math.round(position), this.count(g)));
    if (g === "action") {
      if (p === 0) return { event: 0, done: 0 };
      return { event: this.trace.actions[p - 1]!.endEvent, done: 0 };
    }
    const cum = g === "table" ? this.cumTable : this.cumPte;
    if (p === 0) return { event: 0, done: 0 };
    // Largest e with cum[e] < p: the event that position p falls in.
    let lo = 0;
    let hi = this.trace.events - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (cum[mid]! < p) lo = mid;
      else hi = mid - 1;
    }
    const e = lo;
    const k = p - cum[e]!;
    const steps = cum[e + 1]! - cum[e]!;
    if (k >= steps) return { event: e + 1, done: 0 };
    return { event: e, done: g === "pte" ? k : this.pagesOfTablePieces(e, k) };
  }

  /** The last position at granularity g whose cursor is at or before `c`. */
  fromCursor(g: Granularity, c: Cursor): number {
    if (g === "action") {
      let a = 0;
      for (const act of this.trace.actions) if (act.endEvent <= c.event) a++;
      return a;
    }
    const cum = g === "table" ? this.cumTable : this.cumPte;
    const e = Math.min(c.event, this.trace.events);
    let p = cum[e]!;
    if (c.done > 0 && e < this.trace.events) {
      p += g === "pte" ? c.done : this.tablePiecesWithin(e, c.done);
    }
    return p;
  }

  /** Event index and step within it, for narration ("table 517 of 1,024"). */
  locate(g: Granularity, position: number): { event: number; step: number; steps: number } {
    const c = this.toCursor(g, position);
    if (g === "action" || c.done === 0) {
      const e = c.event - 1;
      if (e < 0) return { event: -1, step: 0, steps: 0 };
      const cum = g === "pte" ? this.cumPte : this.cumTable;
      const steps = cum[e + 1]! - cum[e]!;
      return { event: e, step: steps, steps };
    }
    const cum = g === "pte" ? this.cumPte : this.cumTable;
    return { event: c.event, step: position - cum[c.event]!, steps: cum[c.event + 1]! - cum[c.event]! };
  }

  /** Pages covered by the first k page-table pieces of event e's footprint. */
  private pagesOfTablePieces(e: number, k: number): number {
    const t = this.trace;
    const shift = this.pteShift(e);
    const off = this.pageOffset(e);
    let pages = 0;
    let left = k;
    const s = t.runStart[e]! * 2;
    for (let i = 0; i < t.runCount[e]! && left > 0; i++) {
      const first = t.runs[s + i * 2]!;
      const count = t.runs[s + i * 2 + 1]!;
      const a = first + off;
      const pieces = Math.floor((a + count - 1) / 2 ** shift) - Math.floor(a / 2 ** shift) + 1;
      if (pieces <= left) {
        pages += count;
        left -= pieces;
        continue;
      }
      // Ends inside this run: the first piece runs to the first table boundary.
      const firstEnd = (Math.floor(a / 2 ** shift) + 1) * 2 ** shift;
      pages += firstEnd - a + (left - 1) * 2 ** shift;
      left = 0;
    }
    return pages;
  }

  /** Page-table pieces fully or partly covered by the first `done` pages of event e. */
  private tablePiecesWithin(e: number, done: number): number {
    const t = this.trace;
    const shift = this.pteShift(e);
    const off = this.pageOffset(e);
    let pieces = 0;
    let left = done;
    const s = t.runStart[e]! * 2;
    for (let i = 0; i < t.runCount[e]! && left > 0; i++) {
      const first = t.runs[s + i * 2]! + off;
      const count = Math.min(left, t.runs[s + i * 2 + 1]!);
      // Count only pieces completed (a partial last piece is not yet a step).
      const full = t.runs[s + i * 2 + 1]! <= left;
      const endTable = Math.floor((first + count - (full ? 1 : 0)) / 2 ** shift);
      const startTable = Math.floor(first / 2 ** shift);
      pieces += full ? endTable - startTable + 1 : endTable - startTable;
      left -= count;
    }
    return pieces;
  }

  private pteShift(e: number): number {
    return this.trace.mmPteShift[this.trace.mm[e]!]!;
  }

  private pageOffset(e: number): number {
    return this.trace.mmPageOffset[this.trace.mm[e]!]!;
  }
}
