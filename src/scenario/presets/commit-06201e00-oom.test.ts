/**
 * Golden facts for `commit-06201e00-oom`: the commit's story on a source host that can give QEMU
 * 96 GiB (06201e00's message: the migration "might easily (unexpectedly) crash the VM on the
 * migration source"). The guest wrote 60 GiB spread over its 100 GiB; the balloon holds the
 * other 40 GiB, which were never touched (no RSS, no page tables there).
 *
 * B (fa41ba0d): the source reads every page in address order; each read of a ballooned page
 * allocates 4 KiB (event 14), after allocating the page's 4 KiB PTE table (and 16 KiB segment
 * table) if its 1 MiB (2 GiB) range had none: do_anonymous_page() allocates the table first
 *. The OOM killer ends QEMU at the first page whose allocation does not fit in 96 GiB.
 * Which page that is depends on where the guest's extents lie, so the test walks the guest's
 * page set with those rules and finds it, then checks the run names the same page.
 *
 * C (06201e00): the reads map zeropages; the source needs 60 GiB + 400.78 MiB of tables.
 */
import { expect, test } from "vitest";
import { GiB, KiB, MiB, PAGE_SIZE } from "../../base/units.ts";
import { noneRuns } from "../../engine/index.ts";
import { GUEST_SET, GUEST_USED } from "../../hypervisor/guest.ts";
import type { RunResult } from "../compile.ts";
import {
  actionIndex,
  beforeAction,
  finalCounters,
  pages,
  runPreset,
  SOURCE,
} from "../test-support/golden.ts";

const ID = "commit-06201e00-oom";
const LIMIT = 96 * GiB;
const TABLE = 4 * KiB; // s390 PTE table with PGSTEs: 256 pages, 1 MiB
const SEGMENT = 16 * KiB; // s390 segment table: 2048 PTE tables, 2 GiB
const RANGE = 256;
const RANGES_PER_SEGMENT = 2048;

interface Walk {
  /** Host memory of the source before the migration. */
  before: number;
  /** The page whose read does not fit. */
  failsAt: number;
}

function walkSourceReads(run: RunResult): Walk {
  const set = run.simulation.world.pageset(SOURCE, GUEST_SET);
  const ranges = set.pages / RANGE;
  const used = new Float64Array(ranges);
  for (let r = 0; r < ranges; r++) {
    set.forEachRun(r * RANGE, RANGE, (value, _s, length) => {
      if (value === GUEST_USED) used[r]! += length;
    });
  }
  const segments = Math.ceil(ranges / RANGES_PER_SEGMENT);
  const segmentPresent = new Uint8Array(segments);
  let mem = 0;
  for (let r = 0; r < ranges; r++) {
    if (used[r]! === 0) continue;
    mem += used[r]! * PAGE_SIZE + TABLE;
    segmentPresent[Math.floor(r / RANGES_PER_SEGMENT)] = 1;
  }
  mem += segmentPresent.reduce((a, b) => a + b, 0) * SEGMENT;
  const before = mem;
  for (let r = 0; r < ranges; r++) {
    const missing = RANGE - used[r]!;
    if (missing === 0) continue;
    let tableCost = 0;
    if (used[r]! === 0) tableCost += TABLE;
    const seg = Math.floor(r / RANGES_PER_SEGMENT);
    if (!segmentPresent[seg]) tableCost += SEGMENT;
    // The k-th page of this range the guest never wrote (k counted from 0).
    const unwritten = (k: number): number => {
      let found = -1;
      let left = k;
      set.forEachRun(r * RANGE, RANGE, (value, start, length) => {
        if (found >= 0 || value === GUEST_USED) return;
        if (left < length) found = start + left;
        else left -= length;
      });
      return found;
    };
    if (mem + tableCost > LIMIT) return { before, failsAt: unwritten(0) };
    mem += tableCost;
    segmentPresent[seg] = 1;
    const fit = Math.floor((LIMIT - mem) / PAGE_SIZE);
    if (fit < missing) return { before, failsAt: unwritten(fit) };
    mem += missing * PAGE_SIZE;
  }
  return { before, failsAt: -1 };
}

test("s390-fa41ba0d (B): the source is OOM-killed at the first page that does not fit", () => {
  const run = runPreset(ID, "s390-fa41ba0d");
  const walk = walkSourceReads(run);
  expect(walk.failsAt).toBeGreaterThan(0);
  const migrate = actionIndex(run, /migration/);
  expect(beforeAction(run, migrate, SOURCE).hostMemBytes).toBe(walk.before);
  expect(beforeAction(run, migrate, SOURCE).rssAnonBytes).toBe(60 * GiB);

  expect(run.outcome).toBe("failed");
  expect(run.outcomeReason).toMatch(/OOM killer/);
  expect(run.outcomeReason).toMatch(new RegExp(`guest page ${walk.failsAt} `));
  // Every page before it was read (and allocated), the failing one was not.
  const src = run.simulation.world.mms[SOURCE]!;
  expect(noneRuns(src, [0, walk.failsAt])).toEqual([]);
  expect(noneRuns(src, [walk.failsAt, 1])).toEqual([walk.failsAt, 1]);
  const c = finalCounters(run, SOURCE);
  expect(c.hostMemBytes).toBeLessThanOrEqual(LIMIT);
  expect(c.hostMemBytes + PAGE_SIZE + TABLE + SEGMENT).toBeGreaterThan(LIMIT);
});

test("s390-06201e00 (C): the migration completes well inside 96 GiB", () => {
  const run = runPreset(ID, "s390-06201e00");
  expect(run.outcome).toBe("completed");
  const c = finalCounters(run, SOURCE);
  expect(c.rssAnonBytes).toBe(60 * GiB);
  expect(c.zeropagePtes).toBe(pages(40 * GiB));
  expect(c.hostMemBytes).toBe(60 * GiB + 400 * MiB + 800 * KiB);
});
