/**
 * ChunkedBytes: one byte of state per page, stored per chunk (a page table's worth of pages),
 * with uniform chunks kept as a single tag and only mixed chunks holding a Uint8Array.
 *
 * Why: 100 GiB is 26,214,400 pages and 1 TiB is 2^28. A byte per page would be 256 MiB at 1 TiB,
 * and an object per page is out of the question. Guest memory is mostly made of large uniform runs
 * (never touched, all zeropage, all data), so a chunk is usually one tag:
 *
 *   tags[c] = 0..0xFD  every page in chunk c holds that value
 *   tags[c] = MIXED    the values live in mixed.get(c), a Uint8Array(chunkSize)
 *   tags[c] = ABSENT   the chunk does not exist (for page tables: the PMD entry is none); reads as 0
 *
 * Index spaces: `page` is an index into the array (0..pages-1). `chunk` is an index into `tags`.
 * The array may start part-way into its first chunk (`pageOffset`), because a mapping need not be
 * aligned to a page-table boundary: chunkOf(page) = (page + pageOffset) >> chunkShift.
 *
 * A mixed chunk that becomes uniform again is collapsed back to a tag by `mapRange`, so memory use
 * follows the number of boundaries between runs, not the number of pages.
 *
 * Speed: walks step over a stretch of uniform chunks holding the same tag in one go, with one fill
 * for the stretch. `groups` summarizes the tags GROUP chunks at a time (the tag all of them hold,
 * or NOT_UNIFORM), so that such a stretch costs a compare per 64 chunks: a pass over 100 GiB of
 * uniform memory is about 1,600 compares, not 102,400 callbacks. All writes of tags go through
 * setTags(), which keeps `groups` true.
 *
 * Clones are copy-on-write: a clone shares everything until one side writes; the writer then
 * copies the tags, the summary and the map of mixed chunks, and each mixed chunk's array only when
 * it writes that chunk (`owned` lists the arrays a copy may write in place). So a checkpoint costs
 * nothing for the arrays no later event changes. A copy that is dropped can say so (release()):
 * the one left alone writes in place again (an event's undo copy, fault.ts).
 */

export const MIXED = 0xfe;
export const ABSENT = 0xff;

/** What a step of mapRange returns when a STOP entry halted the walk. */
const STOPPED = -1;

/** Chunks per summary group (`groups`), and the summary of a group whose tags differ. */
const GROUP_SHIFT = 6;
const GROUP = 1 << GROUP_SHIFT;
const NOT_UNIFORM = 0x100;

/** A LUT entry meaning "stop before this page" (used for userfaults: the faulting access blocks). */
export const STOP = 0xff;

/** How mapRange treats absent chunks (for page tables: no PTE table yet). */
export interface AbsentChunks {
  /**
   * The value an absent chunk is materialized with before the walk visits it, or -1: its pages are
   * visited as value 0 and tallied, but the lut is not applied and the chunk stays absent.
   */
  readonly value: number;
  /**
   * Called before chunks [first, first + count) are materialized (page-table allocation). The walk
   * materializes a run of absent chunks at once: all that it reaches, as it visits every page of a
   * chunk holding `value` unless the lut stops there (then only the first).
   */
  readonly materialize?: (first: number, count: number) => void;
}

/** Absent chunks stay absent and read 0. */
export const ABSENT_AS_ZERO: AbsentChunks = { value: -1 };

export interface MapResult {
  /** Pages visited and transformed, in order. */
  processed: number;
  /** Page index where a STOP entry halted the walk, or -1. */
  stoppedAt: number;
}

export class ChunkedBytes {
  readonly chunkShift: number;
  readonly chunkSize: number;
  readonly pages: number;
  readonly pageOffset: number;
  readonly chunks: number;
  tags: Uint8Array;
  mixed: Map<number, Uint8Array>;
  /** Per group of GROUP chunks: the tag every chunk of it holds, or NOT_UNIFORM. */
  private groups: Uint16Array;
  /** Mixed chunks whose array this copy alone holds (others are shared with clones: copy first). */
  private owned: Set<number>;
  /**
   * How many copies hold these tags, groups and map of mixed chunks (shared with clones): more
   * than one, and a write copies them first.
   */
  private holders = { n: 1 };
  /**
   * Chunks written since the last takeWritten() (first, one past the last; empty when equal), so
   * that one consumer can keep something derived from the values up to date by looking only there.
   */
  private writtenLo = 0;
  private writtenHi = 0;

