/**
 * Postcopy (postcopy.ts, migrate.ts) on a 64 MiB guest that wrote
 * its first 16 MiB (4,096 pages of data, 12,288 zero pages).
 */
import { describe, expect, test } from "vitest";
import { pagesIn } from "../../base/runs.ts";
import { MiB } from "../../base/units.ts";
import type { VariantId } from "../../engine/index.ts";
import { guestRegion } from "../guest.ts";
import { guestSkeys } from "../kvm.ts";
import { DESTINATION, type Machine, SOURCE } from "../machine.ts";
import { counters, eventsOf, MiB_PAGES, testMachine } from "../test-support/machine.ts";
import { complete, migrate, startMigration, switchover, transfer } from "./migrate.ts";
import { RECEIVED_SET } from "./state.ts";

const DATA = 16 * MiB_PAGES;
const ZERO = 48 * MiB_PAGES;

function postcopy(
  kernel: VariantId,
  precopyBeforeSwitchPages = 0,
  limit = Number.POSITIVE_INFINITY,
): Machine {
  const m = testMachine({ kernel, destinationLimitBytes: limit, qemu: { postcopyRam: true } });
  guestRegion(m, "write", 0, DATA, "data");
  migrate(m, { mode: "postcopy", dirtyPages: 0, pagemapCheck: false, precopyBeforeSwitchPages });
  return m;
}

describe("placing pages: UFFDIO_ZEROPAGE for zero pages, UFFDIO_COPY for data", () => {
  test.each<[VariantId, number, number]>([
    // 90a7592da149 missing: the shared zeropage although the mm forbids it.
    ["s390-fa41ba0d", 16 * MiB, ZERO],
    // With it: a zeroed page where forbidden.
    ["s390-fa41ba0d-90a7592d", 64 * MiB, 0],
    // Allowed: the zeropage.
    ["s390-06201e00", 16 * MiB, ZERO],
    ["s390-2faee8ff", 16 * MiB, ZERO],
  ])("%s: destination RSS %i, %i zeropage PTEs", (kernel, rss, zeropages) => {
    const m = postcopy(kernel);
    expect(m.outcome).toBe("completed");
    expect(m.extra("migUffdZeropage")).toBe(ZERO);
    expect(m.extra("migUffdCopy")).toBe(DATA);
    expect(pagesIn(eventsOf(m, "uffd_zeropage").flatMap((e) => [e.first, e.count]))).toBe(ZERO);
    expect(pagesIn(eventsOf(m, "uffd_copy").flatMap((e) => [e.first, e.count]))).toBe(DATA);
    const dst = counters(m, DESTINATION);
    expect(dst.rssAnonBytes).toBe(rss);
    expect(dst.zeropagePtes).toBe(zeropages);
  });

  test("pages sent before the switch are loaded as in precopy; only the rest are placed", () => {
    const m = postcopy("s390-06201e00", 32 * MiB_PAGES);
    expect(m.extra("migUffdCopy")).toBe(0);
    expect(m.extra("migUffdZeropage")).toBe(32 * MiB_PAGES);
    expect(m.extra("migDuplicate") + m.extra("migNormal")).toBe(m.pages);
  });

  test("the destination discards all RAM at incoming init, registers MISSING, unregisters at the end", () => {
    const m = postcopy("s390-06201e00");
    const dst = eventsOf(m, "madvise", DESTINATION).map((e) => e.advice);
    expect(dst.slice(0, 3)).toEqual(["mergeable", "dontneed", "nohugepage"]);
    expect(eventsOf(m, "uffd_register", DESTINATION)).toHaveLength(1);
    expect(eventsOf(m, "uffd_unregister", DESTINATION)).toHaveLength(1);
  });
});

