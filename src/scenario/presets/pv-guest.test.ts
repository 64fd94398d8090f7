/**
 * Golden facts for `pv-guest`: an 8 GiB guest writes
 * 4 GiB, reads [6 GiB, 8 GiB) (the pages of it it never wrote are never-touched memory), then
 * turns protected.
 *   C: the reads map zeropages; KVM_PV_ENABLE → s390_disable_cow_sharing() unshares each one:
 *      RSS grows by exactly the number of zeropages, none remain.
 *   B: the reads allocate at once (forbidden since KVM_CREATE_VM); PV changes no PTE.
 * Then QEMU: s390_machine_protect() disabled discards, so virtio_balloon_inhibited() skips
 * balloon_inflate_page(): the guest driver still fills the balloon with 1 GiB (it has 4 GiB free,
 * and takes free pages first), but no page is discarded, so no host counter moves. Its migration
 * blocker then refuses the migration: outcome "failed", no destination.
 */
import { describe, expect, test } from "vitest";
import { GiB, PAGE_SIZE } from "../../base/units.ts";
import { EVENT_KINDS, FLAG_ALLOW_COW_SHARING, FLAG_PV, flagsAt, type VariantId } from "../../engine/index.ts";
import {
  actionIndex,
  afterAction,
  beforeAction,
  DESTINATION,
  finalExtra,
  guestCounts,
  pages,
  runPreset,
  SOURCE,
} from "../test-support/golden.ts";

const ID = "pv-guest";

/**
 * Pages of [6 GiB, 8 GiB) the guest never wrote: the read maps or allocates each. At the end some
 * of them are in the balloon (it takes free pages after PV), so count free and ballooned ones.
 */
function unwrittenInReadRegion(kernel: VariantId): number {
  const c = guestCounts(runPreset(ID, kernel), pages(6 * GiB), pages(2 * GiB));
  return c.free + c.balloon;
}

test("s390-06201e00 (C): zeropages from the read, all unshared by KVM_PV_ENABLE", () => {
  const run = runPreset(ID, "s390-06201e00");
  const zeros = unwrittenInReadRegion("s390-06201e00");
  expect(zeros).toBeGreaterThan(0);
  const read = afterAction(run, actionIndex(run, /guest reads/), SOURCE);
  expect(read.rssAnonBytes).toBe(4 * GiB);
  expect(read.zeropagePtes).toBe(zeros);
  const pv = actionIndex(run, /protected/);
  const after = afterAction(run, pv, SOURCE);
  expect(after.zeropagePtes).toBe(0);
  expect(after.rssAnonBytes).toBe(4 * GiB + zeros * PAGE_SIZE);
  const flags = flagsAt(run.trace, run.trace.actions[pv]!.endEvent - 1, SOURCE);
  expect(flags & FLAG_PV).toBe(FLAG_PV);
  expect(flags & FLAG_ALLOW_COW_SHARING).toBe(0);
});

test("s390-fa41ba0d (B): the read allocates at once, PV changes no PTE", () => {
  const run = runPreset(ID, "s390-fa41ba0d");
  const zeros = unwrittenInReadRegion("s390-fa41ba0d");
  const read = afterAction(run, actionIndex(run, /guest reads/), SOURCE);
  expect(read.zeropagePtes).toBe(0);
  expect(read.rssAnonBytes).toBe(4 * GiB + zeros * PAGE_SIZE);
  expect(afterAction(run, actionIndex(run, /protected/), SOURCE)).toEqual(read);
});

describe.each<VariantId>(["s390-06201e00", "s390-fa41ba0d"])("%s: QEMU after PV", (kernel) => {
  test("the balloon is inhibited: the guest fills it, QEMU discards nothing", () => {
    const run = runPreset(ID, kernel);
    const inflate = actionIndex(run, /balloon inflates/);
    expect(run.trace.actions[inflate]!.note).toMatch(
      /^the guest gave the balloon 262144 pages, but QEMU discarded none of them: virtio_balloon_inhibited\(\)/,
    );
    // No madvise in the action, and the host's counters do not move.
    const { firstEvent, endEvent } = run.trace.actions[inflate]!;
    for (let e = firstEvent; e < endEvent; e++)
      expect(run.trace.kind[e]).not.toBe(EVENT_KINDS.indexOf("madvise"));
    expect(afterAction(run, inflate, SOURCE)).toEqual(beforeAction(run, inflate, SOURCE));
    // 1 GiB = 262,144 pages went into the balloon, all of them free pages in the guest.
    expect(finalExtra(run, "balloonPages")).toBe(pages(1 * GiB));
    expect(guestCounts(run)).toMatchObject({ balloon: pages(1 * GiB), used: pages(4 * GiB) });
  });

  test("the migration is refused: outcome failed, the destination never acts", () => {
    const run = runPreset(ID, kernel);
    expect(run.outcome).toBe("failed");
    expect(run.outcomeReason).toMatch(/not migratable/);
    expect(Array.from(run.trace.mm).includes(DESTINATION)).toBe(false);
  });
});