  constructor(pages: number, chunkShift: number, pageOffset = 0, initial: number = ABSENT) {
    this.chunkShift = chunkShift;
    this.chunkSize = 1 << chunkShift;
    if (pageOffset < 0 || pageOffset >= this.chunkSize) throw new RangeError("pageOffset outside a chunk");
    this.pages = pages;
    this.pageOffset = pageOffset;
    this.chunks = pages === 0 ? 0 : ((pages - 1 + pageOffset) >> chunkShift) + 1;
    this.tags = new Uint8Array(this.chunks).fill(initial);
    this.groups = new Uint16Array((this.chunks + GROUP - 1) >> GROUP_SHIFT).fill(initial);
    this.mixed = new Map();
    this.owned = new Set();
  }

  chunkOf(page: number): number {
    return (page + this.pageOffset) >> this.chunkShift;
  }

  /** First page index of a chunk, clipped to the array. */
  chunkStart(chunk: number): number {
    return Math.max(0, chunk * this.chunkSize - this.pageOffset);
  }

  /** One past the last page of a chunk, clipped to the array. */
  chunkEnd(chunk: number): number {
    return Math.min(this.pages, (chunk + 1) * this.chunkSize - this.pageOffset);
  }

  get(page: number): number {
    const c = this.chunkOf(page);
    const tag = this.tags[c]!;
    if (tag === ABSENT) return 0;
    if (tag !== MIXED) return tag;
    return this.mixed.get(c)![(page + this.pageOffset) & (this.chunkSize - 1)]!;
  }

  isAbsent(chunk: number): boolean {
    return this.tags[chunk] === ABSENT;
  }

  /** The values of one chunk as an array of chunkSize entries (slots outside the array read 0). */
  chunkValues(chunk: number): Uint8Array {
    const tag = this.tags[chunk]!;
    if (tag === MIXED) return this.mixed.get(chunk)!.slice();
    return new Uint8Array(this.chunkSize).fill(tag === ABSENT ? 0 : tag);
  }

  /** The last chunk that ends at or before page `stop` (chunkEnd(c) <= stop), or -1. */
  private lastChunkEndingBy(stop: number): number {
    if (stop >= this.pages) return this.chunks - 1;
    return ((stop + this.pageOffset) >> this.chunkShift) - 1;
  }

  /** Marks absent chunks [chunk, chunk + count) present with a uniform value. */
  materialize(chunk: number, value: number, count = 1): void {
    this.setTags(chunk, chunk + count, value);
  }

  /** Drops a chunk (for page tables: the table is freed). */
  drop(chunk: number): void {
    this.setChunk(chunk, ABSENT);
  }

  /** Sets whole chunks [chunk, chunk + count) to one value (they stop being mixed). */
  setChunk(chunk: number, value: number, count = 1): void {
    this.unshare();
    const tags = this.tags;
    const end = chunk + count;
    if (this.mixed.size > 0) {
      const range = tags.subarray(chunk, end);
      for (let i = range.indexOf(MIXED); i >= 0; i = range.indexOf(MIXED, i + 1)) {
        this.mixed.delete(chunk + i);
        this.owned.delete(chunk + i);
      }
    }
    this.setTags(chunk, end, value);
  }

  /** Whether some page of chunk `chunk` (inside the array) holds a value in [lo, hi]. */
  chunkHolds(chunk: number, lo: number, hi: number): boolean {
    const tag = this.tags[chunk]!;
    if (tag === ABSENT) return lo <= 0 && 0 <= hi;
    if (tag !== MIXED) return lo <= tag && tag <= hi;
    const arr = this.mixed.get(chunk)!;
    const base = chunk * this.chunkSize - this.pageOffset;
    const end = Math.min(this.chunkSize, this.pages - base);
    for (let i = Math.max(0, -base); i < end; i++) if (arr[i]! >= lo && arr[i]! <= hi) return true;
    return false;
  }

