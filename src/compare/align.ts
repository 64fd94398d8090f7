/**
 * Lockstep alignment of two runs (left = side 0, right = side 1): one shared timeline whose every
 * position names a position in each run, at each of the three granularities (cursor.ts).
 *
 * The mapping, from coarse to fine:
 *
 * 1. Actions. Aligned action a is action a on both sides (the QEMU start action is 0 on both).
 *    A side with fewer actions (it hung, or was OOM-killed, or is another scenario) holds at its
 *    end. At "action" granularity aligned position p is side position min(p, actions on that side).
 *
 * 2. Events within an action, as pairs. Each event gets a key: mm name, kind, label and cause (the
 *    QEMU or guest call path). The two key sequences of an action are matched by a longest common
 *    subsequence (common prefix and suffix first; the middle by dynamic programming when it has at
 *    most 2^22 cells, else by index). Matched events form a pair. Unmatched events between two
 *    matches are paired by index (the runs do different things at the same point), and the rest
 *    are one-sided pairs, left-only ones first. The other side holds still during a one-sided pair.
 *    Example: x86_64's extra MADV_HUGEPAGE at QEMU start is a left-only pair against s390.
 *
 * 3. Steps within a pair, by page-table position. Each event's table steps are the page-table
 *    pieces of its footprint in visit order (PTE steps: its pages); an event with an empty
 *    footprint is one step. Every step has a key: the page-table index of the piece (PTE steps: the
 *    page index; when the two mms have different table geometry, the first page of the piece). The
 *    pair's steps are the merge of the two key sequences: at each step, the side(s) with the
 *    smaller next key advance, both when the keys are equal. So both sides have always processed
 *    the same part of the address space, and a page table is compared only once both sides are past
 *    it. An empty footprint has key +infinity: that side's event completes with the other side's.
 *    When both footprints are the same (the common case: the same QEMU reads under two kernels),
 *    the merge is the identity and step k of the pair is step k of each event.
 *
 * Worked numbers: the commit story under fa41ba0d and 06201e00 has 4 actions and 258 event pairs on
 * both sides, every pair with the same footprint, so its 800,033 aligned table steps are exactly
 * each side's 800,033 table steps.
 *
 * Aligned position 0 is both initial states; the last aligned position is both final states.
 */
import type { Cursor, Granularity, Trace } from "../engine/index.ts";
import { Positions } from "../engine/index.ts";

export type Side = 0 | 1;
export const SIDES: readonly Side[] = [0, 1];
type Fine = "table" | "pte";

/** Largest middle (cells of the LCS table) matched by dynamic programming; beyond it, by index. */
const LCS_CELLS = 1 << 22;

/** How a pair's steps map to the sides' steps at one granularity. */
const SAME = 0;
const MERGED = 1;

export interface PairLocation {
  /** Pair the position falls in (-1 at position 0). */
  readonly pair: number;
  /** Step within the pair, 1-based (steps when the pair is complete). */
  readonly step: number;
  readonly steps: number;
  /** Aligned action of the pair (-1 at position 0). */
  readonly action: number;
}

function eventKeys(t: Trace, first: number, end: number, intern: Map<string, number>): Int32Array {
  const out = new Int32Array(end - first);
  for (let e = first; e < end; e++) {
    const k = `${t.mmNames[t.mm[e]!]}\u0000${t.kind[e]}\u0000${t.strings[t.label[e]!]}\u0000${t.strings[t.cause[e]!]}`;
    let id = intern.get(k);
    if (id === undefined) {
      id = intern.size;
      intern.set(k, id);
    }
    out[e - first] = id;
  }
  return out;
}

/** Matched index pairs [i, j] (ascending) of a longest common subsequence of a and b. */
export function matchEvents(a: Int32Array, b: Int32Array): [number, number][] {
  const out: [number, number][] = [];
  let pre = 0;
  while (pre < a.length && pre < b.length && a[pre] === b[pre]) {
    out.push([pre, pre]);
    pre++;
  }
  let suf = 0;
  while (suf < a.length - pre && suf < b.length - pre && a[a.length - 1 - suf] === b[b.length - 1 - suf])
    suf++;
  const n = a.length - pre - suf;
  const m = b.length - pre - suf;
  if (n > 0 && m > 0 && (n + 1) * (m + 1) <= LCS_CELLS) {
    // lcs[i * (m + 1) + j] = LCS length of a[pre+i..] and b[pre+j..] within the middle.
    const w = m + 1;
    const lcs = new Uint16Array((n + 1) * w);
    for (let i = n - 1; i >= 0; i--) {
      for (let j = m - 1; j >= 0; j--) {
        lcs[i * w + j] =
          a[pre + i] === b[pre + j]
            ? lcs[(i + 1) * w + j + 1]! + 1
            : Math.max(lcs[(i + 1) * w + j]!, lcs[i * w + j + 1]!);
      }
    }
    let i = 0;
    let j = 0;
    while (i < n && j < m) {
      if (a[pre + i] === b[pre + j]) {
        out.push([pre + i, pre + j]);
        i++;
        j++;
      } else if (lcs[(i + 1) * w + j]! >= lcs[i * w + j + 1]!) i++;
      else j++;
    }
  }
  for (let s = suf; s > 0; s--) out.push([a.length - s, b.length - s]);
  return out;
}

