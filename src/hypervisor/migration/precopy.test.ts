/**
 * Precopy (precopy.ts, transfer.ts) on a 64 MiB guest that wrote
 * its first 16 MiB (4,096 pages): 12,288 pages were never touched and are zero.
 *
 * Under B (fa41ba0d) every read of a never-touched page allocates, so what each QEMU does with a
 * zero page shows directly in the destination's RSS; under C a read maps the zeropage instead.
 */
import { describe, expect, test } from "vitest";
import { MiB } from "../../base/units.ts";
import type { VariantId } from "../../engine/index.ts";
import { guestRegion } from "../guest.ts";
import { DESTINATION, type Machine, type QemuConfig, SOURCE } from "../machine.ts";
import { causesOf, counters, eventsOf, MiB_PAGES, pagesWith, testMachine } from "../test-support/machine.ts";
import { migrate, startMigration, switchover } from "./migrate.ts";
import { DIRTY_SET } from "./state.ts";
import { NORMAL_RECORD_BYTES, ZERO_RECORD_BYTES } from "./stats.ts";
import { sendPages } from "./transfer.ts";

const DATA = 16 * MiB_PAGES; // 4,096
const ZERO = 48 * MiB_PAGES; // 12,288

function migrated(kernel: VariantId, qemu: Partial<QemuConfig> = {}, pagemapCheck = false): Machine {
  const m = testMachine({ kernel, qemu });
  guestRegion(m, "write", 0, DATA, "data");
  migrate(m, { mode: "precopy", dirtyPages: 0, pagemapCheck, precopyBeforeSwitchPages: 0 });
  expect(m.outcome).toBe("completed");
  return m;
}

describe("the destination's zero pages, per QEMU version, multifd and zero-page-detection (B)", () => {
  test.each<[string, Partial<QemuConfig>]>([
    ["no multifd: ram_handle_zero reads", {}],
    ["multifd, detection legacy: ram_handle_zero reads", { multifd: true, zeroPageDetection: "legacy" }],
    ["QEMU 9.0 multifd: the receiver reads", { version: "9.0", multifd: true }],
    [
      "QEMU 8.2 multifd: legacy detection, reads",
      { version: "8.2", multifd: true, zeroPageDetection: "legacy" },
    ],
  ])("%s: +48 MiB", (_name, qemu) => {
    const m = migrated("s390-fa41ba0d", qemu);
    expect(counters(m, DESTINATION).rssAnonBytes).toBe(64 * MiB);
  });

  test("QEMU ≥ 9.1 multifd with detection multifd: unreceived zero pages are not touched", () => {
    const m = migrated("s390-fa41ba0d", { version: "9.1", multifd: true });
    const dst = counters(m, DESTINATION);
    expect(dst.rssAnonBytes).toBe(16 * MiB);
    expect(dst.presentPages).toBe(DATA);
    expect(dst.pteTables).toBe(16);
    expect(pagesWith(m, DESTINATION, "mig.untouched-zero", 1)).toBe(ZERO);
  });

  test("QEMU ≥ 9.1 multifd: a zero page received before is written (memset)", () => {
    const m = testMachine({ kernel: "s390-fa41ba0d", qemu: { version: "9.1", multifd: true } });
    guestRegion(m, "write", 0, DATA, "data");
    startMigration(m, "precopy", false);
    sendPages(m, m.pages);
    // The guest zeroes pages that were sent as data; dirty logging sends them again, as zeros.
    guestRegion(m, "write", 0, 1024, "zero");
    switchover(m);
    const memsets = eventsOf(m, "fault", DESTINATION).filter(
      (e) => e.access === "write" && e.content === "zero",
    );
    // One write per chunk of 256 pages, over exactly the zeroed pages.
    expect(memsets.map((e) => e.ranges)).toEqual([
      [0, 256],
      [256, 256],
      [512, 256],
      [768, 256],
    ]);
  });

  test("detection none: every page is sent and written in full", () => {
    const m = migrated("s390-06201e00", { zeroPageDetection: "none" });
    expect(m.extra("migDuplicate")).toBe(0);
    expect(m.extra("migNormal")).toBe(DATA + ZERO);
    // Even under C, where a read would map the zeropage: writes allocate.
    expect(counters(m, DESTINATION).rssAnonBytes).toBe(64 * MiB);
    expect(counters(m, DESTINATION).zeropagePtes).toBe(0);
    // The source still reads each page to send it: zeropages there.
    expect(counters(m, SOURCE).zeropagePtes).toBe(ZERO);
  });

  test("QEMU 10.1 multifd with postcopy-ram: zero pages are written (249543d0c02d)", () => {
    const m = migrated("s390-06201e00", { version: "10.1", multifd: true, postcopyRam: true });
    expect(counters(m, DESTINATION).rssAnonBytes).toBe(64 * MiB);
  });

  test("under C the legacy read maps the zeropage instead", () => {
    const m = migrated("s390-06201e00");
    const dst = counters(m, DESTINATION);
    expect(dst.rssAnonBytes).toBe(16 * MiB);
    expect(dst.zeropagePtes).toBe(ZERO);
    expect(dst.pteTables).toBe(64);
  });
});