  /** Copies what a clone shares (tags, groups, the map of mixed chunks) before a write. */
  private unshare(): void {
    if (this.holders.n === 1) return;
    this.holders.n--;
    this.holders = { n: 1 };
    this.tags = this.tags.slice();
    this.groups = this.groups.slice();
    this.mixed = new Map(this.mixed);
    this.owned = new Set();
  }

  /** Notes that chunks [lo, hi) were written (takeWritten). */
  private noteWritten(lo: number, hi: number): void {
    if (this.writtenLo === this.writtenHi) {
      this.writtenLo = lo;
      this.writtenHi = hi;
    } else {
      if (lo < this.writtenLo) this.writtenLo = lo;
      if (hi > this.writtenHi) this.writtenHi = hi;
    }
  }

  /** The one way tags are written: chunks [lo, hi) get tag `value`; the summary follows. */
  private setTags(lo: number, hi: number, value: number): void {
    if (lo >= hi) return;
    this.unshare();
    this.noteWritten(lo, hi);
    const tags = this.tags;
    tags.fill(value, lo, hi);
    const groups = this.groups;
    const gLast = (hi - 1) >> GROUP_SHIFT;
    for (let g = lo >> GROUP_SHIFT; g <= gLast; g++) {
      const gLo = g << GROUP_SHIFT;
      const gHi = Math.min(gLo + GROUP, this.chunks);
      if (lo <= gLo && hi >= gHi) {
        groups[g] = value;
        continue;
      }
      // Partly written: uniform only if the rest holds `value` too.
      groups[g] = nextDifferent(tags, gLo, gHi, value) < gHi ? NOT_UNIFORM : value;
    }
  }

  /**
   * The first chunk after `from` (which holds `tag`) that does not hold `tag`, looking no further
   * than `last` (it returns last + 1 if all of them do, and from + 1 if last <= from): a compare
   * per group where whole groups hold it, a compare per chunk elsewhere.
   */
  endOfTag(from: number, tag: number, last: number): number {
    if (last <= from) return from + 1;
    const tags = this.tags;
    const groups = this.groups;
    let c = from + 1;
    while (c <= last) {
      if ((c & (GROUP - 1)) === 0 && c + GROUP - 1 <= last && groups[c >> GROUP_SHIFT] === tag) {
        c += GROUP;
        continue;
      }
      if (tags[c] !== tag) return c;
      c++;
    }
    return last + 1;
  }

  /** The array of mixed chunk `chunk`, safe to write: copied first if a clone shares it. */
  private writable(chunk: number): Uint8Array {
    this.unshare();
    this.noteWritten(chunk, chunk + 1);
    const arr = this.mixed.get(chunk)!;
    if (this.owned.has(chunk)) return arr;
    const own = arr.slice();
    this.mixed.set(chunk, own);
    this.owned.add(chunk);
    return own;
  }

  /**
   * Histogram of values over pages [first, first+count): out[v] += pages holding v.
   * Absent chunks count as value 0 and, if `absentOut` is given, also add to absentOut[0].
   */
  histogram(first: number, count: number, out: Float64Array): void {
    this.forEachSpan(first, count, (value, _start, len) => {
      out[value]! += len;
    });
  }

  /**
   * Calls fn for maximal runs of equal value within [first, first+count), in address order.
   * Runs do not merge across chunks (a uniform chunk is one run). Absent chunks report value 0
   * and `absent` true.
   */
  forEachRun(
    first: number,
    count: number,
    fn: (value: number, start: number, length: number, absent: boolean) => void,
  ): void {
    const end = first + count;
    let page = first;
    while (page < end) {
      const c = this.chunkOf(page);
      const cEnd = Math.min(end, this.chunkEnd(c));
      const tag = this.tags[c]!;
      if (tag !== MIXED) {
        fn(tag === ABSENT ? 0 : tag, page, cEnd - page, tag === ABSENT);
      } else {
        const arr = this.mixed.get(c)!;
        const base = c * this.chunkSize - this.pageOffset;
        for (let p = page; p < cEnd; ) {
          const v = arr[p - base]!;
          const q = nextDifferent(arr, p - base + 1, cEnd - base, v) + base;
          fn(v, p, q - p, false);
          p = q;
        }
      }
      page = cEnd;
    }
  }