/**
 * The step units of event e as flat [firstKey, count] runs in visit order (keys consecutive within
 * a run), or [Infinity, 1] for an event with an empty footprint. `byPage`: table steps keyed by
 * their first page, one run per piece (used across different table geometries).
 */
function unitRuns(t: Trace, e: number, g: Fine, byPage: boolean): number[] {
  const s = t.runStart[e]! * 2;
  const n = t.runCount[e]!;
  if (n === 0) return [Number.POSITIVE_INFINITY, 1];
  const out: number[] = [];
  if (g === "pte") {
    for (let i = 0; i < n * 2; i++) out.push(t.runs[s + i]!);
    return out;
  }
  const shift = t.mmPteShift[t.mm[e]!]!;
  const off = t.mmPageOffset[t.mm[e]!]!;
  const size = 2 ** shift;
  for (let i = 0; i < n; i++) {
    const first = t.runs[s + i * 2]!;
    const count = t.runs[s + i * 2 + 1]!;
    const t0 = Math.floor((first + off) / size);
    const t1 = Math.floor((first + count - 1 + off) / size);
    if (!byPage) {
      out.push(t0, t1 - t0 + 1);
      continue;
    }
    out.push(first, 1);
    for (let tb = t0 + 1; tb <= t1; tb++) out.push(tb * size - off, 1);
  }
  return out;
}

/**
 * Walks the merge of two unit sequences. `segment(advA, advB, n)` is called for n consecutive
 * aligned steps in which side A advances advA (0 or 1) units per step and side B advB; returning
 * false stops the walk.
 */
function mergeWalk(
  a: readonly number[],
  b: readonly number[],
  segment: (advA: number, advB: number, n: number) => boolean,
): void {
  // An empty footprint (one unit keyed +infinity) finishes together with the other side's last unit.
  const emptyA = a.length === 2 && a[0] === Number.POSITIVE_INFINITY;
  const emptyB = b.length === 2 && b[0] === Number.POSITIVE_INFINITY;
  if (emptyA !== emptyB) {
    const other = emptyA ? b : a;
    let total = 0;
    for (let k = 1; k < other.length; k += 2) total += other[k]!;
    if (total > 1 && !segment(emptyA ? 0 : 1, emptyA ? 1 : 0, total - 1)) return;
    segment(1, 1, 1);
    return;
  }
  let i = 0;
  let j = 0;
  let offA = 0;
  let offB = 0;
  while (i < a.length || j < b.length) {
    let advA = 0;
    let advB = 0;
    let n: number;
    if (i >= a.length) {
      advB = 1;
      n = b[j + 1]! - offB;
    } else if (j >= b.length) {
      advA = 1;
      n = a[i + 1]! - offA;
    } else {
      const ka = a[i]! + offA;
      const kb = b[j]! + offB;
      const ra = a[i + 1]! - offA;
      const rb = b[j + 1]! - offB;
      if (ka === kb) {
        advA = 1;
        advB = 1;
        n = Math.min(ra, rb);
      } else if (ka < kb) {
        advA = 1;
        n = Math.min(ra, kb - ka);
      } else {
        advB = 1;
        n = Math.min(rb, ka - kb);
      }
    }
    if (!segment(advA, advB, n)) return;
    if (advA) {
      offA += n;
      if (offA === a[i + 1]) {
        i += 2;
        offA = 0;
      }
    }
    if (advB) {
      offB += n;
      if (offB === b[j + 1]) {
        j += 2;
        offB = 0;
      }
    }
  }
}

