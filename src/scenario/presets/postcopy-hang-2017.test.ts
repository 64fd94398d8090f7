/**
 * Golden facts for `postcopy-hang-2017` (fa41ba0d's message): an 8 GiB guest with 3 GiB of
 * data switches to postcopy at once; the background stream places the first 6 GiB on the
 * destination (zero pages with UFFDIO_ZEROPAGE, marked received); then the guest executes its first
 * storage-key instruction and reads all its memory.
 *   A: zeropages are allowed until keys (forbids = uses_skeys), so UFFDIO_ZEROPAGE mapped them;
 *      the skey walk zaps them; the guest's read of the first such page raises a MISSING
 *      userfault; the page is received and no longer dirty on the source: QEMU 2.10 (2017) requests
 *      it, and the source drops the request (get_queued_page → unqueue_page), so it is never sent:
 *      the vCPU hangs. The guest reads in address order, so the page it hangs on is the first one
 *      the guest never wrote.
 *   B: forbids from KVM_CREATE_VM, but before 90a7592da149 UFFDIO_ZEROPAGE still maps the
 *      zeropage, and B's key enabling does not touch zeropages: no hang, and the destination
 *      keeps 5 GiB of zeropages in an mm that uses storage keys (the bug 90a7592da149 fixed).
 *   C: the keys unshare the placed zeropages (no zap, no missing fault); pages placed afterwards
 *      get real zeroed pages (90a7592da149): the destination ends with all 8 GiB as anon pages.
 */
import { expect, test } from "vitest";
import { GiB, PAGE_SIZE } from "../../base/units.ts";
import { FLAG_USES_SKEYS, flagsAt } from "../../engine/index.ts";
import { GUEST_FREE, GUEST_SET } from "../../hypervisor/guest.ts";
import type { RunResult } from "../compile.ts";
import {
  actionIndex,
  afterAction,
  beforeAction,
  DESTINATION,
  finalCounters,
  finalExtra,
  guestCounts,
  pages,
  runPreset,
  SOURCE,
} from "../test-support/golden.ts";

const ID = "postcopy-hang-2017";
const GUEST = pages(8 * GiB);
const DATA = pages(3 * GiB);

/** The lowest guest page the guest never wrote. */
function firstUnwritten(run: RunResult): number {
  let first = -1;
  const set = run.simulation.world.pageset(SOURCE, GUEST_SET);
  set.forEachRun(0, set.pages, (value, start) => {
    if (value === GUEST_FREE && first < 0) first = start;
  });
  return first;
}

/** Zero pages the background stream placed before the keys: unwritten pages in the first 6 GiB. */
function placedZeroPages(run: RunResult): number {
  return guestCounts(run, 0, pages(6 * GiB)).free;
}

test("s390-2faee8ff (A): the storage keys zap the placed zeropages and the vCPU hangs", () => {
  const run = runPreset(ID, "s390-2faee8ff");
  const skeys = actionIndex(run, /storage-key/);
  const before = beforeAction(run, skeys, DESTINATION);
  const after = afterAction(run, skeys, DESTINATION);
  expect(before.zeropagePtes).toBe(placedZeroPages(run));
  expect(after.zeropagePtes).toBe(0);
  expect(after.presentPages).toBe(before.presentPages - before.zeropagePtes);
  expect(after.rssAnonBytes).toBe(before.rssAnonBytes);

  expect(run.outcome).toBe("hung");
  expect(run.outcomeReason).toMatch(/zapped/);
  expect(run.outcomeReason).toMatch(/2faee8ff/);
  expect(run.outcomeReason).toMatch(new RegExp(`guest page ${firstUnwritten(run)}:`));
  expect(finalExtra(run, "hung")).toBe(1);
  // 2017's QEMU sends the request (counted in postcopy-requests); the source drops it.
  expect(run.outcomeReason).toMatch(/the source will not send it again/);
  expect(finalExtra(run, "migRequests")).toBeGreaterThan(0);
  // The hang ends the run: the migration never completes.
  expect(run.trace.actions.some((a) => /migration completes/.test(a.label))).toBe(false);
});

test("s390-fa41ba0d (B): no hang; 5 GiB of zeropages stay in a key-using mm", () => {
  const run = runPreset(ID, "s390-fa41ba0d");
  expect(run.outcome).toBe("completed");
  const dst = finalCounters(run, DESTINATION);
  expect(dst.rssAnonBytes).toBe(3 * GiB);
  expect(dst.zeropagePtes).toBe(GUEST - DATA);
  expect(flagsAt(run.trace, run.trace.events - 1, DESTINATION) & FLAG_USES_SKEYS).toBe(FLAG_USES_SKEYS);
  // The source read every page to send it, in a mm that forbids the zeropage.
  expect(finalCounters(run, SOURCE).rssAnonBytes).toBe(8 * GiB);
});

test("s390-06201e00 (C): no hang; unshared at the keys, real pages after", () => {
  const run = runPreset(ID, "s390-06201e00");
  expect(run.outcome).toBe("completed");
  const skeys = actionIndex(run, /storage-key/);
  const before = beforeAction(run, skeys, DESTINATION);
  const after = afterAction(run, skeys, DESTINATION);
  expect(before.zeropagePtes).toBe(placedZeroPages(run));
  expect(after.zeropagePtes).toBe(0);
  expect(after.rssAnonBytes - before.rssAnonBytes).toBe(placedZeroPages(run) * PAGE_SIZE);
  const dst = finalCounters(run, DESTINATION);
  expect(dst.rssAnonBytes).toBe(8 * GiB);
  expect(dst.zeropagePtes).toBe(0);
  // The source kept its zeropages: C allows them there (no keys on the source).
  const src = finalCounters(run, SOURCE);
  expect(src.rssAnonBytes).toBe(3 * GiB);
  expect(src.zeropagePtes).toBe(GUEST - DATA);
  // Pages the transfer had not reached were requested by the guest's read.
  expect(finalExtra(run, "migRequests")).toBeGreaterThan(0);
});

test("the old id postcopy-hang-2018 still opens this preset (PRESET_ALIASES)", () => {
  expect(runPreset("postcopy-hang-2018", "s390-2faee8ff").scenario).toEqual(
    runPreset(ID, "s390-2faee8ff").scenario,
  );
});
