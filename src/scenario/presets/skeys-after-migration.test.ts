/**
 * Golden numbers for `skeys-after-migration`: after the commit's
 * precopy migration the guest, now on the destination, executes its first storage-key
 * instruction.
 *   C: s390_enable_skey() → __s390_disable_cow_sharing(): every zeropage PTE is unshared into a
 *      fresh anon page: RssAnon jumps by the ballooned 40 GiB (10,485,760 pages) at that action.
 *   B: the 40 GiB were allocated by the migration already; enabling keys changes no PTE.
 *   A: the skey walk zaps zeropage PTEs instead: they become none (no RSS), the page tables stay.
 *      No userfaultfd is registered in precopy, so nothing hangs.
 */
import { expect, test } from "vitest";
import { GiB } from "../../base/units.ts";
import { FLAG_ALLOW_COW_SHARING, FLAG_USES_SKEYS, flagsAt } from "../../engine/index.ts";
import {
  actionIndex,
  afterAction,
  beforeAction,
  DESTINATION,
  finalCounters,
  pages,
  runPreset,
  SOURCE,
} from "../test-support/golden.ts";

const ID = "skeys-after-migration";
const BALLOON = pages(40 * GiB);
const USED = pages(60 * GiB);
const TABLES = (100 * GiB) / (1024 * 1024);

test("s390-06201e00 (C): destination RssAnon jumps by 40 GiB at the storage-key action", () => {
  const run = runPreset(ID, "s390-06201e00");
  const skeys = actionIndex(run, /storage-key/);
  const before = beforeAction(run, skeys, DESTINATION);
  const after = afterAction(run, skeys, DESTINATION);
  expect(before.rssAnonBytes).toBe(60 * GiB);
  expect(before.zeropagePtes).toBe(BALLOON);
  expect(after.rssAnonBytes - before.rssAnonBytes).toBe(40 * GiB);
  expect(after.zeropagePtes).toBe(0);
  expect(after.pteTables).toBe(before.pteTables);
  const flags = flagsAt(run.trace, run.trace.actions[skeys]!.endEvent - 1, DESTINATION);
  expect(flags & FLAG_USES_SKEYS).toBe(FLAG_USES_SKEYS);
  expect(flags & FLAG_ALLOW_COW_SHARING).toBe(0);
  // The source no longer runs the guest: its 60 GiB and zeropages are untouched.
  expect(finalCounters(run, SOURCE).rssAnonBytes).toBe(60 * GiB);
  expect(finalCounters(run, SOURCE).zeropagePtes).toBe(BALLOON);
  expect(run.outcome).toBe("completed");
});

test("s390-fa41ba0d (B): 100 GiB before and after the storage-key action", () => {
  const run = runPreset(ID, "s390-fa41ba0d");
  const skeys = actionIndex(run, /storage-key/);
  expect(beforeAction(run, skeys, DESTINATION).rssAnonBytes).toBe(100 * GiB);
  expect(afterAction(run, skeys, DESTINATION)).toEqual(beforeAction(run, skeys, DESTINATION));
  expect(finalCounters(run, SOURCE).rssAnonBytes).toBe(100 * GiB);
});

test("s390-2faee8ff (A): the zeropages are zapped, RSS stays at 60 GiB, the tables stay", () => {
  const run = runPreset(ID, "s390-2faee8ff");
  const skeys = actionIndex(run, /storage-key/);
  const before = beforeAction(run, skeys, DESTINATION);
  const after = afterAction(run, skeys, DESTINATION);
  expect(before.zeropagePtes).toBe(BALLOON);
  expect(after.zeropagePtes).toBe(0);
  expect(after.presentPages).toBe(USED);
  expect(after.rssAnonBytes).toBe(60 * GiB);
  expect(after.pteTables).toBe(TABLES);
  expect(run.outcome).toBe("completed");
});