test("x86_64: MADV_NOHUGEPAGE comes at the switch to postcopy, so pages precopy wrote keep their THPs", () => {
  // One page of data in each 2 MiB of a 64 MiB guest: 32 data pages. Precopy sends the first
  // 32 MiB (16 data pages) before the switch; the destination's write faults there land in a
  // THP-eligible VMA (QEMU_MADV_HUGEPAGE), so each allocates a 2 MiB huge page:
  // 16 × 2 MiB = 32 MiB. postcopy_ram_prepare_discard → nhp_range then turns THP off, and the
  // other 16 pages arrive by UFFDIO_COPY as 4 KiB pages: 16 × 4 KiB = 64 KiB.
  const m = testMachine({ kernel: "x86_64", thp: "madvise", qemu: { postcopyRam: true } });
  for (let p = 0; p < m.pages; p += 512) guestRegion(m, "write", p, 1, "data");
  migrate(m, {
    mode: "postcopy",
    dirtyPages: 0,
    pagemapCheck: false,
    precopyBeforeSwitchPages: 32 * MiB_PAGES,
  });
  expect(m.outcome).toBe("completed");
  const dst = counters(m, DESTINATION);
  expect(dst.thpPmds).toBe(16);
  expect(dst.rssAnonBytes).toBe(16 * 2 * MiB + 16 * 4096);
  // The switch, not the start, is where THP goes off: after precopy's writes on the destination.
  const events = m.sim.events;
  const nhp = events.findIndex(
    (e) => e.kind === "madvise" && e.mm === DESTINATION && e.advice === "nohugepage",
  );
  const firstWrite = events.findIndex(
    (e) => e.kind === "fault" && e.mm === DESTINATION && e.access === "write",
  );
  expect(firstWrite).toBeGreaterThanOrEqual(0);
  expect(nhp).toBeGreaterThan(firstWrite);
});

test("the discard bitmap: pages dirtied after being sent are discarded and placed again", () => {
  const m = testMachine({ kernel: "s390-06201e00", qemu: { postcopyRam: true } });
  guestRegion(m, "write", 0, DATA, "data");
  startMigration(m, "postcopy", false);
  transfer(m, 32 * MiB_PAGES);
  guestRegion(m, "write", 0, 4 * MiB_PAGES, "data"); // logged dirty
  switchover(m);
  const discards = eventsOf(m, "madvise", DESTINATION).filter((e) => e.advice === "dontneed");
  expect(discards.at(-1)!.ranges).toEqual([0, 4 * MiB_PAGES]);
  complete(m);
  expect(m.extra("migUffdCopy")).toBe(4 * MiB_PAGES);
  expect(counters(m, DESTINATION).rssAnonBytes).toBe(16 * MiB);
});

test("a guest fault on a page not sent yet is requested and placed", () => {
  const m = testMachine({ kernel: "s390-06201e00", qemu: { postcopyRam: true } });
  guestRegion(m, "write", 0, DATA, "data");
  startMigration(m, "postcopy", false);
  switchover(m);
  const before = m.sim.world.pageset(DESTINATION, RECEIVED_SET).get(48 * MiB_PAGES);
  guestRegion(m, "read", 48 * MiB_PAGES, MiB_PAGES, "zero");
  expect(before).toBe(0);
  expect(m.extra("migRequests")).toBeGreaterThan(0);
  expect(m.sim.world.pageset(DESTINATION, RECEIVED_SET).get(48 * MiB_PAGES)).toBe(1);
  expect(m.outcome).toBe("completed");
});

