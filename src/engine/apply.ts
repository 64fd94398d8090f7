/**
 * The machinery every per-PTE rule shares: run a lookup table (old PTE state → new PTE state)
 * over a set of page ranges in address order, VMA by VMA, allocating page tables where the modelled
 * kernel path would (pte_alloc before the zeropage decision), and record what happened:
 *
 * - effects: how many pages went from which state to which, and the rule that did it;
 * - footprint: the pages visited, run-length encoded, in processing order (the trace's fine steps
 *   are positions in this footprint);
 * - tables allocated, and where a userfault stopped the walk.
 *
 * It also prices an event before it runs (`costRanges`), so an event that would exceed the host's
 * memory limit fails with -ENOMEM before touching anything: events are transactions.
 *
 * A plan is chosen per VMA because the same access does different things in different VMAs
 * (a userfaultfd-registered range raises MISSING where another maps the zeropage).
 */
import { ABSENT_AS_ZERO, type AbsentChunks, STOP } from "../base/chunked.ts";
import { appendRun, pagesIn } from "../base/runs.ts";
import { PAGE_SIZE } from "../base/units.ts";
import type { Mm, Vma } from "./mm.ts";
import { ownsFrame, PTE_STATES, Pte } from "./pte.ts";
import { UNCHANGED } from "./rules.ts";

export type Errno = "ENOMEM" | "EEXIST" | "EFAULT" | "EINVAL" | "ENOENT" | "EAGAIN" | "EBUSY";

/** Flat [first, count, first, count, ...] page ranges. */
export type Ranges = readonly number[];

export interface Plan {
  /** Old state → new state; STOP halts before the page (the accessor blocks on a userfault). */
  readonly lut: Uint8Array;
  /** Rule index per old state (for states the lut changes, and for no-change visits). */
  readonly rules: Uint16Array;
}

export interface Effect {
  from: number;
  to: number;
  rule: number;
  count: number;
}

/** Collects what one event did. */
export class Recorder {
  readonly effects: Effect[] = [];
  /** Flat [first, count, ...] in processing order; adjacent runs are merged. */
  readonly footprint: number[] = [];
  /** Rule indices of event-level steps (flag changes, walks), in order. */
  readonly steps: number[] = [];
  tablesAllocated = 0;
  tablesFreed = 0;
  /** Page where a MISSING userfault was raised, or -1. */
  userfaultAt = -1;

  addEffect(from: number, to: number, rule: number, count: number): void {
    if (count === 0) return;
    for (const e of this.effects) {
      if (e.from === from && e.to === to && e.rule === rule) {
        e.count += count;
        return;
      }
    }
    this.effects.push({ from, to, rule, count });
  }

  /** Effects of a walk's tally, by old state in ascending order (or in `order`, if given). */
  addTally(tally: Float64Array, plan: Plan, order: readonly number[] | null = null): void {
    if (order !== null) {
      for (const s of order) this.addEffect(s, plan.lut[s]!, plan.rules[s]!, tally[s]!);
      return;
    }
    for (let s = 0; s < PTE_STATES; s++) {
      const n = tally[s]!;
      if (n > 0) this.addEffect(s, plan.lut[s]!, plan.rules[s]!, n);
    }
  }

  addFootprint(first: number, count: number): void {
    appendRun(this.footprint, first, count);
  }

  step(rule: number): void {
    this.steps.push(rule);
  }

  /** Appends what `other` recorded (a walk run on the side, kept once it succeeded). */
  merge(other: Recorder): void {
    for (const e of other.effects) this.addEffect(e.from, e.to, e.rule, e.count);
    for (let i = 0; i < other.footprint.length; i += 2)
      this.addFootprint(other.footprint[i]!, other.footprint[i + 1]!);
    for (const s of other.steps) this.steps.push(s);
    this.tablesAllocated += other.tablesAllocated;
    this.tablesFreed += other.tablesFreed;
    if (other.userfaultAt >= 0) this.userfaultAt = other.userfaultAt;
  }

  get footprintPages(): number {
    return pagesIn(this.footprint);
  }
}

/** A plan that leaves every state alone, attributing visits to `rule`. */
export function identityPlan(rule = UNCHANGED.index): { lut: Uint8Array; rules: Uint16Array } {
  const lut = new Uint8Array(256);
  for (let i = 0; i < 256; i++) lut[i] = i;
  return { lut, rules: new Uint16Array(PTE_STATES).fill(rule) };
}

export interface MapOptions {
  /** Allocate absent page tables on the way (faults, userfaultfd ioctls); else skip them as none. */
  readonly alloc: boolean;
  /** Visit at most this many pages (fine steps replay a prefix of an event). */
  readonly limit: number;
  /**
   * Record effects as one walk per page table would: in the order old states are first met, table
   * by table (ascending within a table), rather than ascending over the whole piece. The fault
   * path uses it for stretches it would otherwise have walked table by table.
   */
  readonly tableOrder?: boolean;
}

