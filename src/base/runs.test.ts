/**
 * Page runs (runs.ts) against the plain model they stand for: a list of page numbers. Every
 * property draws runs over a small space (pages 0–199) so that overlaps, touching runs and empty
 * runs are common.
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import {
  appendRun,
  intersectRuns,
  normalizeRuns,
  pagesIn,
  positionInRuns,
  runsEnd,
  subtractRuns,
  truncateRuns,
} from "./runs.ts";

const SPACE = 200;

/** The pages of `runs` in their order, repeats kept. */
function expand(runs: readonly number[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < runs.length; i += 2)
    for (let p = runs[i]!; p < runs[i]! + runs[i + 1]!; p++) out.push(p);
  return out;
}

const pageSet = (runs: readonly number[]) => [...new Set(expand(runs))].sort((a, b) => a - b);

/** Sorted and merged: ascending, no empty run, each run ends before the next one starts. */
function isCanonical(runs: readonly number[]): boolean {
  for (let i = 0; i < runs.length; i += 2) {
    if (runs[i + 1]! <= 0) return false;
    if (i >= 2 && runs[i - 2]! + runs[i - 1]! >= runs[i]!) return false;
  }
  return true;
}

/** Sorted: ascending, no empty run, no overlap (touching runs may stay apart). */
function isSorted(runs: readonly number[]): boolean {
  for (let i = 0; i < runs.length; i += 2) {
    if (runs[i + 1]! <= 0) return false;
    if (i >= 2 && runs[i - 2]! + runs[i - 1]! > runs[i]!) return false;
  }
  return true;
}

/** Any runs: unordered, overlapping, touching or empty. */
const anyRuns = fc
  .array(fc.tuple(fc.integer({ min: 0, max: SPACE - 1 }), fc.integer({ min: 0, max: 20 })), { maxLength: 12 })
  .map((pairs) => pairs.flatMap(([first, count]) => [first, Math.min(count, SPACE - first)]));

/** Sorted runs (disjoint, ascending), some touching runs left apart as the engine may record them. */
const sortedRuns = fc
  .tuple(fc.uniqueArray(fc.integer({ min: 0, max: SPACE - 1 }), { maxLength: 80 }), fc.array(fc.boolean()))
  .map(([pages, splits]) => {
    const out: number[] = [];
    pages.sort((a, b) => a - b);
    pages.forEach((p, i) => {
      const n = out.length;
      if (n >= 2 && out[n - 2]! + out[n - 1]! === p && !splits[i]) out[n - 1] = out[n - 1]! + 1;
      else out.push(p, 1);
    });
    return out;
  });

describe("page runs against a list of pages", () => {
  test("the header's worked example", () => {
    const runs = [0, 10, 20, 5];
    expect(pagesIn(runs)).toBe(15);
    expect(truncateRuns(runs, 12)).toEqual([0, 10, 20, 2]);
    expect(positionInRuns(runs, 22)).toBe(12);
    expect(subtractRuns([0, 30], runs)).toEqual([10, 10, 25, 5]);
    expect(runsEnd(runs)).toBe(25);
  });

  test("appendRun builds sorted, merged runs of the pages appended", () => {
    fc.assert(
      fc.property(sortedRuns, (runs) => {
        const out: number[] = [];
        for (let i = 0; i < runs.length; i += 2) appendRun(out, runs[i]!, runs[i + 1]!);
        appendRun(out, SPACE, 0);
        expect(isCanonical(out)).toBe(true);
        expect(expand(out)).toEqual(expand(runs));
      }),
    );
  });

  test("pagesIn, runsEnd, truncateRuns and positionInRuns follow the pages in order", () => {
    fc.assert(
      fc.property(
        anyRuns,
        fc.integer({ min: 0, max: 300 }),
        fc.integer({ min: -1, max: SPACE }),
        (runs, k, page) => {
          const pages = expand(runs);
          expect(pagesIn(runs)).toBe(pages.length);
          expect(expand(truncateRuns(runs, k))).toEqual(pages.slice(0, k));
          expect(positionInRuns(runs, page)).toBe(pages.indexOf(page));
          const n = runs.length;
          expect(runsEnd(runs)).toBe(n === 0 ? 0 : runs[n - 2]! + runs[n - 1]!);
        },
      ),
    );
  });

  test("normalizeRuns: the same pages, sorted and merged", () => {
    fc.assert(
      fc.property(anyRuns, (runs) => {
        const out = normalizeRuns(runs);
        expect(isCanonical(out)).toBe(true);
        expect(expand(out)).toEqual(pageSet(runs));
      }),
    );
    expect(normalizeRuns([50, 10, 0, 5, 5, 5, 60, 1])).toEqual([0, 10, 50, 11]);
  });

  test("intersectRuns and subtractRuns: the pages in both, and in the first only", () => {
    fc.assert(
      fc.property(sortedRuns, sortedRuns, (a, b) => {
        const inB = new Set(expand(b));
        const both = intersectRuns(a, b);
        const aOnly = subtractRuns(a, b);
        expect(expand(both)).toEqual(expand(a).filter((p) => inB.has(p)));
        expect(expand(aOnly)).toEqual(expand(a).filter((p) => !inB.has(p)));
        expect(isSorted(both)).toBe(true);
        expect(isSorted(aOnly)).toBe(true);
      }),
    );
  });

  test("subtractRuns from one range: the range's pages outside the runs", () => {
    fc.assert(
      fc.property(
        sortedRuns,
        fc.integer({ min: 0, max: 50 }),
        fc.integer({ min: 0, max: 150 }),
        (runs, first, count) => {
          const inside = intersectRuns(runs, [first, count]);
          const out = subtractRuns([first, count], inside);
          const taken = new Set(expand(runs));
          const want: number[] = [];
          for (let p = first; p < first + count; p++) if (!taken.has(p)) want.push(p);
          expect(expand(out)).toEqual(want);
          expect(isCanonical(out)).toBe(true);
        },
      ),
    );
  });
});