/** Whether two events visited the same pages in the same order. */
export function sameFootprint(a: Trace, ea: number, b: Trace, eb: number): boolean {
  const n = a.runCount[ea]!;
  if (n !== b.runCount[eb]!) return false;
  const sa = a.runStart[ea]! * 2;
  const sb = b.runStart[eb]! * 2;
  for (let i = 0; i < n * 2; i++) if (a.runs[sa + i] !== b.runs[sb + i]) return false;
  return true;
}

function units(t: Trace, e: number, g: Fine): number {
  return Math.max(1, g === "table" ? t.footprintTables[e]! : t.footprintPages[e]!);
}

export class Alignment {
  readonly traces: readonly [Trace, Trace];
  readonly positions: readonly [Positions, Positions];
  readonly actionCount: number;
  readonly pairCount: number;
  /** Event of each side in pair p, or -1 (one-sided pair). */
  readonly pairEvent: readonly [Int32Array, Int32Array];
  readonly pairAction: Uint32Array;
  /** Events of each side completed before pair p (length pairCount + 1). */
  readonly consumed: readonly [Uint32Array, Uint32Array];
  /** First pair of aligned action a (length actionCount + 1). */
  readonly actionPair: Uint32Array;
  /** Aligned steps before pair p, per fine granularity (length pairCount + 1). */
  private readonly cum: Record<Fine, Float64Array>;
  /** SAME or MERGED per pair, per fine granularity. */
  private readonly mode: Record<Fine, Uint8Array>;
  /** Pair of each side's event. */
  private readonly pairOf: readonly [Int32Array, Int32Array];
  /** Whether the two mms of each pair share a table grid (same table size and offset). */
  private readonly sameGrid: Uint8Array;
  /** The last merged pair's unit runs (stepping stays inside one pair most of the time). */
  private runsCache: { pair: number; g: Fine; a: number[]; b: number[] } | null = null;

  constructor(left: Trace, right: Trace) {
    this.traces = [left, right];
    this.positions = [new Positions(left), new Positions(right)];
    this.actionCount = Math.max(left.actions.length, right.actions.length);
    const evA: number[] = [];
    const evB: number[] = [];
    const act: number[] = [];
    const actionPair = new Uint32Array(this.actionCount + 1);
    const intern = new Map<string, number>();
    for (let a = 0; a < this.actionCount; a++) {
      actionPair[a] = evA.length;
      const ra = range(left, a);
      const rb = range(right, a);
      const ka = eventKeys(left, ra[0], ra[1], intern);
      const kb = eventKeys(right, rb[0], rb[1], intern);
      let i = 0;
      let j = 0;
      const push = (x: number, y: number) => {
        evA.push(x);
        evB.push(y);
        act.push(a);
      };
      const gap = (iEnd: number, jEnd: number) => {
        while (i < iEnd && j < jEnd) push(ra[0] + i++, rb[0] + j++);
        while (i < iEnd) push(ra[0] + i++, -1);
        while (j < jEnd) push(-1, rb[0] + j++);
      };
      for (const [mi, mj] of matchEvents(ka, kb)) {
        gap(mi, mj);
        push(ra[0] + i++, rb[0] + j++);
      }
      gap(ka.length, kb.length);
    }
    this.pairCount = evA.length;
    actionPair[this.actionCount] = this.pairCount;
    this.actionPair = actionPair;
    this.pairEvent = [Int32Array.from(evA), Int32Array.from(evB)];
    this.pairAction = Uint32Array.from(act);
    const consumed: [Uint32Array, Uint32Array] = [
      new Uint32Array(this.pairCount + 1),
      new Uint32Array(this.pairCount + 1),
    ];
    const pairOf: [Int32Array, Int32Array] = [
      new Int32Array(left.events).fill(-1),
      new Int32Array(right.events).fill(-1),
    ];
    for (const s of SIDES) {
      let done = 0;
      for (let p = 0; p < this.pairCount; p++) {
        consumed[s][p] = done;
        const e = this.pairEvent[s][p]!;
        if (e >= 0) {
          pairOf[s][e] = p;
          done = e + 1;
        }
      }
      consumed[s][this.pairCount] = done;
    }
    this.consumed = consumed;
    this.pairOf = pairOf;
    this.sameGrid = new Uint8Array(this.pairCount);
    this.cum = { table: new Float64Array(this.pairCount + 1), pte: new Float64Array(this.pairCount + 1) };
    this.mode = { table: new Uint8Array(this.pairCount), pte: new Uint8Array(this.pairCount) };
    for (let p = 0; p < this.pairCount; p++) {
      const ea = this.pairEvent[0][p]!;
      const eb = this.pairEvent[1][p]!;
      if (ea >= 0 && eb >= 0) {
        const ma = left.mm[ea]!;
        const mb = right.mm[eb]!;
        this.sameGrid[p] =
          left.mmPteShift[ma] === right.mmPteShift[mb] && left.mmPageOffset[ma] === right.mmPageOffset[mb]
            ? 1
            : 0;
      }
      for (const g of ["table", "pte"] as const) {
        let n: number;
        if (ea < 0 || eb < 0) n = ea < 0 ? units(right, eb, g) : units(left, ea, g);
        else if (sameFootprint(left, ea, right, eb) && (g === "pte" || this.sameGrid[p]))
          n = units(left, ea, g);
        else {
          this.mode[g][p] = MERGED;
          n = 0;
          this.walkPair(p, g, (_a, _b, k) => {
            n += k;
            return true;
          });
        }
        this.cum[g][p + 1] = this.cum[g][p]! + n;
      }
    }
  }

