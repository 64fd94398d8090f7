/**
 * Helpers for the golden tests (scenario/presets/*.test.ts): run a preset under a variant once
 * per test file, read counters at action boundaries, and count the guest's pages by what the
 * guest did with them. The last is how the tests derive expectations that depend on where the
 * seeded PRNG put the guest's extents (which 2 MiB ranges hold both data and balloon pages, say)
 * without copying the engine's output: the guest's page set is the input to the kernel rules,
 * not their result.
 *
 * No vitest here: tests call these and assert.
 */
import { PAGE_SIZE } from "../../base/units.ts";
import {
  COUNTER_COUNT,
  COUNTERS,
  type CounterKey,
  counterAt,
  extraAt,
  type MmCounters,
  type VariantId,
} from "../../engine/index.ts";
import { GUEST_BALLOON, GUEST_FREE, GUEST_SET, GUEST_USED } from "../../hypervisor/guest.ts";
import type { ExtraKey } from "../../hypervisor/machine.ts";
import { type RunResult, runScenario } from "../compile.ts";
import { presetById } from "../presets/index.ts";

/** Pages in `bytes`. */
export const pages = (bytes: number): number => bytes / PAGE_SIZE;

export const SOURCE = 0;
export const DESTINATION = 1;

const cache = new Map<string, RunResult>();

/** Runs preset `id` under `kernel` (memoized per test file); throws if it does not validate. */
export function runPreset(id: string, kernel: VariantId): RunResult {
  const key = `${id}@${kernel}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const preset = presetById(id);
  if (!preset) throw new Error(`no preset ${id}`);
  const r = runScenario(preset.scenario, { kernel });
  if (!r.ok) throw new Error(`${key}: ${r.issues.map((i) => `${i.path}: ${i.message}`).join("; ")}`);
  cache.set(key, r.run);
  return r.run;
}

/** All counters of mm `m` after event `e` (e = -1: the initial state). */
export function countersAfterEvent(run: RunResult, e: number, m: number): MmCounters {
  const out = {} as Record<CounterKey, number>;
  for (let c = 0; c < COUNTER_COUNT; c++) out[COUNTERS[c]!.key] = counterAt(run.trace, e, m, c);
  return out as MmCounters;
}

export function finalCounters(run: RunResult, m: number): MmCounters {
  return countersAfterEvent(run, run.trace.events - 1, m);
}

/** Index of the first scenario action whose label matches. */
export function actionIndex(run: RunResult, label: RegExp): number {
  const i = run.trace.actions.findIndex((a) => label.test(a.label));
  if (i < 0)
    throw new Error(`no action matching ${label}: ${run.trace.actions.map((a) => a.label).join(" | ")}`);
  return i;
}

/** Counters of mm `m` just before action `i` runs. */
export function beforeAction(run: RunResult, i: number, m: number): MmCounters {
  return countersAfterEvent(run, run.trace.actions[i]!.firstEvent - 1, m);
}

/** Counters of mm `m` once action `i` has run. */
export function afterAction(run: RunResult, i: number, m: number): MmCounters {
  return countersAfterEvent(run, run.trace.actions[i]!.endEvent - 1, m);
}

/** A hypervisor counter (query-migrate, balloon size, ...) after the last event. */
export function finalExtra(run: RunResult, key: ExtraKey): number {
  const t = run.trace;
  return extraAt(t, t.events - 1, t.extraKeys.indexOf(key));
}

/** How many guest pages the guest used, lent to the balloon, or left free, in [first, first+count). */
export interface GuestCounts {
  used: number;
  balloon: number;
  free: number;
}

export function guestCounts(run: RunResult, first = 0, count?: number): GuestCounts {
  const set = run.simulation.world.pageset(SOURCE, GUEST_SET);
  const out: GuestCounts = { used: 0, balloon: 0, free: 0 };
  set.forEachRun(first, count ?? set.pages - first, (value, _start, length) => {
    if (value === GUEST_USED) out.used += length;
    else if (value === GUEST_BALLOON) out.balloon += length;
    else if (value === GUEST_FREE) out.free += length;
  });
  return out;
}

/**
 * The guest's pages per aligned range of `rangePages` pages (a page table's reach: 256 on s390,
 * 512 on x86_64), classified by what the ranges hold. Guest RAM starts table-aligned in every
 * preset (mm.ts: baseVpn defaults to an upper-level boundary).
 */
export interface RangeCounts {
  /** Ranges holding at least one used page. */
  withUsed: number;
  /** Ranges holding no used page. */
  withoutUsed: number;
  /** Ranges holding used pages and no balloon page. */
  usedNoBalloon: number;
  /** Ranges holding at least one page in the balloon. */
  withBalloon: number;
  /** Balloon pages in ranges that also hold used pages. */
  balloonPagesBesideUsed: number;
  /** Pages that are not used in ranges that hold used pages. */
  unusedPagesBesideUsed: number;
}

export function rangeCounts(run: RunResult, rangePages: number): RangeCounts {
  const set = run.simulation.world.pageset(SOURCE, GUEST_SET);
  const out: RangeCounts = {
    withUsed: 0,
    withoutUsed: 0,
    usedNoBalloon: 0,
    withBalloon: 0,
    balloonPagesBesideUsed: 0,
    unusedPagesBesideUsed: 0,
  };
  for (let first = 0; first < set.pages; first += rangePages) {
    const n = Math.min(rangePages, set.pages - first);
    let used = 0;
    let balloon = 0;
    set.forEachRun(first, n, (value, _start, length) => {
      if (value === GUEST_USED) used += length;
      else if (value === GUEST_BALLOON) balloon += length;
    });
    if (used > 0) {
      out.withUsed++;
      if (balloon === 0) out.usedNoBalloon++;
      out.balloonPagesBesideUsed += balloon;
      out.unusedPagesBesideUsed += n - used;
    } else out.withoutUsed++;
    if (balloon > 0) out.withBalloon++;
  }
  return out;
}
