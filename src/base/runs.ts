/**
 * Page runs: a set of pages written as flat [first, count, first, count, …] pairs, the shape of
 * the engine's event ranges, the footprints it records and the hypervisor's page lists. A run is
 * [first, first + count). "Sorted" means in address order with no two runs overlapping (touching
 * runs may stay apart: the engine records ranges as the events gave them).
 *
 * Worked example: [0, 10, 20, 5] is pages 0–9 and 20–24 (15 pages); its first 12 pages are
 * [0, 10, 20, 2], page 22 sits at position 12, and within [0, 30) its complement is [10, 10, 25, 5].
 */

/** Flat [first, count, …] pairs. */
export type Runs = readonly number[];

/** Appends [first, first + count) to sorted `out`, merged into its last run when they touch. */
export function appendRun(out: number[], first: number, count: number): void {
  if (count <= 0) return;
  const n = out.length;
  if (n >= 2 && out[n - 2]! + out[n - 1]! === first) out[n - 1] = out[n - 1]! + count;
  else out.push(first, count);
}

/** How many pages the runs hold (overlaps counted twice). */
export function pagesIn(runs: Runs): number {
  let n = 0;
  for (let i = 1; i < runs.length; i += 2) n += runs[i]!;
  return n;
}

/** The page after the last run: runs[last first] + runs[last count]; 0 for no runs. */
export function runsEnd(runs: Runs): number {
  const n = runs.length;
  return n >= 2 ? runs[n - 2]! + runs[n - 1]! : 0;
}

/** The first `pages` pages of `runs`, in their order. */
export function truncateRuns(runs: Runs, pages: number): number[] {
  const out: number[] = [];
  let left = pages;
  for (let i = 0; i < runs.length && left > 0; i += 2) {
    const n = Math.min(left, runs[i + 1]!);
    out.push(runs[i]!, n);
    left -= n;
  }
  return out;
}

/** Position of `page` in `runs` (how many pages of the runs come before it), or -1 if absent. */
export function positionInRuns(runs: Runs, page: number): number {
  let pos = 0;
  for (let i = 0; i < runs.length; i += 2) {
    const first = runs[i]!;
    const count = runs[i + 1]!;
    if (page >= first && page < first + count) return pos + (page - first);
    pos += count;
  }
  return -1;
}

/** Any runs → sorted runs of the same pages: ordered by first page, overlapping and touching runs merged, empty runs dropped. */
export function normalizeRuns(runs: Runs): number[] {
  const order = Array.from({ length: runs.length >> 1 }, (_, j) => j)
    .filter((j) => runs[2 * j + 1]! > 0)
    .sort((a, b) => runs[2 * a]! - runs[2 * b]!);
  const out: number[] = [];
  for (const j of order) {
    const first = runs[2 * j]!;
    const end = first + runs[2 * j + 1]!;
    const n = out.length;
    if (n >= 2 && first <= out[n - 2]! + out[n - 1]!)
      out[n - 1] = Math.max(out[n - 2]! + out[n - 1]!, end) - out[n - 2]!;
    else out.push(first, end - first);
  }
  return out;
}

/** Pages in both `a` and `b` (both sorted), sorted. */
export function intersectRuns(a: Runs, b: Runs): number[] {
  const out: number[] = [];
  let j = 0;
  for (let i = 0; i < a.length; i += 2) {
    const s = a[i]!;
    const e = s + a[i + 1]!;
    while (j < b.length && b[j]! + b[j + 1]! <= s) j += 2;
    for (let k = j; k < b.length && b[k]! < e; k += 2) {
      const lo = Math.max(s, b[k]!);
      const hi = Math.min(e, b[k]! + b[k + 1]!);
      if (lo < hi) out.push(lo, hi - lo);
    }
  }
  return out;
}

/** The pages of `all` that are not in `part` (both sorted), sorted; one pass over each. */
export function subtractRuns(all: Runs, part: Runs): number[] {
  const out: number[] = [];
  let j = 0;
  for (let i = 0; i < all.length; i += 2) {
    let at = all[i]!;
    const end = at + all[i + 1]!;
    while (j < part.length && part[j]! + part[j + 1]! <= at) j += 2;
    for (let k = j; k < part.length && part[k]! < end; k += 2) {
      if (part[k]! > at) out.push(at, part[k]! - at);
      at = Math.max(at, part[k]! + part[k + 1]!);
    }
    if (at < end) out.push(at, end - at);
  }
  return out;
}