describe("storage keys during postcopy, after zero pages were placed", () => {
  function keysAfterPlacing(kernel: VariantId, version = "9.2"): Machine {
    const m = testMachine({ kernel, qemu: { version, postcopyRam: true } });
    guestRegion(m, "write", 0, DATA, "data");
    startMigration(m, "postcopy", false);
    switchover(m);
    transfer(m, 32 * MiB_PAGES); // places [0, 32 MiB): zero pages from 16 MiB on
    guestSkeys(m);
    guestRegion(m, "read", 0, m.pages, "zero");
    return m;
  }

  test("2faee8ff (A) with 2017's QEMU: the zap makes a received page missing; the request goes unanswered", () => {
    const m = keysAfterPlacing("s390-2faee8ff", "2.10");
    expect(m.outcome).toBe("hung");
    // The guest reads in address order: pages 0..4095 hold data (present), 4,096 was a zeropage.
    expect(m.outcomeReason).toMatch(/^a vCPU waits forever on guest page 4096: /);
    expect(m.outcomeReason).toMatch(/the source will not send it again/);
    expect(m.outcomeReason).toMatch(/zapped the zeropage QEMU had placed there/);
    // QEMU before 5.2 sends the request; the source drops it (no longer dirty). It is counted.
    expect(m.extra("migRequests")).toBe(1);
  });

  test("2faee8ff (A) with QEMU >= 5.2: no request is even sent for a page marked received (8f8bfffcf1b4)", () => {
    const m = keysAfterPlacing("s390-2faee8ff", "9.2");
    expect(m.outcome).toBe("hung");
    expect(m.outcomeReason).toMatch(/QEMU 9\.2 marks that page received and does not even request it again/);
    expect(m.extra("migRequests")).toBe(0);
  });

  test("06201e00 (C): unshared instead, no hang", () => {
    const m = keysAfterPlacing("s390-06201e00");
    expect(m.outcome).toBe("completed");
    complete(m);
    expect(counters(m, DESTINATION).rssAnonBytes).toBe(64 * MiB);
    expect(counters(m, SOURCE).rssAnonBytes).toBe(16 * MiB);
  });
});

describe("multifd zero pages sent before the switch to postcopy (5ef7e26bdb, 249543d0c02d)", () => {
  /** 32 MiB go by precopy with multifd (data, then zero pages from 16 MiB), then the guest reads. */
  function multifdThenPostcopy(version: string): Machine {
    const m = testMachine({ kernel: "s390-06201e00", qemu: { version, multifd: true, postcopyRam: true } });
    guestRegion(m, "write", 0, DATA, "data");
    startMigration(m, "postcopy", false);
    transfer(m, 32 * MiB_PAGES);
    switchover(m);
    guestRegion(m, "read", DATA, MiB_PAGES, "zero");
    return m;
  }

  test("QEMU 10.0's receiver only marked them received: the vCPU hangs, and the reason says so", () => {
    // A Machine built directly: scenarios reject multifd with postcopy-ram before 10.1.
    const m = multifdThenPostcopy("10.0");
    expect(m.outcome).toBe("hung");
    expect(m.outcomeReason).toBe(
      "a vCPU waits forever on guest page 4096: it raised a MISSING userfault, but QEMU 10.0 marks that page received and does not even request it again; it was a zero page that the multifd receiver of QEMU 10.0 only marked received (multifd_recv_zero_page_process → ramblock_recv_bitmap_set_offset) and never placed, so its PTE was never populated. QEMU refuses multifd with postcopy-ram before 10.1, and 10.1 brings 249543d0c02d, which writes such zero pages whenever postcopy-ram is on.",
    );
    expect(m.outcomeReason).not.toMatch(/placed before|fa41ba0d/);
    expect(m.extra("migRequests")).toBe(0);
  });

  test("QEMU 10.1 writes them (memset): the read finds them present, no request, no hang", () => {
    const m = multifdThenPostcopy("10.1");
    expect(m.outcome).toBe("completed");
    expect(m.extra("migRequests")).toBe(0);
    complete(m);
    expect(m.outcome).toBe("completed");
  });
});

test("the destination runs out of memory placing zero pages (B'): the exact page is named", () => {
  // 20 MiB on the destination. Data first: 16 chunks of 256 pages, each a 4 KiB table and 1 MiB,
  // plus a 16 KiB segment table = 16 MiB + 80 KiB. Then zero pages, each a real page under B':
  // 4,016 KiB left = 3 × 1,028 KiB + 932 KiB; the 4th chunk's table leaves 928 KiB = 232 pages.
  // So page 4,096 + 3 × 256 + 232 = 5,096 is the first that cannot be placed.
  const m = postcopy("s390-fa41ba0d-90a7592d", 0, 20 * MiB);
  expect(m.outcome).toBe("failed");
  expect(m.outcomeReason).toMatch(
    /^QEMU on the destination could not place guest page 5096: UFFDIO_ZEROPAGE /,
  );
  expect(counters(m, DESTINATION).hostMemBytes).toBe(20 * MiB);
});
