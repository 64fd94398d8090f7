/**
 * ChunkedBytes: uniform chunks as one tag, mixed chunks as arrays, collapse back to uniform,
 * partial first chunks (pageOffset), runs, STOP and limits.
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { ABSENT, ABSENT_AS_ZERO, ChunkedBytes, MIXED, STOP } from "./chunked.ts";

function lut(map: Record<number, number>): Uint8Array {
  const l = new Uint8Array(256);
  for (let i = 0; i < 256; i++) l[i] = i;
  for (const [k, v] of Object.entries(map)) l[Number(k)] = v;
  return l;
}

function values(c: ChunkedBytes): number[] {
  return Array.from({ length: c.pages }, (_, p) => c.get(p));
}

const present = { value: 0 };

describe("ChunkedBytes", () => {
  test("a new array is absent (reads 0) or uniform; chunks = pages / chunk size, rounded up", () => {
    const a = new ChunkedBytes(20, 3);
    expect(a.chunks).toBe(3);
    expect(a.isAbsent(0)).toBe(true);
    expect(a.get(19)).toBe(0);
    const b = new ChunkedBytes(16, 3, 0, 5);
    expect(values(b)).toEqual(new Array(16).fill(5));
    expect(new ChunkedBytes(0, 3).chunks).toBe(0);
  });

  test("mapRange on part of a uniform chunk makes it mixed; covering the rest collapses it back to one tag", () => {
    const c = new ChunkedBytes(16, 3, 0, 1);
    const tally = new Float64Array(256);
    c.mapRange(2, 3, lut({ 1: 2 }), tally, Number.POSITIVE_INFINITY, present);
    expect(c.tags[0]).toBe(MIXED);
    expect(values(c).slice(0, 8)).toEqual([1, 1, 2, 2, 2, 1, 1, 1]);
    expect(tally[1]).toBe(3);
    c.mapRange(0, 8, lut({ 1: 2 }), tally, Number.POSITIVE_INFINITY, present);
    expect(c.tags[0]).toBe(2);
    expect(c.mixed.size).toBe(0);
    // A whole uniform chunk changes its tag without ever becoming mixed.
    c.mapRange(8, 8, lut({ 1: 3 }), tally, Number.POSITIVE_INFINITY, present);
    expect(c.tags[1]).toBe(3);
    expect(c.mixed.size).toBe(0);
  });

  test("pageOffset: a partial first chunk; chunkStart/chunkEnd clip to the array; collapse ignores slots outside", () => {
    const c = new ChunkedBytes(10, 3, 5, 0);
    expect(c.chunks).toBe(2);
    expect(c.chunkOf(2)).toBe(0);
    expect(c.chunkOf(3)).toBe(1);
    expect([c.chunkStart(0), c.chunkEnd(0), c.chunkStart(1), c.chunkEnd(1)]).toEqual([0, 3, 3, 10]);
    c.mapRange(0, 1, lut({ 0: 4 }), new Float64Array(256), Number.POSITIVE_INFINITY, present);
    expect(c.tags[0]).toBe(MIXED);
    c.mapRange(1, 2, lut({ 0: 4 }), new Float64Array(256), Number.POSITIVE_INFINITY, present);
    expect(c.tags[0]).toBe(4);
    expect(values(c)).toEqual([4, 4, 4, 0, 0, 0, 0, 0, 0, 0]);
    expect(c.chunkValues(0)).toEqual(new Uint8Array(8).fill(4));
  });

  test("forEachRun: maximal runs per chunk, in order; absent chunks report value 0 and absent", () => {
    const c = new ChunkedBytes(24, 3);
    c.materialize(1, 7);
    c.mapRange(10, 2, lut({ 7: 9 }), new Float64Array(256), Number.POSITIVE_INFINITY, ABSENT_AS_ZERO);
    const runs: [number, number, number, boolean][] = [];
    c.forEachRun(4, 16, (v, s, n, absent) => runs.push([v, s, n, absent]));
    expect(runs).toEqual([
      [0, 4, 4, true],
      [7, 8, 2, false],
      [9, 10, 2, false],
      [7, 12, 4, false],
      [0, 16, 4, true],
    ]);
    const hist = new Float64Array(256);
    c.histogram(0, 24, hist);
    expect([hist[0], hist[7], hist[9]]).toEqual([16, 6, 2]);
  });

  test("mapRange: STOP halts before the page (uniform and mixed chunks); limit visits a prefix", () => {
    const c = new ChunkedBytes(16, 3, 0, 1);
    c.mapRange(3, 1, lut({ 1: 2 }), new Float64Array(256), Number.POSITIVE_INFINITY, present);
    const stopAt2 = lut({ 2: STOP, 1: 5 });
    const r = c.mapRange(0, 16, stopAt2, new Float64Array(256), Number.POSITIVE_INFINITY, present);
    expect(r).toEqual({ processed: 3, stoppedAt: 3 });
    expect(values(c).slice(0, 4)).toEqual([5, 5, 5, 2]);
    const u = c.mapRange(8, 8, lut({ 1: STOP }), new Float64Array(256), Number.POSITIVE_INFINITY, present);
    expect(u).toEqual({ processed: 0, stoppedAt: 8 });
    const l = c.mapRange(8, 8, lut({ 1: 6 }), new Float64Array(256), 5, present);
    expect(l).toEqual({ processed: 5, stoppedAt: -1 });
    expect(values(c).slice(8)).toEqual([6, 6, 6, 6, 6, 1, 1, 1]);
  });

  test("mapRange on absent chunks: onAbsent materializes them, or -1 visits them as 0 without materializing", () => {
    const c = new ChunkedBytes(16, 3);
    const tally = new Float64Array(256);
    c.mapRange(0, 4, lut({ 0: 3 }), tally, Number.POSITIVE_INFINITY, ABSENT_AS_ZERO);
    expect(c.isAbsent(0)).toBe(true);
    expect(tally[0]).toBe(4);
    c.mapRange(8, 8, lut({ 0: 3 }), tally, Number.POSITIVE_INFINITY, { value: 0 });
    expect(c.tags[1]).toBe(3);
    c.drop(1);
    expect(c.tags[1]).toBe(ABSENT);
  });

  test("fill, clone (a deep copy) and footprintBytes", () => {
    const c = new ChunkedBytes(16, 3, 0, 0);
    c.fill(2, 3, 7);
    const copy = c.clone();
    c.fill(0, 16, 1);
    expect(values(copy).slice(0, 6)).toEqual([0, 0, 7, 7, 7, 0]);
    expect(values(c)).toEqual(new Array(16).fill(1));
    expect(copy.footprintBytes()).toBe(2 + 8 + 48);
  });

  test("the constructor rejects a pageOffset outside a chunk", () => {
    expect(() => new ChunkedBytes(4, 3, 8)).toThrow(RangeError);
  });
});

/**
 * ChunkedBytes against a plain byte per page, over enough chunks for several summary groups
 * (64 chunks each): random writes through mapRange (luts with STOP, limits, absent chunks
 * materialized or not, the `order` of first visits), fill, setChunk and drop, on the original and
 * on copy-on-write clones, each checked against its own model after every step.
 */
