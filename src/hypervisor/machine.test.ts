/**
 * The Machine (machine.ts): work sizes, and what happens when a host runs out of memory: the
 * pages before the failing one are faulted as the kernel would, the failing page is recorded, and
 * QEMU is OOM-killed (outcome "failed").
 */
import { expect, test } from "vitest";
import { KiB, MiB } from "../base/units.ts";
import { ERRNOS, noneRuns } from "../engine/index.ts";
import { guestRegion } from "./guest.ts";
import { SOURCE } from "./machine.ts";
import { migrate } from "./migration/migrate.ts";
import { counters, eventsOf, MiB_PAGES, testMachine } from "./test-support/machine.ts";

test("chunkPages: about 64 chunks per guest, at least a page table, a power of two", () => {
  expect(testMachine({ kernel: "s390-06201e00" }).chunkPages).toBe(256);
  expect(testMachine({ kernel: "x86_64" }).chunkPages).toBe(512);
  // 100 GiB / 64 = 409,600 pages → 2^19 = 524,288 pages = 2 GiB.
  const big = testMachine({ kernel: "s390-06201e00", guestPages: 26_214_400, withDestination: false });
  expect(big.chunkPages).toBe(524_288);
  // Extents: 26,214,400 / 2^17 = 200 pages at least, 26,214,400 / 128 = 204,800 at most.
  expect(big.extentRange).toEqual([200, 204_800]);
});

test("OOM on the source: killed at the exact page whose allocation does not fit", () => {
  // B forbids the zeropage, so the migration's read of each never-written page allocates it.
  // The source host allows 40 MiB. Before the migration the guest's 32 MiB of data cost
  // 32 MiB + 32 PTE tables × 4 KiB + one 16 KiB segment table = 32 MiB + 144 KiB, leaving
  // 8,048 KiB. Each further 1 MiB range costs its 4 KiB table first, then 256 × 4 KiB: 7 ranges
  // take 7 × 1,028 = 7,196 KiB, leaving 852 KiB; the 8th range's table leaves 848 KiB = 212 pages.
  // So pages 8,192 .. 8,192 + 7 × 256 + 211 are read, and page 10,196 is the one that fails.
  const m = testMachine({ kernel: "s390-fa41ba0d", sourceLimitBytes: 40 * MiB });
  guestRegion(m, "write", 0, 32 * MiB_PAGES, "data");
  expect(counters(m, SOURCE).hostMemBytes).toBe(32 * MiB + 144 * KiB);
  migrate(m, { mode: "precopy", dirtyPages: 0, pagemapCheck: false, precopyBeforeSwitchPages: 0 });

  expect(m.outcome).toBe("failed");
  expect(m.outcomeReason).toMatch(
    /^QEMU on the source host was killed by the OOM killer: a read fault at guest page 10196 /,
  );
  const failing = eventsOf(m, "fault", SOURCE).at(-1)!;
  expect(failing).toMatchObject({ access: "read", ranges: [10_196, 1] });
  const t = m.sim.finish();
  // The failing fault is the last kernel event; a note event records the kill after it.
  const fail = t.events - 2;
  expect(ERRNOS[t.errno[fail]!]).toBe("ENOMEM");
  expect(t.ok[fail]).toBe(0);
  expect(t.failedAt[fail]).toBe(10_196);
  expect(t.strings[t.label[t.events - 1]!]).toBe("the run stops here");

  const src = m.sim.world.mms[SOURCE]!;
  expect(noneRuns(src, [0, 10_196])).toEqual([]);
  expect(noneRuns(src, [10_196, 1])).toEqual([10_196, 1]);
  expect(counters(m, SOURCE).hostMemBytes).toBe(40 * MiB);
  // The run stops: nothing happens after the kill.
  expect(m.halted).toBe(true);
  expect(eventsOf(m, "fault", SOURCE).filter((e) => e.ranges[0]! > 10_196)).toEqual([]);
});

test("a hang is recorded in the trace's hung counter", () => {
  const m = testMachine({ kernel: "s390-06201e00" });
  m.hang("test: a vCPU waits forever");
  const t = m.sim.finish();
  expect(t.extra[(t.events - 1) * t.extraKeys.length + t.extraKeys.indexOf("hung")]).toBe(1);
  expect(m.outcome).toBe("hung");
  expect(t.actions.at(-1)!.note).toBe("test: a vCPU waits forever");
});
