/**
 * virtio-balloon (balloon.ts): inflating takes free guest pages first, then pages the guest
 * used, and QEMU discards each with its own 4 KiB madvise(MADV_DONTNEED) call; deflating only
 * gives pages back. While virtio_balloon_inhibited() (a PV guest, whose discards are disabled, or
 * an incoming postcopy) the guest still fills and empties the balloon; only QEMU's madvise is
 * skipped.
 */
import { describe, expect, test } from "vitest";
import { pagesIn } from "../base/runs.ts";
import { balloonDeflate, balloonInflate } from "./balloon.ts";
import { GUEST_BALLOON, GUEST_FREE, GUEST_SET, GUEST_USED, guestRegion, guestTouch } from "./guest.ts";
import { guestPv } from "./kvm.ts";
import { DESTINATION, SOURCE } from "./machine.ts";
import { complete, startMigration, switchover } from "./migration/migrate.ts";
import { counters, eventsOf, MiB_PAGES, pagesWith, testMachine } from "./test-support/machine.ts";

describe("inflate", () => {
  test("one MADV_DONTNEED per 4 KiB page (callPages 1) over exactly the pages the balloon took", () => {
    const m = testMachine({ kernel: "s390-06201e00" });
    guestTouch(m, 8 * MiB_PAGES, "data");
    balloonInflate(m, 4 * MiB_PAGES);
    const [discard, ...more] = eventsOf(m, "madvise").filter((e) => e.advice === "dontneed");
    expect(more).toEqual([]);
    expect(discard).toMatchObject({ mm: SOURCE, advice: "dontneed", callPages: 1 });
    expect(pagesIn(discard!.ranges)).toBe(4 * MiB_PAGES);
    expect(pagesWith(m, SOURCE, GUEST_SET, GUEST_BALLOON)).toBe(4 * MiB_PAGES);
    expect(m.extra("balloonPages")).toBe(4 * MiB_PAGES);
  });

  test("free pages first: RSS is unchanged while the guest has enough free memory", () => {
    const m = testMachine({ kernel: "s390-fa41ba0d" });
    guestTouch(m, 32 * MiB_PAGES, "data");
    balloonInflate(m, 16 * MiB_PAGES);
    expect(counters(m, SOURCE).rssAnonBytes).toBe(32 * 2 ** 20);
    expect(pagesWith(m, SOURCE, GUEST_SET, GUEST_USED)).toBe(32 * MiB_PAGES);
  });

  test("then used pages: the guest reclaims them and RSS drops by what it gave", () => {
    const m = testMachine({ kernel: "s390-fa41ba0d" });
    guestTouch(m, 56 * MiB_PAGES, "data");
    balloonInflate(m, 16 * MiB_PAGES);
    // 8 MiB of free pages, then 8 MiB of used ones: 56 - 8 = 48 MiB remain.
    expect(pagesWith(m, SOURCE, GUEST_SET, GUEST_FREE)).toBe(0);
    expect(counters(m, SOURCE).rssAnonBytes).toBe(48 * 2 ** 20);
  });

  test("4 KiB calls never free a page table, even with x86_64's PT reclaim", () => {
    const m = testMachine({ kernel: "x86_64", kernelVersion: "6.18" });
    guestRegion(m, "write", 0, m.pages, "data");
    balloonInflate(m, 48 * MiB_PAGES);
    // 48 MiB of 64 taken as extents: some 2 MiB ranges are empty now, yet every table stays.
    expect(counters(m, SOURCE).pteTables).toBe(32);
    // One call over everything does free them (zap of whole PMD ranges).
    m.apply({ kind: "madvise", mm: SOURCE, advice: "dontneed", ranges: [0, m.pages] }, "test");
    expect(counters(m, SOURCE).pteTables).toBe(0);
  });
});