describe("the destination's narrated call paths, per QEMU version", () => {
  /** The distinct call paths of the destination's reads and writes of guest RAM. */
  function loadCauses(qemu: Partial<QemuConfig>): { zero: string[]; normal: string[] } {
    const m = migrated("s390-fa41ba0d", qemu);
    const causes = causesOf(m, DESTINATION);
    const uniq = (re: RegExp) => [...new Set(causes.filter((c) => re.test(c)))];
    return { zero: uniq(/buffer_is_zero|not received yet/), normal: uniq(/writes the page/) };
  }
  const LEGACY_ZERO =
    "qemu (destination): ram_load_precopy → RAM_SAVE_FLAG_ZERO → ram_handle_zero → buffer_is_zero";
  const MAIN_CHANNEL_NORMAL =
    "qemu (destination): ram_load_precopy → RAM_SAVE_FLAG_PAGE → qemu_get_buffer (writes the page)";

  test("no multifd (QEMU's default capability set): everything through ram_load_precopy", () => {
    expect(loadCauses({})).toEqual({ zero: [LEGACY_ZERO], normal: [MAIN_CHANNEL_NORMAL] });
    // Before 8.2 the helper was ram_handle_compressed.
    expect(loadCauses({ version: "8.1" }).zero).toEqual([
      "qemu (destination): ram_load_precopy → RAM_SAVE_FLAG_ZERO → ram_handle_compressed → buffer_is_zero",
    ]);
  });

  test("QEMU 8.2 multifd: zero records on the main channel (ram_handle_zero), data on the multifd threads", () => {
    expect(loadCauses({ version: "8.2", multifd: true, zeroPageDetection: "legacy" })).toEqual({
      zero: [
        "qemu (destination): ram_load_precopy → RAM_SAVE_FLAG_ZERO → ram_handle_zero → buffer_is_zero (multifd in QEMU 8.2 has no zero-page detection of its own: zero pages go on the main channel)",
      ],
      normal: [
        "qemu (destination): multifd_recv_thread → nocomp_recv_pages → qio_channel_readv_all (writes the page)",
      ],
    });
  });

  test("QEMU 9.2 multifd with detection legacy (an old machine type): the same split", () => {
    expect(loadCauses({ version: "9.2", multifd: true, zeroPageDetection: "legacy" })).toEqual({
      zero: [`${LEGACY_ZERO} (multifd with zero-page-detection=legacy: zero pages go on the main channel)`],
      normal: [
        "qemu (destination): multifd_recv_thread → multifd_nocomp_recv → qio_channel_readv_all (writes the page)",
      ],
    });
  });

  test("QEMU 9.0 multifd with detection multifd: the multifd receiver reads every zero page", () => {
    expect(loadCauses({ version: "9.0", multifd: true })).toEqual({
      zero: [
        "qemu (destination): multifd_recv_thread → multifd_recv_zero_page_process → buffer_is_zero (QEMU 9.0's multifd receiver reads every zero page; 5ef7e26bdb in 9.1 stops that)",
      ],
      normal: [
        "qemu (destination): multifd_recv_thread → nocomp_recv → qio_channel_readv_all (writes the page)",
      ],
    });
  });

  test("QEMU 9.1 multifd with detection multifd: zero pages are only marked, never read", () => {
    const { zero, normal } = loadCauses({ version: "9.1", multifd: true });
    expect(zero).toEqual([
      "qemu (destination): multifd_recv_thread → multifd_recv_zero_page_process → not received yet → ramblock_recv_bitmap_set_offset, no memory access (QEMU >= 9.1)",
    ]);
    expect(normal).toEqual([
      "qemu (destination): multifd_recv_thread → nocomp_recv → qio_channel_readv_all (writes the page)",
    ]);
  });
});

