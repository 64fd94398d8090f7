/**
 * The QEMU check's comparison against recorded measurements: public/qemu-check/measured.json, a
 * real run of `npm run qemu-check -- --publish` on an x86_64 host (QEMU 7.2 under TCG). The
 * recorded runs pass against the current model under the host policy they record, and a wrong
 * model fails: a wrong host policy (read faults that allocate, UFFDIO_ZEROPAGE that allocates), a
 * destination that writes every zero page, a destination that does not read zero pages at all.
 *
 * The real check (QEMU, ~1 minute of TCG) is a stage of `npm test` of its own (scripts/test.mjs),
 * not part of vitest: it needs the CPU to itself.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { beforeEach, describe, expect, test, vi } from "vitest";
import type { ZeroHandling } from "../../src/hypervisor/migration/state.ts";
import { parseMeasured } from "../../src/scenario/measured.ts";
import { cpioNewc, isStaticElf, moduleDepends } from "./assets.ts";
import { compareRuns, formatCell, type Row, TOLERANCE } from "./compare.ts";
import { modelsForDocument, phaseActionOf, readDocument } from "./document.ts";
import { initScript } from "./init.ts";
import { PUBLISH_PATHS, summaryOf } from "./publish.ts";
import { guestRamRss, parseStatus } from "./qemu.ts";

/** A wrong rule for the destination's zero pages, or null for the real one. */
const wrong = vi.hoisted(() => ({ zeroHandling: null as string | null }));
vi.mock("../../src/hypervisor/migration/state.ts", async (importOriginal) => {
  const real = await importOriginal<typeof import("../../src/hypervisor/migration/state.ts")>();
  return {
    ...real,
    zeroPageHandling: (q: Parameters<typeof real.zeroPageHandling>[0]) =>
      (wrong.zeroHandling as ZeroHandling | null) ?? real.zeroPageHandling(q),
  };
});

const RECORDED = path.join(import.meta.dirname, "..", "..", "public", "qemu-check", "measured.json");
const doc = readDocument(JSON.parse(readFileSync(RECORDED, "utf8")), RECORDED);
const MiB_KiB = 1024;

const failing = (rows: readonly Row[]) => rows.filter((r) => !r.ok).map((r) => `${r.mode} ${r.id}`);
const row = (rows: readonly Row[], mode: string, id: string) =>
  rows.find((r) => r.mode === mode && r.id === id)!;

beforeEach(() => {
  wrong.zeroHandling = null;
});

describe("recorded measurements (public/qemu-check/measured.json)", () => {
  test("are a real check's four runs: balloon and control, precopy and postcopy", () => {
    expect(doc.runs.map((r) => r.id).sort()).toEqual([
      "balloon-postcopy",
      "balloon-precopy",
      "control-postcopy",
      "control-precopy",
    ]);
    expect(doc.qemu.version).toMatch(/^7\.2/);
    expect(doc.check?.passed).toBe(true);
    for (const r of doc.runs) {
      expect(r.scenario.machine.hostZeropage).toEqual(doc.host.zeropage);
      if (r.balloon) expect(r.balloonBytes).toBeGreaterThan(0);
      else expect(r.balloonBytes).toBe(0);
      // Every phase the comparison reads is there, on the host it reads it from.
      const pa = phaseActionOf(r);
      expect(Object.keys(pa).sort()).toEqual(["ballooned", "booted", "data", "filled", "migrated"]);
    }
  });

  test("pass against the current model under the host policy they record", () => {
    const rows = compareRuns(doc.runs, modelsForDocument(doc));
    expect(rows).toHaveLength(14);
    expect(failing(rows)).toEqual([]);
    // The balloon is big against the tolerance: the check can tell the policies apart.
    const freed = row(rows, "precopy", "balloon-frees");
    expect(freed.measured).toBeLessThan(-8 * TOLERANCE.rssKiB);
  });

  test("fail where the model's host allocates on read faults (the source's reads of the balloon)", () => {
    const rows = compareRuns(doc.runs, modelsForDocument(doc, { readFault: !doc.host.zeropage.readFault }));
    expect(failing(rows)).toContain("precopy source-growth");
    expect(failing(rows)).toContain("postcopy source-growth");
    const r = row(rows, "precopy", "source-growth");
    expect(Math.abs(r.model - r.measured)).toBeGreaterThan(400 * MiB_KiB);
  });

  test("fail where the model's UFFDIO_ZEROPAGE takes the other branch (postcopy's destination)", () => {
    const rows = compareRuns(
      doc.runs,
      modelsForDocument(doc, { uffdZeropage: !doc.host.zeropage.uffdZeropage }),
    );
    expect(failing(rows)).toEqual(["postcopy destination-rss"]);
  });

  test("fail where the model's destination writes every zero page (memset instead of the zero check)", () => {
    wrong.zeroHandling = "write";
    const rows = compareRuns(doc.runs, modelsForDocument(doc));
    expect(failing(rows)).toContain("precopy destination-rss");
    // Written, the balloon's zero pages cost the destination as much as the control's data pages.
    expect(Math.abs(row(rows, "precopy", "destination-rss").model)).toBeLessThan(TOLERANCE.rssKiB);
  });

  test("fail where the model's destination does not read zero pages at all", () => {
    // The zero check's reads populate page tables even where they map the zeropage and cost no
    // RssAnon: without them the ballooned 2 MiB ranges have no PTE table on the destination.
    wrong.zeroHandling = "mark-only";
    const rows = compareRuns(doc.runs, modelsForDocument(doc));
    expect(failing(rows)).toContain("precopy destination-vmpte");
  });
});