  /**
   * Calls fn for maximal runs of equal value within [first, first+count), in address order, merged
   * across chunk boundaries (unlike forEachRun): a stretch of uniform chunks with the same tag is
   * one call. Absent chunks report value 0 and `absent` true, and do not merge with present zeros.
   */
  forEachSpan(
    first: number,
    count: number,
    fn: (value: number, start: number, length: number, absent: boolean) => void,
  ): void {
    const end = first + count;
    if (count <= 0) return;
    const tags = this.tags;
    const lastChunk = this.chunkOf(end - 1);
    let runValue = -1;
    let runAbsent = false;
    let runStart = first;
    let page = first;
    let c = this.chunkOf(first);
    while (page < end) {
      const tag = tags[c]!;
      if (tag !== MIXED) {
        const c2 = this.endOfTag(c, tag, lastChunk);
        const spanEnd = Math.min(end, this.chunkEnd(c2 - 1));
        const absent = tag === ABSENT;
        const value = absent ? 0 : tag;
        if (value !== runValue || absent !== runAbsent) {
          if (runValue >= 0) fn(runValue, runStart, page - runStart, runAbsent);
          runValue = value;
          runAbsent = absent;
          runStart = page;
        }
        page = spanEnd;
        c = c2;
        continue;
      }
      const arr = this.mixed.get(c)!;
      const base = c * this.chunkSize - this.pageOffset;
      const cEnd = Math.min(end, this.chunkEnd(c));
      for (let p = page; p < cEnd; ) {
        const v = arr[p - base]!;
        const q = nextDifferent(arr, p - base + 1, cEnd - base, v) + base;
        if (v !== runValue || runAbsent) {
          if (runValue >= 0) fn(runValue, runStart, p - runStart, runAbsent);
          runValue = v;
          runAbsent = false;
          runStart = p;
        }
        p = q;
      }
      page = cEnd;
      c++;
    }
    if (runValue >= 0) fn(runValue, runStart, end - runStart, runAbsent);
  }

  /**
   * Rewrites pages [first, first+count) in order through `lut` (old value → new value), visiting at
   * most `limit` pages. A STOP entry halts the walk before that page. `tally[v]` counts visited
   * pages by their old value. Absent chunks are handled as `absent` says (AbsentChunks).
   *
   * `order`, if given, receives each old value the first time the walk visits it, chunk by chunk,
   * and within a chunk in ascending order: the order in which one walk per chunk would have
   * reported them (the fault path's per-page-table pieces, fault.ts, record effects in that order).
   */
  mapRange(
    first: number,
    count: number,
    lut: Uint8Array,
    tally: Float64Array,
    limit: number,
    absent: AbsentChunks,
    order: number[] | null = null,
  ): MapResult {
    // The loop dispatches; each kind of chunk has a method of its own (kept small, so that the JIT
    // compiles each quickly and a case first met late recompiles only its own method). Each step
    // returns the pages it visited, or STOPPED (the walk halts at `this.stopAt`).
    const end = first + count;
    let page = first;
    let processed = 0;
    while (page < end && processed < limit) {
      const c = this.chunkOf(page);
      const stop = Math.min(end, page + (limit - processed));
      let tag = this.tags[c]!;
      if (tag === ABSENT) {
        if (absent.value < 0) {
          const n = this.visitAbsent(c, page, stop, lut, tally, order);
          if (n === STOPPED) return { processed, stoppedAt: page };
          processed += n;
          page += n;
          continue;
        }
        tag = this.materializeAbsent(c, stop, lut, absent);
      }
      const n =
        tag === MIXED
          ? this.mapMixed(c, page, stop, lut, tally, order)
          : this.mapUniform(c, tag, page, stop, lut, tally, order);
      if (n === STOPPED) return { processed: processed + this.stopAt - page, stoppedAt: this.stopAt };
      processed += n;
      page += n;
    }
    return { processed, stoppedAt: -1 };
  }

