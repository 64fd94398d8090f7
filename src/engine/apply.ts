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
import { STOP } from "../base/chunked.ts";
import type { Mm, Vma } from "./mm.ts";
import { isAnon, PTE_STATES, Pte } from "./pte.ts";
import { UNCHANGED } from "./rules.ts";

export type Errno = "ENOMEM" | "EEXIST" | "EFAULT" | "EINVAL" | "ENOENT" | "EAGAIN";

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

  addTally(tally: Float64Array, plan: Plan): void {
    for (let s = 0; s < PTE_STATES; s++) {
      const n = tally[s]!;
      if (n > 0) this.addEffect(s, plan.lut[s]!, plan.rules[s]!, n);
    }
  }

  addFootprint(first: number, count: number): void {
    if (count <= 0) return;
    const f = this.footprint;
    const n = f.length;
    if (n >= 2 && f[n - 2]! + f[n - 1]! === first) f[n - 1] = f[n - 1]! + count;
    else f.push(first, count);
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
    let n = 0;
    for (let i = 1; i < this.footprint.length; i += 2) n += this.footprint[i]!;
    return n;
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
  const tally = new Float64Array(256);
  let processed = 0;
  const onAbsent = opts.alloc
    ? (table: number) => {
        pt.allocTable(table);
        rec.tablesAllocated++;
        return Pte.NONE;
      }
    : () => -1;
  for (let i = 0; i < ranges.length; i += 2) {
    const first = ranges[i]!;
    const count = ranges[i + 1]!;
    let stopped = -1;
    mm.forEachVmaPiece(first, count, (vma, pFirst, pCount) => {
      if (stopped >= 0 || processed >= opts.limit) return;
      const plan = planFor(vma);
      tally.fill(0);
      const r = pt.ptes.mapRange(pFirst, pCount, plan.lut, tally, opts.limit - processed, onAbsent);
      pt.account(tally, plan.lut);
      rec.addTally(tally, plan);
      rec.addFootprint(pFirst, r.processed);
      processed += r.processed;
      if (r.stoppedAt >= 0) {
        stopped = r.stoppedAt;
        rec.addFootprint(r.stoppedAt, 1);
        // The page the walk stopped at names why (handle_userfault): record that rule as a step.
        rec.step(plan.rules[pt.ptes.get(r.stoppedAt)]!);
      }
    });
    if (stopped >= 0) {
      rec.userfaultAt = stopped;
      return { processed, stoppedAt: stopped };
    }
    if (processed >= opts.limit) break;
  }
  return { processed, stoppedAt: -1 };
}

export interface Cost {
  /** Net anonymous pages the event would allocate. */
  pages: number;
  /** PTE tables and upper-level tables it would allocate, in bytes of memory. */
  tableBytes: number;
  /** If `budgetBytes` was exceeded: the page whose allocation fails, else -1. */
  failsAt: number;
}

/** Whether moving a page from `from` to `to` allocates (+1), frees (-1) or keeps an anon page. */
function anonDelta(from: number, to: number): number {
  return (isAnon(to) ? 1 : 0) - (isAnon(from) ? 1 : 0);
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
  const PAGE = 4096;
  for (let i = 0; i < ranges.length; i += 2) {
    const first = ranges[i]!;
    const count = ranges[i + 1]!;
    let stop = false;
    mm.forEachVmaPiece(first, count, (vma, pFirst, pCount) => {
      if (stop || failsAt >= 0) return;
      const plan = planFor(vma);
      pt.ptes.forEachRun(pFirst, pCount, (value, start, length, absent) => {
        if (stop || failsAt >= 0) return;
        const table = pt.tableOf(start);
        if (absent && alloc && table !== lastTable) {
          lastTable = table;
          let cost = g.pteTableMemBytes;
          pt.missingUpperFor(table, upperMissing);
          const firstPage = pt.ptes.chunkStart(table);
          for (let l = 0; l < g.upper.length; l++) {
            // Count an upper table once even if several new PTE tables sit under it.
            const key = Math.floor(
              (firstPage + (pt.baseVpn % 2 ** g.upper[l]!.spanShift)) / 2 ** g.upper[l]!.spanShift,
            );
            if (upperMissing[l] && !seenUpper[l]!.has(key)) {
              seenUpper[l]!.add(key);
              cost += g.upper[l]!.memBytes;
            }
          }
          if (used + cost > budgetBytes) {
            failsAt = start;
            return;
          }
          used += cost;
          tableBytes += cost;
        }
        const to = plan.lut[value]!;
        if (to === STOP) {
          stop = true;
          return;
        }
        const d = anonDelta(value, to);
        if (d > 0 && used + d * length * PAGE > budgetBytes) {
          const fit = Math.max(0, Math.floor((budgetBytes - used) / PAGE));
          failsAt = start + fit;
          pages += fit;
          used += fit * PAGE;
          return;
        }
        pages += d * length;
        used += d * length * PAGE;
      });
    });
    if (stop || failsAt >= 0) break;
  }
  return { pages, tableBytes, failsAt };
}

/** The first `pages` pages of `ranges`, in order. */
export function truncateRanges(ranges: Ranges, pages: number): number[] {
  const out: number[] = [];
  let left = pages;
  for (let i = 0; i < ranges.length && left > 0; i += 2) {
    const n = Math.min(left, ranges[i + 1]!);
    out.push(ranges[i]!, n);
    left -= n;
  }
  return out;
}

/** Pages from position `pages` of `ranges` on. */
export function dropRanges(ranges: Ranges, pages: number): number[] {
  const out: number[] = [];
  let skip = pages;
  for (let i = 0; i < ranges.length; i += 2) {
    const first = ranges[i]!;
    const count = ranges[i + 1]!;
    if (skip >= count) {
      skip -= count;
      continue;
    }
    out.push(first + skip, count - skip);
    skip = 0;
  }
  return out;
}

/** Position of `page` inside `ranges` (how many pages come before it), or -1. */
export function positionInRanges(ranges: Ranges, page: number): number {
  let pos = 0;
  for (let i = 0; i < ranges.length; i += 2) {
    const first = ranges[i]!;
    const count = ranges[i + 1]!;
    if (page >= first && page < first + count) return pos + (page - first);
    pos += count;
  }
  return -1;
}

export function rangesPages(ranges: Ranges): number {
  let n = 0;
  for (let i = 1; i < ranges.length; i += 2) n += ranges[i]!;
  return n;
}

/**
 * Runs of pages in `ranges` whose current state satisfies `pick`, in address order, skipping
 * absent tables and tables `skipTable` rejects. Walks (ksmd, the s390 zeropage walkers) use this
 * to find the pages they will change, so their footprint is the pages they changed.
 */
export function selectRanges(
  mm: Mm,
  ranges: Ranges,
  pick: (state: number) => boolean,
  skipTable: (table: number) => boolean = () => false,
): number[] {
  const out: number[] = [];
  const pt = mm.pt;
  for (let i = 0; i < ranges.length; i += 2) {
    pt.ptes.forEachRun(ranges[i]!, ranges[i + 1]!, (value, start, length, absent) => {
      if (absent || !pick(value) || skipTable(pt.tableOf(start))) return;
      const n = out.length;
      if (n >= 2 && out[n - 2]! + out[n - 1]! === start) out[n - 1] = out[n - 1]! + length;
      else out.push(start, length);
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
