/**
 * Page-run arithmetic for the migration code: runs are flat [first, count, ...] pairs in address
 * order, the same shape as the engine's ranges.
 */
import { complementRuns } from "../../engine/index.ts";
import type { Machine } from "../machine.ts";

/** Runs where page set `name` of mm `mm` equals `value`, within [first, first+count). */
export function setRuns(
  m: Machine,
  mm: number,
  name: string,
  value: number,
  first: number,
  count: number,
): number[] {
  const out: number[] = [];
  m.sim.world.pageset(mm, name).forEachSpan(first, count, (v, start, length) => {
    if (v !== value) return;
    const n = out.length;
    if (n >= 2 && out[n - 2]! + out[n - 1]! === start) out[n - 1] = out[n - 1]! + length;
    else out.push(start, length);
  });
  return out;
}

/**
 * The pages of `runs` (sorted) whose byte in page set `name` is `value`, as runs. Scans only the
 * span the runs cover, and nothing for a set no one has written (all 0), so a per-batch check
 * costs the batch, not all of guest RAM.
 */
export function setRunsWithin(
  m: Machine,
  mm: number,
  name: string,
  value: number,
  runs: readonly number[],
): number[] {
  if (runs.length === 0) return [];
  if (!m.sim.world.pagesets[mm]?.has(name)) return value === 0 ? [...runs] : [];
  const first = runs[0]!;
  const end = runs[runs.length - 2]! + runs[runs.length - 1]!;
  return intersectRuns(runs, setRuns(m, mm, name, value, first, end - first));
}

/** Pages in `a` that are also in `b` (both sorted runs). */
export function intersectRuns(a: readonly number[], b: readonly number[]): number[] {
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

/** `all` minus `part` (part ⊆ all, both sorted runs). */
export function complementWithin(all: readonly number[], part: readonly number[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < all.length; i += 2) {
    const inner = intersectRuns(part, [all[i]!, all[i + 1]!]);
    out.push(...complementRuns(all[i]!, all[i + 1]!, inner));
  }
  return out;
}

export function pagesIn(runs: readonly number[]): number {
  let n = 0;
  for (let i = 1; i < runs.length; i += 2) n += runs[i]!;
  return n;
}

/** The first `pages` pages of `runs`. */
export function truncateRuns(runs: readonly number[], pages: number): number[] {
  const out: number[] = [];
  let left = pages;
  for (let i = 0; i < runs.length && left > 0; i += 2) {
    const n = Math.min(left, runs[i + 1]!);
    out.push(runs[i]!, n);
    left -= n;
  }
  return out;
}