describe("what --publish wrote beside the recorded runs", () => {
  test("the narration's link says what the recorded check says", () => {
    const written = JSON.parse(readFileSync(PUBLISH_PATHS.summary, "utf8"));
    expect(written).toEqual(summaryOf(doc));
    expect(written.href).toBe("qemu-check/index.html");
  });

  test("the measured table shows the recorded check's rows", () => {
    const html = readFileSync(PUBLISH_PATHS.html, "utf8");
    const s = summaryOf(doc);
    expect(html).toContain(`Checked against real QEMU ${s.qemu} on ${s.arch}, on ${s.date}`);
    for (const r of doc.check!.rows) {
      expect(html).toContain(formatCell(r.measured, r.unit));
      expect(html).toContain(formatCell(r.model, r.unit));
    }
  });
});

describe("the measured-runs format", () => {
  test("refuses a damaged file, naming the path", () => {
    const bad = JSON.parse(readFileSync(RECORDED, "utf8"));
    bad.runs[1].phases[2].rssAnonKiB = -5;
    delete bad.host.kernel;
    const r = parseMeasured(bad);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const paths = r.issues.map((i) => i.path);
    expect(paths).toContain("host.kernel");
    expect(paths).toContain("runs[1].phases[2].rssAnonKiB");
  });

  test("refuses another format", () => {
    const r = parseMeasured({ format: "something-else", version: 1 });
    expect(r.ok).toBe(false);
  });
});

describe("harness helpers", () => {
  test("parseStatus reads the kB fields of /proc/<pid>/status", () => {
    const s = parseStatus("Name:\tqemu\nRssAnon:\t  123456 kB\nVmPTE:\t    2316 kB\nThreads:\t5\n");
    expect(s).toEqual({ RssAnon: 123456, VmPTE: 2316 });
  });

  test("guestRamRss picks the smallest anonymous mapping that holds guest RAM", () => {
    const smaps = [
      "7f0000000000-7f0000200000 rw-p 00000000 00:00 0 ",
      "Rss:                 100 kB",
      "7f1000000000-7f1040200000 rw-p 00000000 00:00 0 ",
      "Rss:              997952 kB",
      "7f2000000000-7f2080000000 rw-p 00000000 00:00 0 ",
      "Rss:                  64 kB",
      "7f3000000000-7f3040200000 r--p 00000000 08:01 1234  /usr/share/qemu/big.rom",
      "Rss:                  12 kB",
    ].join("\n");
    expect(guestRamRss(smaps, 1024 * 1024 * 1024)).toBe(997952);
    expect(() => guestRamRss(smaps, 4 * 1024 * 1024 * 1024)).toThrow(/guest RAM/);
  });

  test("moduleDepends reads a module's depends= from its .modinfo strings", () => {
    const ko = Buffer.from(
      "\x7fELF....\0license=GPL\0depends=virtio,virtio_ring,virtio-pci-modern-dev\0name=x\0",
    );
    expect(moduleDepends(ko)).toEqual(["virtio", "virtio_ring", "virtio_pci_modern_dev"]);
    expect(moduleDepends(Buffer.from("\0depends=\0name=virtio\0"))).toEqual([]);
  });

  test("cpioNewc writes newc headers, 4-byte alignment and the trailer", () => {
    const a = cpioNewc([
      { name: "init", mode: 0o100755, data: Buffer.from("#!/bin/sh\n") },
      { name: "dev/console", mode: 0o020600, rdev: [5, 1] },
    ]);
    const text = a.toString("latin1");
    expect(text.startsWith("070701")).toBe(true);
    expect(text.match(/070701/g)).toHaveLength(3);
    expect(text).toContain("TRAILER!!!\0");
    expect(a.length % 4).toBe(0);
    // The console's header: mode 0o020600, rdevmajor 5, rdevminor 1 (fields 2, 10 and 11).
    const h = text.indexOf("dev/console") - 110;
    const field = (i: number) => Number.parseInt(text.slice(h + 6 + 8 * i, h + 14 + 8 * i), 16);
    expect(field(1)).toBe(0o020600);
    expect([field(9), field(10)]).toEqual([5, 1]);
  });

  test("initScript loads the modules in the order given, then runs memfill step by step", () => {
    const s = initScript(["virtio_ring", "virtio", "virtio_balloon"]);
    expect(s).toContain("for m in virtio_ring virtio virtio_balloon; do");
    expect(s.indexOf("memfill hold")).toBeLessThan(s.indexOf("memfill fill"));
    expect(s.match(/read -r go/g)).toHaveLength(2);
  });

  test("isStaticElf tells a static binary from a dynamic one", async () => {
    // This test's own interpreter is dynamic.
    expect(await isStaticElf(process.execPath)).toBe(false);
  });
});