export interface MapOutcome {
  processed: number;
  /** Page where a STOP entry halted the walk, or -1. */
  stoppedAt: number;
}

/**
 * Runs `planFor(vma)` over `ranges` in order. Returns how many pages were visited and where a
 * userfault stopped the walk. Every range must lie inside VMAs (checked by the caller).
 */
export function mapRanges(
  mm: Mm,
  ranges: Ranges,
  planFor: (vma: Vma) => Plan,
  rec: Recorder,
  opts: MapOptions,
): MapOutcome {
  const pt = mm.pt;
  const tally = MAP_TALLY;
  const order: number[] | null = opts.tableOrder ? [] : null;
  let processed = 0;
  const absent: AbsentChunks = opts.alloc
    ? {
        value: Pte.NONE,
        materialize: (table: number, count: number) => {
          pt.allocTables(table, count);
          rec.tablesAllocated += count;
        },
      }
    : ABSENT_AS_ZERO;
  for (let i = 0; i < ranges.length && processed < opts.limit; i += 2) {
    // The range VMA by VMA (as mm.forEachVmaPiece, written out: this loop is the hottest there is).
    const end = ranges[i]! + ranges[i + 1]!;
    let pFirst = ranges[i]!;
    while (pFirst < end && processed < opts.limit) {
      const vma = mm.vmaAt(pFirst);
      if (!vma) break;
      const pCount = Math.min(end, vma.first + vma.count) - pFirst;
      const plan = planFor(vma);
      tally.fill(0);
      if (order !== null) order.length = 0;
      const r = pt.ptes.mapRange(pFirst, pCount, plan.lut, tally, opts.limit - processed, absent, order);
      pt.account(tally, plan.lut);
      rec.addTally(tally, plan, order);
      rec.addFootprint(pFirst, r.processed);
      processed += r.processed;
      if (r.stoppedAt >= 0) {
        rec.addFootprint(r.stoppedAt, 1);
        // The page the walk stopped at names why (handle_userfault): record that rule as a step.
        rec.step(plan.rules[pt.ptes.get(r.stoppedAt)]!);
        rec.userfaultAt = r.stoppedAt;
        return { processed, stoppedAt: r.stoppedAt };
      }
      pFirst += pCount;
    }
  }
  return { processed, stoppedAt: -1 };
}

/** mapRanges()' tally, reused (cleared before each walk): a walk calls nothing that walks again. */
const MAP_TALLY = new Float64Array(256);

export interface Cost {
  /** Net anonymous pages the event would allocate. */
  pages: number;
  /** PTE tables and upper-level tables it would allocate, in bytes of memory. */
  tableBytes: number;
  /** If `budgetBytes` was exceeded: the page whose allocation fails, else -1. */
  failsAt: number;
}

/**
 * Whether moving a page from `from` to `to` allocates (+1), frees (-1) or keeps a frame of its own
 * (an anonymous page, or a memfd page in the page cache, mapped or not).
 */
function anonDelta(from: number, to: number): number {
  return (ownsFrame(to) ? 1 : 0) - (ownsFrame(from) ? 1 : 0);
}

/**
 * Prices running `planFor` over `ranges` without changing anything, in the same order mapRanges
 * would, and finds the first page whose allocation would take memory use past `budgetBytes`.
 * Page-table allocation comes before the page's own allocation, as in do_anonymous_page().
 */