test("deflate gives pages back to the guest without touching memory", () => {
  const m = testMachine({ kernel: "s390-06201e00" });
  guestTouch(m, 16 * MiB_PAGES, "data");
  balloonInflate(m, 16 * MiB_PAGES);
  const before = counters(m, SOURCE);
  const madvises = eventsOf(m, "madvise").length;
  balloonDeflate(m, 4 * MiB_PAGES);
  expect(m.extra("balloonPages")).toBe(12 * MiB_PAGES);
  expect(pagesWith(m, SOURCE, GUEST_SET, GUEST_BALLOON)).toBe(12 * MiB_PAGES);
  expect(eventsOf(m, "madvise")).toHaveLength(madvises);
  expect(counters(m, SOURCE)).toEqual(before);
});

describe("inhibited (virtio_balloon_inhibited): the guest side happens, QEMU skips only its madvise", () => {
  test("for a PV guest: the guest fills the balloon, nothing is discarded on the host", () => {
    const m = testMachine({ kernel: "s390-06201e00" });
    guestTouch(m, 16 * MiB_PAGES, "data");
    guestPv(m);
    const madvises = eventsOf(m, "madvise").length;
    const before = counters(m, SOURCE);
    balloonInflate(m, 4 * MiB_PAGES);
    // virtio_balloon_handle_output consumed the PFNs: the pages are in the balloon and counted...
    expect(pagesWith(m, SOURCE, GUEST_SET, GUEST_BALLOON)).toBe(4 * MiB_PAGES);
    expect(m.extra("balloonPages")).toBe(4 * MiB_PAGES);
    // ...the trace carries that count (the last event recorded it)...
    expect(m.sim.events.at(-1)).toMatchObject({ kind: "note", label: "balloon inflated, nothing discarded" });
    // ...but ram_block_discard_range was never called: no madvise, the host maps the same memory.
    expect(eventsOf(m, "madvise")).toHaveLength(madvises);
    expect(counters(m, SOURCE)).toEqual(before);
    expect(m.sim.finish().actions.at(-1)!.note).toMatch(
      /^the guest gave the balloon 1024 pages, but QEMU discarded none of them: .*discards are disabled for a protected \(PV\) guest/,
    );
  });

  test("for a PV guest: deflating gives the pages back to the guest, without the WILLNEED hint", () => {
    const m = testMachine({ kernel: "s390-06201e00" });
    guestTouch(m, 16 * MiB_PAGES, "data");
    guestPv(m);
    balloonInflate(m, 4 * MiB_PAGES);
    balloonDeflate(m, 1 * MiB_PAGES);
    expect(m.extra("balloonPages")).toBe(3 * MiB_PAGES);
    expect(pagesWith(m, SOURCE, GUEST_SET, GUEST_BALLOON)).toBe(3 * MiB_PAGES);
    expect(m.sim.finish().actions.at(-1)!.note).toMatch(
      /^the guest took 256 pages back from the balloon; QEMU skipped its hint/,
    );
  });

  test("during an incoming postcopy, and not after it", () => {
    const m = testMachine({ kernel: "s390-06201e00" });
    guestTouch(m, 16 * MiB_PAGES, "data");
    startMigration(m, "postcopy", false);
    switchover(m);
    expect(m.guestOn).toBe(DESTINATION);
    const madvises = eventsOf(m, "madvise").length;
    balloonInflate(m, 4 * MiB_PAGES);
    expect(eventsOf(m, "madvise")).toHaveLength(madvises);
    expect(m.extra("balloonPages")).toBe(4 * MiB_PAGES);
    expect(m.sim.finish().actions.at(-1)!.note).toMatch(/an incoming postcopy is in progress/);
    complete(m);
    balloonInflate(m, 4 * MiB_PAGES);
    expect(m.extra("balloonPages")).toBe(8 * MiB_PAGES);
    const discard = eventsOf(m, "madvise", DESTINATION).at(-1)!;
    expect(discard).toMatchObject({ advice: "dontneed", callPages: 1 });
    // Only the second inflation's pages are discarded.
    expect(pagesIn(discard.ranges)).toBe(4 * MiB_PAGES);
  });
});