  /** Where the last step that returned STOPPED halted. */
  private stopAt = -1;

  /** Absent chunks from `c` visited as value 0 without materializing them: pages visited. */
  private visitAbsent(
    c: number,
    page: number,
    stop: number,
    lut: Uint8Array,
    tally: Float64Array,
    order: number[] | null,
  ): number {
    if (lut[0] === STOP) return STOPPED;
    // Consecutive absent chunks are visited alike: one step.
    const lastWhole = this.lastChunkEndingBy(stop);
    const c2 = this.endOfTag(c, ABSENT, lastWhole);
    const runEnd = c2 === c + 1 ? Math.min(stop, this.chunkEnd(c)) : this.chunkEnd(c2 - 1);
    if (order !== null && tally[0] === 0) order.push(0);
    tally[0]! += runEnd - page;
    return runEnd - page;
  }

  /** Materializes absent chunk `c` and those after it the walk will reach: their new tag. */
  private materializeAbsent(c: number, stop: number, lut: Uint8Array, absent: AbsentChunks): number {
    const v = absent.value;
    const reach = this.chunkOf(stop - 1);
    const c2 = lut[v] !== STOP ? this.endOfTag(c, ABSENT, reach) : c + 1;
    absent.materialize?.(c, c2 - c);
    this.setTags(c, c2, v);
    return v;
  }

  /** Pages from `page` in uniform chunk `c` (and the whole chunks after it with its tag). */
  private mapUniform(
    c: number,
    tag: number,
    page: number,
    stop: number,
    lut: Uint8Array,
    tally: Float64Array,
    order: number[] | null,
  ): number {
    const to = lut[tag]!;
    if (to === STOP) {
      this.stopAt = page;
      return STOPPED;
    }
    if (order !== null && tally[tag] === 0) order.push(tag);
    const cEnd = Math.min(stop, this.chunkEnd(c));
    if (page === this.chunkStart(c) && cEnd === this.chunkEnd(c)) {
      // Whole chunks: take every following whole chunk with the same tag along.
      const c2 = this.endOfTag(c, tag, this.lastChunkEndingBy(stop));
      const n = this.chunkEnd(c2 - 1) - page;
      tally[tag]! += n;
      if (to !== tag) this.setTags(c, c2, to);
      return n;
    }
    const n = cEnd - page;
    tally[tag]! += n;
    if (to !== tag) this.split(c, tag, page, cEnd, to);
    return n;
  }

  /** Uniform chunk `c` holding `tag` gets `to` in pages [page, cEnd): it becomes mixed. */
  private split(c: number, tag: number, page: number, cEnd: number, to: number): void {
    const arr = new Uint8Array(this.chunkSize).fill(tag);
    const base = c * this.chunkSize - this.pageOffset;
    arr.fill(to, page - base, cEnd - base);
    this.unshare();
    this.mixed.set(c, arr);
    this.owned.add(c);
    this.setTags(c, c + 1, MIXED);
  }

  /**
   * Pages from `page` in mixed chunk `c`, page by page (small functions of their own), copying a
   * shared array first if the lut changes a page before any STOP.
   */
  private mapMixed(
    c: number,
    page: number,
    stop: number,
    lut: Uint8Array,
    tally: Float64Array,
    order: number[] | null,
  ): number {
    const base = c * this.chunkSize - this.pageOffset;
    const lo = page - base;
    const hi = Math.min(stop, this.chunkEnd(c)) - base;
    let arr = this.mixed.get(c)!;
    const writes = firstChange(arr, lo, hi, lut) < hi;
    if (writes) arr = this.writable(c);
    const mark = order === null ? 0 : order.length;
    const at = mapPages(arr, lo, hi, lut, tally, order);
    // A mixed chunk no write touched is still mixed: only a written one may have become uniform.
    if (writes) this.collapse(c);
    if (order !== null) sortTail(order, mark);
    if (at < hi) {
      this.stopAt = at + base;
      return STOPPED;
    }
    return hi - lo;
  }