export function costRanges(
  mm: Mm,
  ranges: Ranges,
  planFor: (vma: Vma) => Plan,
  alloc: boolean,
  budgetBytes: number,
): Cost {
  const pt = mm.pt;
  const g = mm.geometry;
  const upperMissing: number[] = [];
  const seenUpper = g.upper.map(() => new Set<number>());
  let pages = 0;
  let tableBytes = 0;
  let used = 0;
  let failsAt = -1;
  let lastTable = -1;
  let stop = false;
  const upperKey = (l: number, firstPage: number) => {
    const span = 2 ** g.upper[l]!.spanShift;
    return Math.floor((firstPage + (pt.baseVpn % span)) / span);
  };
  /** The page-table memory allocating `table` costs, its new upper tables counted once. */
  const tableCost = (table: number, record: boolean): number => {
    let cost = g.pteTableMemBytes;
    pt.missingUpperFor(table, upperMissing);
    const firstPage = pt.ptes.chunkStart(table);
    for (let l = 0; l < g.upper.length; l++) {
      // Count an upper table once even if several new PTE tables sit under it.
      const key = upperKey(l, firstPage);
      if (upperMissing[l] && !seenUpper[l]!.has(key)) {
        if (record) seenUpper[l]!.add(key);
        cost += g.upper[l]!.memBytes;
      }
    }
    return cost;
  };
  /** A run of pages of one value within one table (or of a present stretch): its pages' cost. */
  const pagesCost = (plan: Plan, value: number, start: number, length: number) => {
    const to = plan.lut[value]!;
    if (to === STOP) {
      stop = true;
      return;
    }
    const d = anonDelta(value, to);
    if (d > 0 && used + d * length * PAGE_SIZE > budgetBytes) {
      const fit = Math.max(0, Math.floor((budgetBytes - used) / PAGE_SIZE));
      failsAt = start + fit;
      pages += fit;
      used += fit * PAGE_SIZE;
      return;
    }
    pages += d * length;
    used += d * length * PAGE_SIZE;
  };
  /** Absent tables met table by table: each table's cost, then its pages' (as the walk allocates). */
  const absentTable = (plan: Plan, start: number, length: number) => {
    const table = pt.tableOf(start);
    if (alloc && table !== lastTable) {
      lastTable = table;
      const cost = tableCost(table, true);
      if (used + cost > budgetBytes) {
        failsAt = start;
        return;
      }
      used += cost;
      tableBytes += cost;
    }
    pagesCost(plan, 0, start, length);
  };
  /**
   * A stretch of absent tables. Costs only grow here, so if the whole stretch fits, every step of
   * it fits: it is priced at once (the new upper tables by their index ranges); otherwise table by
   * table, to find the page that does not fit.
   */
  const absentStretch = (plan: Plan, start: number, length: number) => {
    const end = start + length;
    let t0 = pt.tableOf(start);
    const t1 = pt.tableOf(end - 1);
    const to = plan.lut[0]!;
    if (t0 === t1 || to === STOP) {
      for (let p = start; p < end && !stop && failsAt < 0; p = pt.ptes.chunkEnd(pt.tableOf(p)))
        absentTable(plan, p, Math.min(end, pt.ptes.chunkEnd(pt.tableOf(p))) - p);
      return;
    }
    let cost = 0;
    const newKeys: number[][] = g.upper.map(() => []);
    if (alloc) {
      if (t0 === lastTable) t0++;
      cost = (t1 - t0 + 1) * g.pteTableMemBytes;
      for (let l = 0; l < g.upper.length; l++) {
        // The key is the upper table's index (PageTables.upperIndex).
        const level = pt.upper[l]!;
        const lastKey = upperKey(l, pt.ptes.chunkStart(t1));
        for (let key = upperKey(l, pt.ptes.chunkStart(t0)); key <= lastKey; key++) {
          if (!level[key] && !seenUpper[l]!.has(key)) newKeys[l]!.push(key);
        }
        cost += newKeys[l]!.length * g.upper[l]!.memBytes;
      }
    }
    const pageBytes = Math.max(0, anonDelta(0, to)) * length * PAGE_SIZE;
    if (used + cost + pageBytes > budgetBytes) {
      for (let p = start; p < end && !stop && failsAt < 0; p = pt.ptes.chunkEnd(pt.tableOf(p)))
        absentTable(plan, p, Math.min(end, pt.ptes.chunkEnd(pt.tableOf(p))) - p);
      return;
    }
    if (alloc) {
      lastTable = t1;
      newKeys.forEach((keys, l) => {
        for (const key of keys) seenUpper[l]!.add(key);
      });
      used += cost;
      tableBytes += cost;
    }
    pagesCost(plan, 0, start, length);
  };
  for (let i = 0; i < ranges.length; i += 2) {
    const first = ranges[i]!;
    const count = ranges[i + 1]!;
    mm.forEachVmaPiece(first, count, (vma, pFirst, pCount) => {
      if (stop || failsAt >= 0) return;
      const plan = planFor(vma);
      pt.ptes.forEachSpan(pFirst, pCount, (value, start, length, absent) => {
        if (stop || failsAt >= 0) return;
        if (absent) absentStretch(plan, start, length);
        else pagesCost(plan, value, start, length);
      });
    });
    if (stop || failsAt >= 0) break;
  }
  return { pages, tableBytes, failsAt };
}

/**
 * Runs of pages in `ranges` whose current state satisfies `pick`, in address order, skipping
 * absent tables. Walks (ksmd, the s390 zeropage walkers) use this to find the pages they will
 * change, so their footprint is the pages they changed.
 */
export function selectRanges(mm: Mm, ranges: Ranges, pick: (state: number) => boolean): number[] {
  const out: number[] = [];
  const pt = mm.pt;
  for (let i = 0; i < ranges.length; i += 2) {
    pt.ptes.forEachSpan(ranges[i]!, ranges[i + 1]!, (value, start, length, absent) => {
      if (!absent && pick(value)) appendRun(out, start, length);
    });
  }
  return out;
}

/** [first, count] pairs of every VMA satisfying `pick`. */
export function vmaRanges(mm: Mm, pick: (vma: Vma) => boolean): number[] {
  const out: number[] = [];
  for (const v of mm.vmas) if (pick(v)) out.push(v.first, v.count);
  return out;
}