describe("ChunkedBytes against a plain array", () => {
  type Op =
    | {
        kind: "map";
        first: number;
        count: number;
        lut: number[];
        stop: number;
        limit: number;
        absent: number;
      }
    | { kind: "fill"; first: number; count: number; value: number }
    | { kind: "set"; chunk: number; count: number; value: number }
    | { kind: "drop"; chunk: number }
    | { kind: "clone"; which: number };

  const SHIFT = 2; // 4 pages per chunk
  const PAGES = 4 * 64 * 3 + 5; // three groups and a bit, with an offset
  const OFFSET = 3;

  interface Model {
    values: number[]; // -1 = absent
  }

  const opArb: fc.Arbitrary<Op> = fc.oneof(
    fc.record({
      kind: fc.constant("map" as const),
      first: fc.integer({ min: 0, max: PAGES - 1 }),
      count: fc.integer({ min: 0, max: PAGES }),
      lut: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 4, maxLength: 4 }),
      stop: fc.integer({ min: -1, max: 3 }),
      limit: fc.oneof(fc.constant(Number.POSITIVE_INFINITY), fc.integer({ min: 0, max: PAGES })),
      absent: fc.constantFrom(-1, 0, 2),
    }),
    fc.record({
      kind: fc.constant("fill" as const),
      first: fc.integer({ min: 0, max: PAGES - 1 }),
      count: fc.integer({ min: 0, max: PAGES }),
      value: fc.integer({ min: 0, max: 3 }),
    }),
    fc.record({
      kind: fc.constant("set" as const),
      chunk: fc.integer({ min: 0, max: 200 }),
      count: fc.integer({ min: 1, max: 80 }),
      value: fc.integer({ min: 0, max: 3 }),
    }),
    fc.record({ kind: fc.constant("drop" as const), chunk: fc.integer({ min: 0, max: 200 }) }),
    fc.record({ kind: fc.constant("clone" as const), which: fc.integer({ min: 0, max: 3 }) }),
  );

  function chunkOf(page: number): number {
    return (page + OFFSET) >> SHIFT;
  }

  function pagesOf(c: ChunkedBytes, chunk: number): number[] {
    const out: number[] = [];
    for (let p = c.chunkStart(chunk); p < c.chunkEnd(chunk); p++) out.push(p);
    return out;
  }

  function check(c: ChunkedBytes, m: Model): void {
    const got: number[] = [];
    for (let p = 0; p < PAGES; p++) got.push(c.isAbsent(c.chunkOf(p)) ? -1 : c.get(p));
    expect(got).toEqual(m.values);
    // Spans: maximal runs of equal value, absent apart, over the whole array and a window.
    for (const [first, count] of [
      [0, PAGES],
      [7, PAGES - 20],
    ] as const) {
      const spans: [number, number, number, boolean][] = [];
      c.forEachSpan(first, count, (v, s, n, absent) => spans.push([v, s, n, absent]));
      const want: [number, number, number, boolean][] = [];
      for (let p = first; p < first + count; p++) {
        const v = Math.max(0, m.values[p]!);
        const absent = m.values[p] === -1;
        const last = want[want.length - 1];
        if (last && last[0] === v && last[3] === absent) last[2]++;
        else want.push([v, p, 1, absent]);
      }
      expect(spans).toEqual(want);
    }
  }

  test("every operation leaves each copy equal to its model", () => {
    fc.assert(
      fc.property(fc.array(opArb, { minLength: 1, maxLength: 40 }), (ops) => {
        const copies = [new ChunkedBytes(PAGES, SHIFT, OFFSET)];
        const models: Model[] = [{ values: new Array(PAGES).fill(-1) }];
        const chunks = copies[0]!.chunks;
        let turn = 0;
        for (const op of ops) {
          const i = turn++ % copies.length;
          const c = copies[i]!;
          const m = models[i]!;
          if (op.kind === "clone") {
            const j = op.which % copies.length;
            copies.push(copies[j]!.clone());
            models.push({ values: models[j]!.values.slice() });
            continue;
          }
          if (op.kind === "drop" || op.kind === "set") {
            const first = op.chunk % chunks;
            const n = op.kind === "drop" ? 1 : Math.min(op.count, chunks - first);
            if (op.kind === "drop") c.drop(first);
            else c.setChunk(first, op.value, n);
            for (let k = first; k < first + n; k++)
              for (const p of pagesOf(c, k)) m.values[p] = op.kind === "drop" ? -1 : op.value;
          } else {
            const count = Math.min(op.count, PAGES - op.first);
            const lut = new Uint8Array(256);
            for (let v = 0; v < 256; v++) lut[v] = v;
            if (op.kind === "fill") {
              c.fill(op.first, count, op.value);
              const touched = new Set<number>();
              for (let p = op.first; p < op.first + count; p++) touched.add(chunkOf(p));
              for (const k of touched) for (const p of pagesOf(c, k)) if (m.values[p] === -1) m.values[p] = 0;
              for (let p = op.first; p < op.first + count; p++) m.values[p] = op.value;
            } else {
              op.lut.forEach((to, from) => {
                lut[from] = to;
              });
              if (op.stop >= 0) lut[op.stop] = STOP;
              const tally = new Float64Array(256);
              const order: number[] = [];
              const r = c.mapRange(op.first, count, lut, tally, op.limit, { value: op.absent }, order);
              // The model: page by page, materializing a whole absent chunk when first reached.
              const want = new Float64Array(256);
              const wantOrder: number[] = [];
              let chunkSeen: number[] = [];
              let lastChunk = -1;
              let processed = 0;
              let stoppedAt = -1;
              const flush = () => {
                for (const v of chunkSeen.sort((a, b) => a - b)) wantOrder.push(v);
                chunkSeen = [];
              };
              for (let p = op.first; p < op.first + count && processed < op.limit; p++) {
                const k = chunkOf(p);
                if (k !== lastChunk) {
                  flush();
                  lastChunk = k;
                  if (m.values[p] === -1 && op.absent >= 0)
                    for (const q of pagesOf(c, k)) m.values[q] = op.absent;
                }
                const absent = m.values[p] === -1;
                const from = absent ? 0 : m.values[p]!;
                if (lut[from] === STOP) {
                  stoppedAt = p;
                  break;
                }
                if (want[from] === 0 && !wantOrder.includes(from) && !chunkSeen.includes(from))
                  chunkSeen.push(from);
                want[from]! += 1;
                if (!absent) m.values[p] = lut[from]!;
                processed++;
              }
              flush();
              expect(r).toEqual({ processed, stoppedAt });
              expect(Array.from(tally.subarray(0, 8))).toEqual(Array.from(want.subarray(0, 8)));
              expect(order).toEqual(wantOrder);
            }
          }
          for (let k = 0; k < copies.length; k++) check(copies[k]!, models[k]!);
        }
      }),
      { numRuns: Number(process.env.FC_RUNS ?? 100) },
    );
  });
});
