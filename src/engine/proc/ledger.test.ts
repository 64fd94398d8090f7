/**
 * What a real machine would print: the vmstat events the model counts per fault, and the ledger's
 * lines derived from one mm (smaps leaves out the zeropages, PageTables counts 4 KiB per s390
 * table where VmPTE counts 2 KiB, fields a kernel does not have yet are said to be missing).
 */
import { describe, expect, test } from "vitest";
import { MiB } from "../../base/units.ts";
import { applyEvent } from "../kernel.ts";
import { Guest } from "../test-support/guest.ts";
import { type KernelLedgerInput, kernelLedger, type LedgerSection } from "./ledger.ts";
import { snapshotCounters } from "./status.ts";
import { vmstatDeltas } from "./vmstat.ts";

function ledgerOf(g: Guest, thp = false): LedgerSection[] {
  const input: KernelLedgerInput = {
    counters: snapshotCounters(g.mm),
    vmstat: vmstatDeltas(g.mm),
    arch: g.mm.variant.arch,
    kernelVersion: g.mm.kernelVersion,
    thp,
  };
  return kernelLedger(input);
}

function line(sections: LedgerSection[], name: string) {
  for (const s of sections) for (const l of s.lines) if (l.name === name) return l;
  throw new Error(`no ledger line ${name}`);
}

describe("vmstat: pgfault counts every handle_mm_fault(), no fill by userfaultfd", () => {
  test("read faults count one each, present pages none; a write to the zeropage counts again", () => {
    const g = new Guest("s390-06201e00", 1024);
    g.createVm();
    g.read(0, 300);
    expect(vmstatDeltas(g.mm).pgfault).toBe(300);
    g.read(0, 300); // mapped already: the MMU reads without a fault
    expect(vmstatDeltas(g.mm).pgfault).toBe(300);
    g.write(0, 10);
    expect(vmstatDeltas(g.mm).pgfault).toBe(310);
  });

  test("UFFDIO_ZEROPAGE and UFFDIO_COPY place pages without a fault; a userfault is no completed fault", () => {
    const g = new Guest("x86_64", 1024);
    g.uffdRegister();
    g.uffdZeropage(0, 8);
    g.uffdCopy(8, 8);
    expect(vmstatDeltas(g.mm).pgfault).toBe(0);
    g.read(100);
    expect(g.last?.rec.userfaultAt).toBe(100);
    // handle_userfault() returns VM_FAULT_RETRY: mm_account_fault() counts nothing yet.
    expect(vmstatDeltas(g.mm).pgfault).toBe(0);
  });

  test("THP: a huge PMD fault counts once, thp_fault_alloc per THP, thp_zero_page_alloc once", () => {
    const g = new Guest("x86_64", 4 * 512, { host: { thp: "always" } });
    g.read(0, 2 * 512);
    expect(snapshotCounters(g.mm).hugeZeroPmds).toBe(2);
    expect(vmstatDeltas(g.mm)).toEqual({ pgfault: 2, thp_fault_alloc: 0, thp_zero_page_alloc: 1 });
    g.write(2 * 512, 2 * 512);
    expect(snapshotCounters(g.mm).thpPmds).toBe(2);
    expect(vmstatDeltas(g.mm)).toEqual({ pgfault: 4, thp_fault_alloc: 2, thp_zero_page_alloc: 1 });
  });

  test("unsharing faults count: 06201e00's storage-key unshare faults every zeropage once", () => {
    const g = new Guest("s390-06201e00", 1024);
    g.createVm();
    g.read(0, 256);
    g.enableSkeys();
    expect(snapshotCounters(g.mm).zeropagePtes).toBe(0);
    expect(vmstatDeltas(g.mm).pgfault).toBe(512);
    // fa41ba0d zaps instead: no fault at all, and the later reads allocate (one fault each).
    const b = new Guest("s390-fa41ba0d", 1024);
    b.createVm();
    b.read(0, 256);
    b.enableSkeys();
    expect(vmstatDeltas(b.mm).pgfault).toBe(256);
  });

  test("a step part-way through an event counts only the pages it replayed", () => {
    const g = new Guest("s390-06201e00", 1024);
    g.createVm();
    applyEvent(g.world, { kind: "fault", mm: 0, access: "read", ranges: [0, 600] }, 250);
    expect(vmstatDeltas(g.mm).pgfault).toBe(250);
  });

  test("a failed event counts nothing", () => {
    const g = new Guest("s390-2faee8ff", 512);
    g.createVm();
    const r = g.apply({ kind: "fault", mm: 0, access: "read", ranges: [0, 64], via: "populate_read" });
    expect(r.ok).toBe(false);
    expect(vmstatDeltas(g.mm).pgfault).toBe(0);
  });

  test("clones carry the counts (checkpoints): a clone counts on from where it was", () => {
    const g = new Guest("s390-06201e00", 1024);
    g.createVm();
    g.read(0, 100);
    const w = g.world.clone();
    applyEvent(w, { kind: "fault", mm: 0, access: "read", ranges: [100, 20] });
    expect(vmstatDeltas(w.mms[0]!).pgfault).toBe(120);
    expect(vmstatDeltas(g.mm).pgfault).toBe(100);
  });
});

