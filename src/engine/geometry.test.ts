/**
 * Page-table geometry and VmPTE: what each table costs in memory
 * and in /proc VmPTE, per architecture, with the worked numbers the narration uses.
 */
import { describe, expect, test } from "vitest";
import { GiB, KiB, MiB } from "../base/units.ts";
import { S390X, X86_64 } from "./geometry.ts";
import { COUNTERS } from "./proc/status.ts";
import { Guest } from "./test-support/guest.ts";

describe("s390x: 256-entry PTE tables (1 MiB), 2048-entry segment tables (2 GiB)", () => {
  test("page_table_alloc: a PTE table occupies 4 KiB (PTEs + PGSTEs) but mm_inc_nr_ptes counts 2 KiB", () => {
    expect(S390X).toMatchObject({
      ptesPerTable: 256,
      pteTableMemBytes: 4 * KiB,
      pteTableVmPteBytes: 2 * KiB,
    });
    const g = new Guest("s390-06201e00", 512);
    g.read(0);
    expect(g.c).toMatchObject({
      pteTables: 1,
      vmPteBytes: 2 * KiB + 16 * KiB,
      pageTableBytes: 4 * KiB + 16 * KiB,
    });
  });

  test("mm_inc_nr_pmds: one 16 KiB segment table per 2 GiB of populated address space", () => {
    const g = new Guest("s390-06201e00", (4 * GiB) / (4 * KiB));
    g.read(0);
    g.read((2 * GiB) / (4 * KiB));
    expect(g.c).toMatchObject({
      pteTables: 2,
      vmPteBytes: 2 * 2 * KiB + 2 * 16 * KiB,
      pageTableBytes: 2 * 4 * KiB + 2 * 16 * KiB,
    });
  });

  test("worked numbers: reading 40 GiB with the zeropage allowed costs 160 MiB of PTE tables (80 MiB of VmPTE)", () => {
    const g = new Guest("s390-06201e00", (40 * GiB) / (4 * KiB));
    g.read(0, g.mm.pages);
    const segments = 20 * 16 * KiB;
    expect(g.c).toMatchObject({
      pteTables: 40960,
      pageTableBytes: 160 * MiB + segments,
      vmPteBytes: 80 * MiB + segments,
      rssAnonBytes: 0,
      zeropagePtes: 40960 * 256,
    });
  });

  test("an odd start: guest RAM that starts part-way into a table makes a partial first table", () => {
    const g = new Guest("s390-06201e00", 256, { baseVpn: 2 ** 19 + 100 });
    expect(g.mm.pt.tables).toBe(2);
    expect(g.mm.pt.tableOf(155)).toBe(0);
    expect(g.mm.pt.tableOf(156)).toBe(1);
    g.read(150, 10);
    expect(g.tables()).toBe("* *");
  });
});

describe("x86_64: 512-entry PTE, PMD and PUD tables of 4 KiB each", () => {
  test("__pte_alloc/__pmd_alloc/__pud_alloc: the first touch costs 12 KiB of VmPTE; PGD and P4D are not counted", () => {
    expect(X86_64).toMatchObject({
      ptesPerTable: 512,
      pteTableMemBytes: 4 * KiB,
      pteTableVmPteBytes: 4 * KiB,
    });
    const g = new Guest("x86_64", 1024);
    g.read(0);
    expect(g.c).toMatchObject({ vmPteBytes: 12 * KiB, pageTableBytes: 12 * KiB });
    g.read(512);
    expect(g.c.vmPteBytes).toBe(16 * KiB);
  });

  test("crossing a 512 GiB boundary allocates a second PMD and PUD table", () => {
    const g = new Guest("x86_64", 1024, { baseVpn: 2 * 2 ** 27 - 512 });
    g.read(0, 1024);
    expect(g.c).toMatchObject({ pteTables: 2, vmPteBytes: 6 * 4 * KiB });
  });

  test("worked numbers: reading 40 GiB costs 80 MiB of PTE tables", () => {
    const g = new Guest("x86_64", (40 * GiB) / (4 * KiB));
    g.read(0, g.mm.pages);
    expect(g.c).toMatchObject({ pteTables: 20480, pageTableBytes: 80 * MiB + 40 * 4 * KiB + 4 * KiB });
  });
});

test("snapshotCounters: the counters carry the names /proc and sysfs print", () => {
  const labels = COUNTERS.map((c) => c.label);
  for (const name of [
    "RssAnon",
    "VmPTE",
    "pages_shared",
    "pages_sharing",
    "ksm_zero_pages",
    "zeropage PTEs",
    "host memory",
  ]) {
    expect(labels).toContain(name);
  }
});
