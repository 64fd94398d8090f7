/**
 * The migration code's page runs read from page sets (the arithmetic on runs is base/runs.ts).
 */
import { appendRun, intersectRuns, runsEnd } from "../../base/runs.ts";
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
    if (v === value) appendRun(out, start, length);
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
  const end = runsEnd(runs);
  return intersectRuns(runs, setRuns(m, mm, name, value, first, end - first));
}