describe("the ledger of one mm", () => {
  test("s390: zeropage reads cost page tables, not Rss; PageTables is twice VmPTE", () => {
    const g = new Guest("s390-06201e00", 4096);
    g.createVm();
    g.read(0, 2048); // 8 MiB of zeropages: 8 PTE tables of 256 entries
    g.write(2048, 256); // 1 MiB of data: one more table
    const l = ledgerOf(g);
    expect(line(l, "RssAnon").value).toBe(1024);
    expect(line(l, "RssAnon").printed).toBe("RssAnon:\t    1024 kB");
    expect(line(l, "Rss").value).toBe(1024);
    expect(line(l, "Anonymous").value).toBe(1024);
    const tables = snapshotCounters(g.mm).pteTables;
    expect(tables).toBe(9);
    const vmPte = line(l, "VmPTE").value;
    const pageTables = line(l, "PageTables").value;
    // The upper tables count the same in both; the PTE tables count 2 KiB in VmPTE, 4 KiB in PageTables.
    expect(pageTables - vmPte).toBe(tables * 2);
    expect(line(l, "pagetables").value).toBe(pageTables * 1024);
    expect(line(l, "zero_page").value).toBe(2048);
    expect(line(l, "pgfault").value).toBe(2048 + 256);
  });

  test("fa41ba0d: the same reads allocate, and smaps counts what RssAnon counts", () => {
    const g = new Guest("s390-fa41ba0d", 4096);
    g.createVm();
    g.read(0, 2048);
    const l = ledgerOf(g);
    expect(line(l, "RssAnon").value).toBe(8 * 1024);
    expect(line(l, "Rss").value).toBe(8 * 1024);
    expect(line(l, "zero_page").value).toBe(0);
  });

  test("x86_64 THP: the huge zero page counts in zero_page (512 each) and not in AnonHugePages", () => {
    const g = new Guest("x86_64", 4 * 512, { host: { thp: "always" } });
    g.read(0, 512);
    g.write(512, 512);
    const l = ledgerOf(g, true);
    expect(line(l, "zero_page").value).toBe(512);
    expect(line(l, "AnonHugePages").value).toBe((2 * MiB) / 1024);
    expect(line(l, "Rss").value).toBe((2 * MiB) / 1024);
    expect(line(l, "thp_zero_page_alloc").value).toBe(1);
    expect(line(l, "thp_fault_alloc").value).toBe(1);
  });

  test("KSM with use_zero_pages: general_profit counts the KSM zeropages from v6.6", () => {
    const g = new Guest("x86_64", 512, { host: { ksmUseZeroPages: true } });
    g.write(0, 64, "zero");
    g.madvise("mergeable");
    g.ksmScan();
    const l = ledgerOf(g);
    expect(line(l, "ksm_zero_pages").value).toBe(64);
    expect(line(l, "general_profit").value).toBe(64 * 4096);
    expect(line(l, "Rss").value).toBe(0);
  });

  test("a kernel without a field says so instead of printing it (A: v4.12)", () => {
    const g = new Guest("s390-2faee8ff", 1024);
    g.createVm();
    g.read(0, 10);
    const l = ledgerOf(g);
    expect(line(l, "pagetables").missing).toMatch(/v5\.11/);
    expect(line(l, "pagetables").printed).toBe("");
    const smaps = l.find((s) => s.lines.some((x) => x.name === "Rss"))!;
    expect(smaps.source).toBe("/proc/<pid>/smaps");
    expect(smaps.command).toContain("/smaps");
    expect(smaps.command).not.toContain("smaps_rollup");
  });

  test("every section names a command that reads the file it names", () => {
    const g = new Guest("s390-06201e00", 1024);
    g.createVm();
    for (const s of ledgerOf(g)) {
      const file = s.source.split(" ")[0]!.replace("<pid>", "");
      if (file.startsWith("/")) expect(s.command.replace(/\$\(pidof [^)]+\)/, "")).toContain(file);
    }
  });
});
