/**
 * KVM as QEMU and the guest drive it (kvm.ts), and ksmd's setup (ksmd.ts):
 * KVM_CREATE_VM on each host, the guest's first storage-key instruction, KVM_PV_ENABLE, and
 * KVM_S390_SET_SKEYS on a migration destination exactly when the source guest used keys.
 */
import { describe, expect, test } from "vitest";
import { MiB } from "../base/units.ts";
import { FLAG_HAS_PGSTE, FLAG_USES_SKEYS, flagsAt } from "../engine/index.ts";
import { guestRegion } from "./guest.ts";
import { ksmMerge } from "./ksmd.ts";
import { guestPv, guestSkeys } from "./kvm.ts";
import { DESTINATION, SOURCE } from "./machine.ts";
import { migrate } from "./migration/migrate.ts";
import { counters, eventsOf, MiB_PAGES, testMachine } from "./test-support/machine.ts";

const PRECOPY = { mode: "precopy", dirtyPages: 0, pagemapCheck: false, precopyBeforeSwitchPages: 0 } as const;
const POSTCOPY = { ...PRECOPY, mode: "postcopy" } as const;

test("KVM_CREATE_VM on the source at boot and on the destination when the migration starts", () => {
  const m = testMachine({ kernel: "s390-06201e00" });
  expect(eventsOf(m, "kvm_create_vm").map((e) => e.mm)).toEqual([SOURCE]);
  migrate(m, PRECOPY);
  expect(eventsOf(m, "kvm_create_vm").map((e) => e.mm)).toEqual([SOURCE, DESTINATION]);
  const t = m.sim.finish();
  expect(flagsAt(t, t.events - 1, DESTINATION) & FLAG_HAS_PGSTE).toBe(FLAG_HAS_PGSTE);
});

describe("KVM_S390_SET_SKEYS on the destination", () => {
  test("not sent when the source guest never used storage keys", () => {
    const m = testMachine({ kernel: "s390-06201e00" });
    guestRegion(m, "write", 0, 16 * MiB_PAGES, "data");
    migrate(m, PRECOPY);
    expect(eventsOf(m, "enable_skeys")).toEqual([]);
    expect(counters(m, DESTINATION).zeropagePtes).toBe(48 * MiB_PAGES);
  });

  test("precopy: sent with the device state after RAM; under C it unshares the zero checks' zeropages", () => {
    const m = testMachine({ kernel: "s390-06201e00" });
    guestRegion(m, "write", 0, 16 * MiB_PAGES, "data");
    guestSkeys(m);
    migrate(m, PRECOPY);
    expect(eventsOf(m, "enable_skeys")).toEqual([
      { kind: "enable_skeys", mm: SOURCE, via: "instruction" },
      { kind: "enable_skeys", mm: DESTINATION, via: "set_skeys" },
    ]);
    // The source forbids the zeropage once keys are on: its reads allocate the 48 MiB.
    expect(counters(m, SOURCE).rssAnonBytes).toBe(64 * MiB);
    // The destination's zero checks ran before the keys arrived (zeropages), then were unshared.
    expect(counters(m, DESTINATION).rssAnonBytes).toBe(64 * MiB);
    expect(counters(m, DESTINATION).zeropagePtes).toBe(0);
    const t = m.sim.finish();
    expect(flagsAt(t, t.events - 1, DESTINATION) & FLAG_USES_SKEYS).toBe(FLAG_USES_SKEYS);
  });

  test("postcopy: sent at the switch, before the pages are placed", () => {
    const m = testMachine({ kernel: "s390-06201e00" });
    guestRegion(m, "write", 0, 16 * MiB_PAGES, "data");
    guestSkeys(m);
    migrate(m, POSTCOPY);
    const events = m.sim.events;
    const setSkeys = events.findIndex((e) => e.kind === "enable_skeys" && e.mm === DESTINATION);
    const firstPlace = events.findIndex((e) => e.kind === "uffd_zeropage" || e.kind === "uffd_copy");
    expect(setSkeys).toBeGreaterThan(0);
    expect(setSkeys).toBeLessThan(firstPlace);
    // With keys on, UFFDIO_ZEROPAGE places zeroed pages (90a7592da149 is part of C).
    expect(counters(m, DESTINATION).rssAnonBytes).toBe(64 * MiB);
  });
});

test("KVM_PV_ENABLE under C unshares the zeropages the guest's reads mapped", () => {
  const m = testMachine({ kernel: "s390-06201e00" });
  guestRegion(m, "read", 0, 8 * MiB_PAGES, "zero");
  expect(counters(m, SOURCE).zeropagePtes).toBe(8 * MiB_PAGES);
  guestPv(m);
  expect(counters(m, SOURCE).zeropagePtes).toBe(0);
  expect(counters(m, SOURCE).rssAnonBytes).toBe(8 * MiB);
  expect(m.outcome).toBe("completed");
});

describe("ksmd", () => {
  test("QEMU marks guest RAM MADV_MERGEABLE only with mem-merge on", () => {
    const on = testMachine({ kernel: "s390-06201e00" });
    expect(eventsOf(on, "madvise").map((e) => e.advice)).toEqual(["mergeable"]);
    const off = testMachine({ kernel: "s390-06201e00", qemu: { memMerge: false } });
    expect(eventsOf(off, "madvise")).toEqual([]);
  });

  test("a merge pass with use_zero_pages turns zero-filled pages into KSM zeropages", () => {
    const m = testMachine({ kernel: "s390-06201e00", ksmEnabled: true, ksmUseZeroPages: true });
    guestRegion(m, "write", 0, 4 * MiB_PAGES, "zero");
    ksmMerge(m, SOURCE);
    expect(counters(m, SOURCE).ksmZeroPages).toBe(4 * MiB_PAGES);
    expect(counters(m, SOURCE).rssAnonBytes).toBe(0);
  });
});