  /** The last aligned position at granularity g. */
  count(g: Granularity): number {
    return g === "action" ? this.actionCount : this.cum[g][this.pairCount]!;
  }

  /** Pairs whose two sides' steps are merged (footprints differ) at granularity g. */
  mergedPairs(g: Fine): number {
    let n = 0;
    for (const m of this.mode[g]) n += m;
    return n;
  }

  oneSidedPairs(): number {
    let n = 0;
    for (let p = 0; p < this.pairCount; p++) if (this.pairEvent[0][p]! < 0 || this.pairEvent[1][p]! < 0) n++;
    return n;
  }

  private clamp(g: Granularity, position: number): number {
    return Math.max(0, Math.min(Math.round(position), this.count(g)));
  }

  private walkPair(p: number, g: Fine, segment: (advA: number, advB: number, n: number) => boolean): void {
    let c = this.runsCache;
    if (!c || c.pair !== p || c.g !== g) {
      const ea = this.pairEvent[0][p]!;
      const eb = this.pairEvent[1][p]!;
      const byPage = !this.sameGrid[p];
      c = {
        pair: p,
        g,
        a: ea >= 0 ? unitRuns(this.traces[0], ea, g, byPage) : [],
        b: eb >= 0 ? unitRuns(this.traces[1], eb, g, byPage) : [],
      };
      this.runsCache = c;
    }
    mergeWalk(c.a, c.b, segment);
  }

  /** Units each side has done after `step` steps of pair p at granularity g. */
  private doneAt(p: number, g: Fine, step: number): [number, number] {
    const ea = this.pairEvent[0][p]!;
    const eb = this.pairEvent[1][p]!;
    if (this.mode[g][p] === SAME) return [ea >= 0 ? step : 0, eb >= 0 ? step : 0];
    let left = step;
    let da = 0;
    let db = 0;
    this.walkPair(p, g, (advA, advB, n) => {
      const k = Math.min(n, left);
      da += advA * k;
      db += advB * k;
      left -= k;
      return left > 0;
    });
    return [da, db];
  }

  /** The first step of pair p at which side s has done at least `done` units. */
  private stepFor(p: number, g: Fine, s: Side, done: number): number {
    if (done <= 0) return 0;
    if (this.mode[g][p] === SAME) return done;
    let step = 0;
    let d = 0;
    this.walkPair(p, g, (advA, advB, n) => {
      const adv = s === 0 ? advA : advB;
      if (adv && d + n >= done) {
        step += done - d;
        d = done;
        return false;
      }
      step += n;
      d += adv * n;
      return true;
    });
    return step;
  }