  /** Sets pages [first, first+count) to `value` (absent chunks are materialized as 0 first). */
  fill(first: number, count: number, value: number): void {
    this.mapRange(first, count, fillLut(value), FILL_TALLY, count, MATERIALIZE_ZERO);
  }

  /** Turns a mixed chunk whose slots (inside the array) all hold one value back into a tag. */
  collapse(chunk: number): void {
    const arr = this.mixed.get(chunk);
    if (!arr) return;
    const base = chunk * this.chunkSize - this.pageOffset;
    const lo = Math.max(0, -base);
    const hi = Math.min(this.chunkSize, this.pages - base);
    const v = arr[lo]!;
    if (nextDifferent(arr, lo + 1, hi, v) < hi) return;
    this.setChunk(chunk, v);
  }

  /** The chunks written since the last call, as [first, one past the last] (equal: none). */
  takeWritten(): [number, number] {
    const span: [number, number] = [this.writtenLo, this.writtenHi];
    this.writtenLo = 0;
    this.writtenHi = 0;
    return span;
  }

  /** Copy, for checkpoints: shares everything copy-on-write (see the file comment). */
  clone(): ChunkedBytes {
    const copy = Object.create(ChunkedBytes.prototype) as ChunkedBytes;
    Object.assign(copy, this);
    copy.owned = new Set();
    this.owned = new Set();
    this.holders.n++;
    return copy;
  }

  /** This copy will not be used again: the copies it shared with stop copying on its account. */
  release(): void {
    this.holders.n--;
  }

  /** Bytes held, for the benchmark's memory column. */
  footprintBytes(): number {
    return this.tags.byteLength + this.mixed.size * (this.chunkSize + 48);
  }
}

/** fill()'s lookup tables (every value → one value), built on first use. */
const FILL_LUTS: Uint8Array[] = [];
function fillLut(value: number): Uint8Array {
  let lut = FILL_LUTS[value];
  if (!lut) {
    lut = new Uint8Array(256).fill(value);
    FILL_LUTS[value] = lut;
  }
  return lut;
}
/** fill() has no use for the tally: one scratch array, never read. */
const FILL_TALLY = new Float64Array(256);
const MATERIALIZE_ZERO: AbsentChunks = { value: 0 };

/** The first index in [from, to) where arr differs from v, or to. */
function nextDifferent(arr: Uint8Array, from: number, to: number, v: number): number {
  for (let i = from; i < to; i++) if (arr[i] !== v) return i;
  return to;
}

/** The first index in [lo, hi) whose value the lut changes, before any STOP; hi if none. */
function firstChange(arr: Uint8Array, lo: number, hi: number, lut: Uint8Array): number {
  for (let i = lo; i < hi; ) {
    const v = arr[i]!;
    const to = lut[v]!;
    if (to === STOP) return hi;
    if (to !== v) return i;
    i = nextDifferent(arr, i + 1, hi, v);
  }
  return hi;
}

/**
 * mapRange() over pages [lo, hi) of a mixed chunk's array: tallies (and orders) old values and
 * writes new ones. Returns the index of the page a STOP entry halted at, or hi.
 */
function mapPages(
  arr: Uint8Array,
  lo: number,
  hi: number,
  lut: Uint8Array,
  tally: Float64Array,
  order: number[] | null,
): number {
  for (let i = lo; i < hi; ) {
    const from = arr[i]!;
    const to = lut[from]!;
    if (to === STOP) return i;
    // The run of pages holding `from`: tallied and rewritten at once.
    const j = nextDifferent(arr, i + 1, hi, from);
    if (order !== null && tally[from] === 0) order.push(from);
    tally[from]! += j - i;
    if (to !== from) arr.fill(to, i, j);
    i = j;
  }
  return hi;
}

/** Sorts order[from..] ascending in place (a handful of values: insertion sort). */
function sortTail(order: number[], from: number): void {
  for (let i = from + 1; i < order.length; i++) {
    const v = order[i]!;
    let j = i - 1;
    while (j >= from && order[j]! > v) {
      order[j + 1] = order[j]!;
      j--;
    }
    order[j + 1] = v;
  }
}
