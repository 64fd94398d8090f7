/**
 * ChunkedBytes: uniform chunks as one tag, mixed chunks as arrays, collapse back to uniform,
 * partial first chunks (pageOffset), runs, STOP and limits.
 */
import { describe, expect, test } from "vitest";
import { ABSENT, ChunkedBytes, MIXED, STOP } from "./chunked.ts";

function lut(map: Record<number, number>): Uint8Array {
  const l = new Uint8Array(256);
  for (let i = 0; i < 256; i++) l[i] = i;
  for (const [k, v] of Object.entries(map)) l[Number(k)] = v;
  return l;
}

function values(c: ChunkedBytes): number[] {
  return Array.from({ length: c.pages }, (_, p) => c.get(p));
}

const present = () => 0;

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
    c.mapRange(10, 2, lut({ 7: 9 }), new Float64Array(256), Number.POSITIVE_INFINITY, () => -1);
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
    c.mapRange(0, 4, lut({ 0: 3 }), tally, Number.POSITIVE_INFINITY, () => -1);
    expect(c.isAbsent(0)).toBe(true);
    expect(tally[0]).toBe(4);
    c.mapRange(8, 8, lut({ 0: 3 }), tally, Number.POSITIVE_INFINITY, () => 0);
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