  /** Pair p and step within it for an aligned position at a fine granularity. */
  locate(g: Granularity, position: number): PairLocation {
    if (g === "action") {
      // After aligned action a: the last pair completed by then.
      const a = this.clamp(g, position);
      if (a === 0) return { pair: -1, step: 0, steps: 0, action: -1 };
      return { pair: this.actionPair[a]! - 1, step: 1, steps: 1, action: a - 1 };
    }
    const pos = this.clamp(g, position);
    if (pos === 0) return { pair: -1, step: 0, steps: 0, action: -1 };
    const cum = this.cum[g];
    // Largest p with cum[p] < pos.
    let lo = 0;
    let hi = this.pairCount - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (cum[mid]! < pos) lo = mid;
      else hi = mid - 1;
    }
    return { pair: lo, step: pos - cum[lo]!, steps: cum[lo + 1]! - cum[lo]!, action: this.pairAction[lo]! };
  }

  /** Each side's own position (at granularity g) for aligned position `position`. */
  sides(g: Granularity, position: number): [number, number] {
    if (g === "action") {
      const a = this.clamp(g, position);
      return [Math.min(a, this.traces[0].actions.length), Math.min(a, this.traces[1].actions.length)];
    }
    const loc = this.locate(g, position);
    if (loc.pair < 0) return [0, 0];
    const done = this.doneAt(loc.pair, g, loc.step);
    const out: [number, number] = [0, 0];
    for (const s of SIDES) {
      const e = this.pairEvent[s][loc.pair]!;
      const start = e >= 0 ? e : this.consumed[s][loc.pair]!;
      out[s] = this.positions[s].fromCursor(g, { event: start, done: 0 }) + (e >= 0 ? done[s] : 0);
    }
    return out;
  }

  /** Each side's cursor (event, pages done) for aligned position `position`. */
  cursors(g: Granularity, position: number): [Cursor, Cursor] {
    const [a, b] = this.sides(g, position);
    return [this.positions[0].toCursor(g, a), this.positions[1].toCursor(g, b)];
  }

  /** The aligned position at granularity g at which pair p has completed. */
  afterPair(g: Granularity, p: number): number {
    if (p < 0) return 0;
    if (g === "action") return this.pairAction[p]! + 1;
    return this.cum[g][p + 1]!;
  }

  /** The aligned position of step `step` (1-based) of pair p at a fine granularity. */
  pairStep(g: Fine, p: number, step: number): number {
    return this.cum[g][p]! + Math.max(0, Math.min(step, this.cum[g][p + 1]! - this.cum[g][p]!));
  }

  /** Steps of pair p at a fine granularity. */
  pairSteps(g: Fine, p: number): number {
    return this.cum[g][p + 1]! - this.cum[g][p]!;
  }

  /** Pair that side s's event e belongs to. */
  pairOfEvent(s: Side, e: number): number {
    return this.pairOf[s][e] ?? -1;
  }

  /** Units side s has done, and its event, at step `step` of pair p (for refinement). */
  sideDone(p: number, g: Fine, step: number): [number, number] {
    return this.doneAt(p, g, step);
  }

  /**
   * An aligned position at granularity g where side s is at its own position `sidePosition` (at the
   * same granularity), e.g. to follow a click on one side's step list: inside a pair, the first such
   * step; at an event boundary, the end of the pair that completes the event before it.
   */
  fromSide(s: Side, g: Granularity, sidePosition: number): number {
    if (g === "action") return Math.max(0, Math.min(Math.round(sidePosition), this.actionCount));
    const pos = this.positions[s];
    const c = pos.toCursor(g, sidePosition);
    if (c.event >= this.traces[s].events) return this.count(g);
    if (c.done === 0) {
      // At an event boundary: after the pair holding the previous event (or the start).
      if (c.event === 0) return 0;
      return this.afterPair(g, this.pairOfEvent(s, c.event - 1));
    }
    const p = this.pairOfEvent(s, c.event);
    const units = sidePosition - pos.fromCursor(g, { event: c.event, done: 0 });
    return this.cum[g][p]! + this.stepFor(p, g, s, units);
  }

  /** Converts an aligned position between granularities (the step stays where it is). */
  convert(from: Granularity, position: number, to: Granularity): number {
    const pos = this.clamp(from, position);
    if (from === to) return pos;
    if (from === "action") return to === "action" ? pos : this.cum[to][this.actionPair[pos]!]!;
    if (to === "action") {
      // Aligned actions completed at this position.
      let a = 0;
      while (a < this.actionCount && this.cum[from][this.actionPair[a + 1]!]! <= pos) a++;
      return a;
    }
    const loc = this.locate(from, pos);
    if (loc.pair < 0) return 0;
    if (loc.step >= loc.steps) return this.cum[to][loc.pair + 1]!;
    const s: Side = this.pairEvent[0][loc.pair]! >= 0 ? 0 : 1;
    const e = this.pairEvent[s][loc.pair]!;
    const c = this.cursors(from, pos)[s];
    const sp = this.positions[s];
    const p0 = sp.fromCursor(to, { event: e, done: 0 });
    const units =
      c.event === e
        ? sp.fromCursor(to, c) - p0
        : c.event > e
          ? sp.fromCursor(to, { event: e + 1, done: 0 }) - p0
          : 0;
    return this.cum[to][loc.pair]! + this.stepFor(loc.pair, to, s, units);
  }
}

function range(t: Trace, a: number): [number, number] {
  const act = t.actions[a];
  return act ? [act.firstEvent, act.endEvent] : [t.events, t.events];
}
