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
 */

export const MIXED = 0xfe;
export const ABSENT = 0xff;

/** A LUT entry meaning "stop before this page" (used for userfaults: the faulting access blocks). */
export const STOP = 0xff;

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

  constructor(pages: number, chunkShift: number, pageOffset = 0, initial: number = ABSENT) {
    this.chunkShift = chunkShift;
    this.chunkSize = 1 << chunkShift;
    if (pageOffset < 0 || pageOffset >= this.chunkSize) throw new RangeError("pageOffset outside a chunk");
    this.pages = pages;
    this.pageOffset = pageOffset;
    this.chunks = pages === 0 ? 0 : ((pages - 1 + pageOffset) >> chunkShift) + 1;
    this.tags = new Uint8Array(this.chunks).fill(initial);
    this.mixed = new Map();
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

  /** Marks an absent chunk present with a uniform value. */
  materialize(chunk: number, value: number): void {
    this.tags[chunk] = value;
  }

  /** Drops a chunk (for page tables: the table is freed). */
  drop(chunk: number): void {
    this.tags[chunk] = ABSENT;
    this.mixed.delete(chunk);
  }

  /**
   * Histogram of values over pages [first, first+count): out[v] += pages holding v.
   * Absent chunks count as value 0 and, if `absentOut` is given, also add to absentOut[0].
   */
  histogram(first: number, count: number, out: Float64Array): void {
    this.forEachRun(first, count, (value, _start, len) => {
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
        let runStart = page;
        let runValue = arr[page - base]!;
        for (let p = page + 1; p < cEnd; p++) {
          const v = arr[p - base]!;
          if (v !== runValue) {
            fn(runValue, runStart, p - runStart, false);
            runStart = p;
            runValue = v;
          }
        }
        fn(runValue, runStart, cEnd - runStart, false);
      }
      page = cEnd;
    }
  }

  /**
   * Rewrites pages [first, first+count) in order through `lut` (old value → new value), visiting at
   * most `limit` pages. A STOP entry halts the walk before that page. `tally[v]` counts visited
   * pages by their old value. Absent chunks are handled by `onAbsent`: return a value to
   * materialize the chunk uniformly with it first, or -1 to treat its pages as value 0 without
   * materializing (they are still visited and tallied, but the lut is not applied to them).
   */
  mapRange(
    first: number,
    count: number,
    lut: Uint8Array,
    tally: Float64Array,
    limit: number,
    onAbsent: (chunk: number) => number,
  ): MapResult {
    const end = first + count;
    let page = first;
    let processed = 0;
    while (page < end && processed < limit) {
      const c = this.chunkOf(page);
      const cStart = this.chunkStart(c);
      const cEnd = Math.min(end, this.chunkEnd(c), page + (limit - processed));
      let tag = this.tags[c]!;
      if (tag === ABSENT) {
        const v = onAbsent(c);
        if (v < 0) {
          if (lut[0] === STOP) return { processed, stoppedAt: page };
          tally[0]! += cEnd - page;
          processed += cEnd - page;
          page = cEnd;
          continue;
        }
        this.tags[c] = v;
        tag = v;
      }
      if (tag !== MIXED) {
        const to = lut[tag]!;
        if (to === STOP) return { processed, stoppedAt: page };
        const n = cEnd - page;
        tally[tag]! += n;
        processed += n;
        if (to !== tag) {
          const whole = page === cStart && cEnd === this.chunkEnd(c);
          if (whole) {
            this.tags[c] = to;
          } else {
            const arr = new Uint8Array(this.chunkSize).fill(tag);
            const base = c * this.chunkSize - this.pageOffset;
            arr.fill(to, page - base, cEnd - base);
            this.mixed.set(c, arr);
            this.tags[c] = MIXED;
          }
        }
        page = cEnd;
        continue;
      }
      const arr = this.mixed.get(c)!;
      const base = c * this.chunkSize - this.pageOffset;
      for (let p = page; p < cEnd; p++) {
        const from = arr[p - base]!;
        const to = lut[from]!;
        if (to === STOP) {
          this.collapse(c);
          return { processed, stoppedAt: p };
        }
        tally[from]! += 1;
        arr[p - base] = to;
        processed++;
      }
      this.collapse(c);
      page = cEnd;
    }
    return { processed, stoppedAt: -1 };
  }

  /** Sets pages [first, first+count) to `value` (chunks must be present or are materialized as 0). */
  fill(first: number, count: number, value: number): void {
    const lut = new Uint8Array(256).fill(value);
    this.mapRange(first, count, lut, new Float64Array(256), count, () => 0);
  }

  /** Turns a mixed chunk whose slots (inside the array) all hold one value back into a tag. */
  collapse(chunk: number): void {
    const arr = this.mixed.get(chunk);
    if (!arr) return;
    const base = chunk * this.chunkSize - this.pageOffset;
    const lo = Math.max(0, -base);
    const hi = Math.min(this.chunkSize, this.pages - base);
    const v = arr[lo]!;
    for (let i = lo + 1; i < hi; i++) if (arr[i] !== v) return;
    this.mixed.delete(chunk);
    this.tags[chunk] = v;
  }

  /** Deep copy, for checkpoints. Cost: one tag byte per chunk plus the mixed chunks. */
  clone(): ChunkedBytes {
    const copy = Object.create(ChunkedBytes.prototype) as ChunkedBytes;
    Object.assign(copy, this);
    copy.tags = this.tags.slice();
    copy.mixed = new Map();
    for (const [c, arr] of this.mixed) copy.mixed.set(c, arr.slice());
    return copy;
  }

  /** Bytes held, for the benchmark's memory column. */
  footprintBytes(): number {
    return this.tags.byteLength + this.mixed.size * (this.chunkSize + 48);
  }
}