test("query-migrate: duplicate, normal, transferred bytes", () => {
  const m = migrated("s390-06201e00");
  expect(m.extra("migDuplicate")).toBe(ZERO);
  expect(m.extra("migNormal")).toBe(DATA);
  // 12,288 × (8 + 1) + 4,096 × (8 + 4,096) = 110,592 + 16,809,984.
  expect(ZERO_RECORD_BYTES).toBe(9);
  expect(NORMAL_RECORD_BYTES).toBe(4104);
  expect(m.extra("migTransferredBytes")).toBe(16_920_576);
});

test("the source reads every page once, in address order, and clears its dirty bit", () => {
  const m = migrated("s390-fa41ba0d");
  const reads = eventsOf(m, "fault", SOURCE).filter((e) => e.access === "read");
  let next = 0;
  for (const e of reads) {
    expect(e.ranges[0]).toBe(next);
    next = e.ranges[0]! + e.ranges[1]!;
  }
  expect(next).toBe(m.pages);
  expect(pagesWith(m, SOURCE, DIRTY_SET, 1)).toBe(0);
  expect(counters(m, SOURCE).rssAnonBytes).toBe(64 * MiB);
});

test("pages dirtied during the bulk stage are sent again", () => {
  const m = testMachine({ kernel: "s390-06201e00" });
  guestRegion(m, "write", 0, DATA, "data");
  migrate(m, { mode: "precopy", dirtyPages: 1024, pagemapCheck: false, precopyBeforeSwitchPages: 0 });
  expect(m.extra("migNormal")).toBe(DATA + 1024);
});

describe("the pagemap check (06201e00's user-space alternative)", () => {
  test.each<VariantId>(["s390-fa41ba0d", "s390-06201e00"])(
    "%s: not-present pages are skipped on both sides",
    (kernel) => {
      const m = migrated(kernel, {}, true);
      // Sent as zero pages without being read...
      expect(m.extra("migDuplicate")).toBe(ZERO);
      expect(pagesWith(m, SOURCE, "mig.pagemap-skipped", 1)).toBe(ZERO);
      expect(pagesWith(m, DESTINATION, "mig.pagemap-skipped", 1)).toBe(ZERO);
      // ...so nothing is allocated or mapped for them on either host, whatever the variant.
      for (const mm of [SOURCE, DESTINATION]) {
        const c = counters(m, mm);
        expect(c.rssAnonBytes).toBe(16 * MiB);
        expect(c.zeropagePtes).toBe(0);
        expect(c.presentPages).toBe(DATA);
      }
      // No source read touches a not-present page.
      for (const e of eventsOf(m, "fault", SOURCE).filter((f) => f.access === "read")) {
        expect(e.ranges[0]! + e.ranges[1]!).toBeLessThanOrEqual(DATA);
      }
    },
  );

  test("a present zero page is still read", () => {
    const m = testMachine({ kernel: "s390-06201e00" });
    guestRegion(m, "read", DATA, MiB_PAGES, "zero"); // maps 256 zeropages
    migrate(m, { mode: "precopy", dirtyPages: 0, pagemapCheck: true, precopyBeforeSwitchPages: 0 });
    expect(pagesWith(m, SOURCE, "mig.pagemap-skipped", 1)).toBe(m.pages - MiB_PAGES);
    expect(counters(m, DESTINATION).zeropagePtes).toBe(0);
  });
});
