import { execFile, execFileSync } from "node:child_process";
import {
  accessSync,
  constants,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import {
  compareRecords,
  formatComparison,
  formatMismatches,
  type KernelRecord,
  kernelPteTables,
  main,
  parseHostPolicy,
} from "./check.ts";
import {
  baseVpnOf,
  DEFAULT_BASE,
  kernelMajorMinor,
  type ModelRecord,
  runModel,
  unmodelledOp,
} from "./model.ts";
import { OpsSyntaxError, parseOps } from "./ops.ts";
import { measureHostPolicy } from "./policy.ts";
import { recordedScripts, replayProbe } from "./replay.ts";
import { buildProbe, type ProbeRecord, runProbe } from "./run-probe.mjs";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const SCRIPTS = path.join(HERE, "scripts");
const UPSTREAM = path.join(HERE, "fixtures", "upstream-6.18");
const PVM = path.join(HERE, "fixtures", "pvm-no-zero-page-6.18");
const THP0 = path.join(HERE, "fixtures", "thp-use-zero-page-0-6.18");

function script(name: string) {
  return parseOps(readFileSync(path.join(SCRIPTS, name), "utf8"), name);
}

function syntaxError(text: string): OpsSyntaxError {
  try {
    parseOps(text, "t.ops");
  } catch (e) {
    if (e instanceof OpsSyntaxError) return e;
    throw e;
  }
  throw new Error("expected an OpsSyntaxError");
}

/** Deltas of a model run: [dRssAnon, dVmPTE, zeroPtes, presentPages] per step. */
function deltas(recs: readonly ModelRecord[]): number[][] {
  const b = recs[0]!;
  return recs.map((r) => [r.rssAnonKiB - b.rssAnonKiB, r.vmPteKiB - b.vmPteKiB, r.zeroPtes, r.presentPages]);
}

describe("ops parser", () => {
  it("parses every shipped script", () => {
    const files = readdirSync(SCRIPTS).filter((f) => f.endsWith(".ops"));
    expect(files.length).toBeGreaterThanOrEqual(15);
    for (const f of files) {
      const s = script(f);
      expect(s.ops[0]!.kind).toBe("region");
      expect(s.pages).toBeGreaterThan(0);
    }
  });

  it("normalises op text as the probe does and keeps line numbers", () => {
    const s = parseOps("# header\n\nregion 1024\r\n\tread\t0   4   # comment\nwrite 1 2 data\n", "a.ops");
    expect(s.pages).toBe(1024);
    expect(s.ops.map((o) => [o.line, o.text])).toEqual([
      [3, "region 1024"],
      [4, "read 0 4"],
      [5, "write 1 2 data"],
    ]);
    expect(s.ops[2]).toMatchObject({ kind: "write", first: 1, count: 2, content: "data" });
  });

  it.each([
    ["read 0 1\n", 1, "the first op must be 'region <pages>'"],
    ["# c\nregion 16\n\nfrobnicate 1\n", 4, "unknown op 'frobnicate'"],
    ["region 16\nregion 16\n", 2, "'region' may appear only once, as the first op"],
    ["region 0\n", 1, "region size must be 1..262144 pages"],
    ["region 262145\n", 1, "region size must be 1..262144 pages"],
    ["region 16\nread 0\n", 2, "'read' takes 2 argument(s), got 1"],
    ["region 16\nread 0x0 1\n", 2, "'read' expects <first> <count> as decimal page numbers"],
    ["region 16\nread -1 1\n", 2, "'read' expects <first> <count> as decimal page numbers"],
    ["region 16\nread 0 0\n", 2, "count must be at least 1"],
    ["region 16\nread 10 7\n", 2, "range 10+7 exceeds the region (16 pages)"],
    ["region 16\nwrite 0 1 ones\n", 2, "'write' expects 'zero' or 'data' as third argument"],
    ["region 16\nthp maybe\n", 2, "'thp' expects 'on' or 'off'"],
    ["region 16\nuffd-zeropage 0 1\n", 2, "'uffd-zeropage' needs an earlier 'uffd-register'"],
    ["region 16\nuffd-copy 0 1 data\n", 2, "'uffd-copy' needs an earlier 'uffd-register'"],
    ["region 16\nuffd-register\nuffd-register\n", 3, "'uffd-register' may appear only once"],
    ["region 16\nbarrier 1 2 3 4 5 6 7 8\n", 2, "too many tokens"],
    ["region 16\npopulate-read 0\n", 2, "'populate-read' takes 2 argument(s), got 1"],
    ["region 16\nremote-read 8 9\n", 2, "range 8+9 exceeds the region (16 pages)"],
    ["region 16\nfork 1\n", 2, "'fork' takes 0 argument(s), got 1"],
    ["region 16\nchild-exit\n", 2, "'child-exit' needs a live child of an earlier 'fork'"],
    ["region 16\nfork\nfork\n", 3, "'fork' while the child of an earlier 'fork' lives: 'child-exit' first"],
    ["region 16\nfork\nchild-exit\nchild-exit\n", 4, "'child-exit' needs a live child of an earlier 'fork'"],
    ["# only a comment\n\n", 2, "empty script: the first op must be 'region <pages>'"],
    ["", 1, "empty script: the first op must be 'region <pages>'"],
  ])("rejects %j at line %i", (text, line, reason) => {
    const e = syntaxError(text);
    expect(e.line).toBe(line);
    expect(e.reason).toBe(reason);
    expect(e.message).toBe(`t.ops:${line}: ${reason}`);
  });

  it("rejects over-long lines", () => {
    expect(syntaxError(`region 16\nbarrier ${"#".repeat(5000)}\n`).reason).toBe("line too long");
  });
});

describe("model mapping (x86_64 at the probe's default base)", () => {
  const at = (name: string, kernelVersion = "6.18.44") =>
    runModel(script(name), { kernelVersion, baseVpn: DEFAULT_BASE / 4096 });

  it("reads the version and base as the probe reports them", () => {
    expect(kernelMajorMinor("6.18.44-fc-v782")).toBe("6.18");
    expect(() => kernelMajorMinor("linux")).toThrow(/kernel version/);
    expect(baseVpnOf("0x100000000000")).toBe(2 ** 32);
  });

  it("read-then-write: zeropage on read, page tables first, COW on write (README, 6.18)", () => {
    const r = at("read-then-write.ops");
    // do_anonymous_page(): 1024 zeropage PTEs, no RSS; 2 PTE tables + PMD + PUD = +16 KiB.
    expect(deltas(r)).toEqual([
      [0, 0, 0, 0],
      [0, 16, 1024, 1024],
      [4, 16, 1023, 1024],
      [8, 16, 1022, 1024],
      [24, 16, 1018, 1024],
      [24, 16, 1018, 1024],
      [120, 16, 994, 1024],
    ]);
    expect(r[1]!.rules.map((u) => u.id)).toEqual(["do_anonymous_page.zeropage"]);
    expect(r[2]!.rules.map((u) => u.id)).toEqual(["wp_page_copy.zeropage_write"]);
  });

  it("the base address decides the table count: 512 pages at +1 MiB straddle two PTE tables", () => {
    const s = parseOps("region 512\nread 0 512\n", "off.ops");
    const aligned = runModel(s, { kernelVersion: "6.18", baseVpn: DEFAULT_BASE / 4096 });
    const offset = runModel(s, { kernelVersion: "6.18", baseVpn: DEFAULT_BASE / 4096 + 256 });
    expect(aligned[1]!.vmPteKiB).toBe(12);
    expect(offset[1]!.vmPteKiB).toBe(16);
  });

  it("whole-table-dontneed: PT reclaim from 6.14 only", () => {
    // 6375e95f381e (v6.14): a table whose whole 2 MiB one call zapped is freed (README, 6.18).
    expect(deltas(at("whole-table-dontneed.ops")).map((d) => d[1])).toEqual([0, 24, 20, 8, 12, 16, 8]);
    expect(deltas(at("whole-table-dontneed.ops", "6.13")).map((d) => d[1])).toEqual([
      0, 24, 24, 24, 24, 24, 24,
    ]);
    const step2 = at("whole-table-dontneed.ops")[2]!;
    expect(step2.rules.map((u) => u.id)).toContain("pt_reclaim.free_pte");
  });

  it("uffd: EEXIST / EAGAIN with bytes, MISSING faults answered with UFFDIO_ZEROPAGE", () => {
    const r = at("uffd-copy-eexist.ops");
    expect(r.map((x) => x.errno)).toEqual([
      null,
      null,
      null,
      "EEXIST",
      null,
      "EEXIST",
      null,
      "EAGAIN",
      null,
      "EEXIST",
    ]);
    expect(r.map((x) => x.copy ?? x.zeropage ?? null)).toEqual([
      null,
      null,
      null,
      -17,
      65536,
      -17,
      32768,
      16384,
      null,
      -17,
    ]);
    // read 32 4: four missing pages, each a userfault the handler fills with the zeropage.
    expect(r[8]).toMatchObject({ uffdFaults: 4, zeroPtes: 8, presentPages: 48 });
    const w = at("uffd-zeropage-then-write.ops");
    // write 600 1 data: pte_alloc (+4 KiB), MISSING fault, UFFDIO_ZEROPAGE, then COW (+4 KiB RSS).
    expect(deltas(w)[5]).toEqual([12, 16, 510, 513]);
    expect(w[5]!.uffdFaults).toBe(1);
    expect(w[6]).toMatchObject({ errno: "EAGAIN", zeropage: 88 * 4096 });
  });

  it("thp-read: huge zero PMD on read, THP on write to it (do_huge_zero_wp_pmd)", () => {
    const r = at("thp-read.ops");
    expect(r[2]).toMatchObject({ hugeZeroPmds: 1, zeroPtes: 0, presentPages: 512 });
    expect(r[4]).toMatchObject({ thpPmds: 1, hugeZeroPmds: 1, rssAnonKiB: 2048, vmPteKiB: 16 });
    expect(r[9]).toMatchObject({ zeroPtes: 512, hugeZeroPmds: 1 });
  });

  it("populate-read and remote-read: read faults through GUP, zeropage where allowed, present pages free", () => {
    const p = at("populate-read.ops");
    // MADV_POPULATE_READ of 512 untouched pages: 512 read faults, zeropages, smaps Rss +0.
    expect(p[1]).toMatchObject({ zeroPtes: 512, presentPages: 512, faults: 512, smapsRssKiB: 0 });
    expect(p[1]!.rules.map((u) => u.id)).toEqual(["madvise_populate.read", "do_anonymous_page.zeropage"]);
    // Present pages cost no fault: only the 512 missing ones of the 1024, then none at all.
    expect(p[4]!.faults - p[3]!.faults).toBe(512);
    expect(p[5]!.faults).toBe(p[4]!.faults);
    // THP: one fault maps the huge zero PMD for the whole block; AnonHugePages stays 0.
    expect(p[9]).toMatchObject({ hugeZeroPmds: 1, anonHugeKiB: 0 });
    expect(p[9]!.faults - p[8]!.faults).toBe(1);
    const r = at("remote-read.ops");
    expect(r[1]).toMatchObject({ zeroPtes: 512, faults: 512, remoteRead: 512 });
    // GUP's entry rule, then the read fault's decision for each missing page.
    expect(r[1]!.rules.map((u) => u.id)).toEqual(
      expect.arrayContaining(["get_user_pages_remote.read", "do_anonymous_page.zeropage"]),
    );
    expect(r[4]).toMatchObject({ presentPages: 1500, remoteRead: 1500 });
    expect(r.filter((x) => x.op.startsWith("remote-read")).every((x) => x.remoteRead !== undefined)).toBe(
      true,
    );
    expect(r[2]!.remoteRead).toBeUndefined();
  });

  it("smaps: Rss and Anonymous follow RssAnon here, AnonHugePages counts THPs only (ledger)", () => {
    const r = at("smaps-rss.ops");
    const b = r[0]!;
    for (const x of r) {
      // No KSM in this script: every anon page is in RssAnon and in smaps; zeropages in neither.
      expect(x.smapsRssKiB, x.op).toBe(x.rssAnonKiB - b.rssAnonKiB);
      expect(x.smapsAnonKiB, x.op).toBe(x.smapsRssKiB);
      expect(x.anonHugeKiB, x.op).toBe(x.thpPmds * 2048);
    }
    expect(r[6]).toMatchObject({ hugeZeroPmds: 1, smapsRssKiB: 128, anonHugeKiB: 0 });
    expect(r[8]).toMatchObject({ thpPmds: 2, anonHugeKiB: 4096 });
  });

  it("a fork of memory without dontfork is not modelled: the script is refused with why", () => {
    const s = script("fork.ops");
    expect(unmodelledOp(s)).toMatchObject({ op: { kind: "fork", line: 23 } });
    expect(unmodelledOp(s)!.why).toMatch(/only memory marked VM_DONTCOPY/);
    expect(() => runModel(s, { kernelVersion: "6.18" })).toThrow(/fork\.ops:23: 'fork' is not modelled/);
    expect(unmodelledOp(script("read-then-write.ops"))).toBeNull();
    // dontfork after the fork does not count: the fork already copied the region.
    expect(unmodelledOp(parseOps("region 8\nfork\ndontfork\nchild-exit\n", "late.ops"))).toMatchObject({
      op: { kind: "fork", line: 2 },
    });
  });

  it("fork-dontfork: dup_mmap() skips the VM_DONTCOPY region, the parent's pages stay exclusive", () => {
    const r = at("fork-dontfork.ops");
    expect(unmodelledOp(script("fork-dontfork.ops"))).toBeNull();
    expect(r[4]!.notes).toEqual([expect.stringMatching(/MADV_DONTFORK: no engine event/)]);
    expect(r[5]!.rules.map((u) => u.id)).toEqual(["dup_mmap.dontcopy"]);
    // The fork changes nothing; a write to an exclusive page takes no fault, one to a zeropage copies.
    expect(deltas(r).slice(4, 8)).toEqual([
      [32, 12, 8, 16],
      [32, 12, 8, 16],
      [32, 12, 8, 16],
      [40, 12, 6, 16],
    ]);
    expect(r.map((x) => x.faults)).toEqual([0, 8, 8, 8, 8, 8, 8, 10, 10, 10, 10, 14]);
    expect(r[8]).toMatchObject({ errno: null, move: 16384 });
  });

  it("uffd-move: pages and zeropages move by their PTEs; EEXIST, ENOENT, EAGAIN with bytes", () => {
    const r = at("uffd-move.ops");
    expect(r.slice(4, 9).map((x) => [x.errno, x.move])).toEqual([
      [null, 16384],
      [null, 16384],
      ["EEXIST", -17],
      ["ENOENT", -2],
      ["EAGAIN", 16384],
    ]);
    // Nothing is allocated or freed by a move; the second PTE table is (+4 KiB VmPTE).
    expect(deltas(r).slice(3, 9)).toEqual([
      [32, 12, 4, 12],
      [32, 16, 4, 12],
      [32, 16, 4, 12],
      [32, 16, 4, 12],
      [32, 16, 4, 12],
      [32, 16, 4, 12],
    ]);
    expect(r[4]!.rules.map((u) => u.id)).toContain("move_present_ptes");
    expect(r[5]!.rules.map((u) => u.id)).toContain("move_zeropage_pte");
    // A moved page is writable where it lands; a moved zeropage is copied on write.
    expect(r[10]).toMatchObject({ faults: r[9]!.faults, rssAnonKiB: 32 });
    expect(r[11]).toMatchObject({ rssAnonKiB: 48, zeroPtes: 0 });
    // Under a host that forbids the zeropage on read faults the move is the same (no
    // mm_forbids_zeropage() in move_zeropage_pte()).
    const pvm = runModel(script("uffd-move.ops"), {
      kernelVersion: "6.18",
      zeropage: { readFault: false, hugeZeroPage: false, uffdZeropage: true, ksm: true },
    });
    expect(deltas(pvm)).toEqual(deltas(r));
  });

  it("uffd-move-ksm: a KSM page is -EBUSY; a KSM zeropage moves and stays in ksm_zero_pages", () => {
    const r = at("uffd-move-ksm.ops");
    expect(r[8]).toMatchObject({ move: 16384, ksmZeroPages: 512, zeroPtes: 512 });
    expect(r[8]!.rules.map((u) => u.id)).toContain("move_zeropage_pte.ksm");
    expect(r[9]).toMatchObject({ errno: "EBUSY", move: -16, ksmPages: 512 });
    expect(r[12]).toMatchObject({ ksmZeroPages: 4, zeroPtes: 2, ksmPages: 0 });
  });

  it("ksm: use_zero_pages on and off", () => {
    const on = at("ksm-zero-pages.ops");
    expect(on[5]).toMatchObject({ rssAnonKiB: 4096, zeroPtes: 2048, ksmZeroPages: 1024, ksmPages: 0 });
    expect(on[8]).toMatchObject({ rssAnonKiB: 8128, zeroPtes: 1024, ksmZeroPages: 0 });
    const off = at("ksm-no-zero-pages.ops");
    expect(off[4]).toMatchObject({ rssAnonKiB: 8192, zeroPtes: 0, ksmZeroPages: 0, ksmPages: 1024 });
    expect(off[5]!.ksmPages).toBe(1023);
    expect(off[6]!.ksmPages).toBe(0);
  });
});

/** Kernel records from README "Observed on 6.18" (whole-table-dontneed.ops), raw values. */
function observedWholeTable(): KernelRecord[] {
  const rows: [string, number, number, number, number][] = [
    ["region 2048", 0, 0, 0, 0],
    ["write 0 2048 data", 8192, 24, 0, 2048],
    ["dontneed 0 512", 6144, 20, 0, 1536],
    ["dontneed 512 1536", 0, 8, 0, 0],
    ["read 0 1", 0, 12, 1, 1],
    ["write 1024 1 data", 4, 16, 1, 2],
    ["dontneed 0 2048", 0, 8, 0, 0],
  ];
  // The probe's process has its own baseline (here RssAnon 1460 KiB, VmPTE 40 KiB).
  return rows.map(([op, rss, pte, z, p], step) => ({
    step,
    op,
    ok: true,
    errno: null,
    rssAnonKiB: 1460 + rss,
    vmPteKiB: 40 + pte,
    zeroPtes: z,
    presentPages: p,
    thpPmds: 0,
    hugeZeroPmds: 0,
    uffdFaults: 0,
    ksmZeroPages: 0,
    ksmPages: null,
  }));
}

describe("compareRecords", () => {
  const s = script("whole-table-dontneed.ops");

  it("passes the model against the observed 6.18 numbers after subtracting each baseline", () => {
    const model = runModel(s, { kernelVersion: "6.18" });
    const c = compareRecords("whole-table-dontneed.ops", observedWholeTable(), model);
    expect(c.mismatches).toEqual([]);
    // 7 steps × 10 fields (ksmPages null, no uffd bytes: not compared).
    expect(c.fieldsCompared).toBe(70);
    expect(formatComparison(c)).toContain("✓");
  });

  it("catches a perturbed model record with step and both values", () => {
    const model = runModel(s, { kernelVersion: "6.18" });
    const bad = model.map((r) => (r.step === 3 ? { ...r, vmPteKiB: r.vmPteKiB + 4 } : r));
    const c = compareRecords("whole-table-dontneed.ops", observedWholeTable(), bad);
    expect(c.mismatches).toHaveLength(1);
    expect(c.mismatches[0]).toMatchObject({
      step: 3,
      op: "dontneed 512 1536",
      field: "vmPteKiB",
      kernel: 8,
      model: 12,
    });
    const msg = formatMismatches(c.mismatches);
    expect(msg).toContain("step 3 'dontneed 512 1536': vmPteKiB kernel 8, model 12 KiB");
    expect(msg).toContain("pt_reclaim.free_pte");
    expect(formatComparison(c)).toContain("8≠12");
  });

  it("catches a wrong rule: the model without PT reclaim (6.13) against a 6.18 kernel", () => {
    const model = runModel(s, { kernelVersion: "6.13" });
    const c = compareRecords("whole-table-dontneed.ops", observedWholeTable(), model);
    // Without PT reclaim all 4 PTE tables stay; the kernel's count falls to 3, 0, 1, 2, 0.
    expect(c.mismatches.map((m) => [m.step, m.field, m.kernel, m.model])).toEqual([
      [2, "vmPteKiB", 20, 24],
      [2, "pteTables", 3, 4],
      [3, "vmPteKiB", 8, 24],
      [3, "pteTables", 0, 4],
      [4, "vmPteKiB", 12, 24],
      [4, "pteTables", 1, 4],
      [5, "vmPteKiB", 16, 24],
      [5, "pteTables", 2, 4],
      [6, "vmPteKiB", 8, 24],
      [6, "pteTables", 0, 4],
    ]);
    expect(c.mismatches[0]!.rules.join("\n")).toContain("zap_pte_range.table_kept");
  });

  it("derives the kernel's PTE tables from VmPTE minus the region's PMD and PUD table", () => {
    const k = observedWholeTable();
    // dVmPTE 0, 24, 20, 8, 12, 16, 8 KiB: the PUD and PMD table (8 KiB) stay, PTE tables come and go.
    expect(kernelPteTables(k, "0x100000000000")).toEqual([0, 4, 3, 0, 1, 2, 0]);
    // Layouts the derivation does not know: not compared rather than guessed.
    expect(kernelPteTables(k, "0x100000200000")).toEqual([null, null, null, null, null, null, null]);
    const odd = k.map((r, i) => (i === 2 ? { ...r, vmPteKiB: r.vmPteKiB + 2 } : r));
    expect(kernelPteTables(odd, "0x100000000000")[2]).toBeNull();
  });

  it("catches a model that counts a table at the wrong level", () => {
    // Same VmPTE, but one upper-level table booked as a PTE table: only pteTables can tell.
    const model = runModel(s, { kernelVersion: "6.18" });
    const bad = model.map((r) => (r.step === 1 ? { ...r, pteTables: r.pteTables + 1 } : r));
    const c = compareRecords("whole-table-dontneed.ops", observedWholeTable(), bad);
    expect(c.mismatches.map((m) => [m.step, m.field, m.kernel, m.model])).toEqual([[1, "pteTables", 4, 5]]);
    expect(formatComparison(c)).toContain("4≠5");
  });

  it("compares faults op by op and smaps where the kernel reports them; older recordings compare neither", () => {
    const model = runModel(s, { kernelVersion: "6.18" });
    // whole-table-dontneed: 2048 write faults, then 1 read fault and 1 write fault.
    expect(model.map((r) => r.faults)).toEqual([0, 2048, 2048, 2048, 2049, 2050, 2050]);
    const withNew = observedWholeTable().map((r, i) => ({
      ...r,
      faults: model[i]!.faults,
      smapsRssKiB: r.rssAnonKiB - 1460,
      smapsAnonKiB: r.rssAnonKiB - 1460,
      anonHugeKiB: 0,
    }));
    const ok = compareRecords("whole-table-dontneed.ops", withNew, model);
    expect(ok.mismatches).toEqual([]);
    // 4 more fields at each of the 7 steps than the recording without them.
    expect(ok.fieldsCompared).toBe(70 + 7 * 4);
    // One fault too many in step 4: the mismatch is that op's own count, not every later step's.
    const extra = withNew.map((r, i) => (i >= 4 ? { ...r, faults: r.faults + 1 } : r));
    const c = compareRecords("whole-table-dontneed.ops", extra, model);
    expect(c.mismatches.map((m) => [m.step, m.field, m.kernel, m.model])).toEqual([[4, "faults", 2, 1]]);
    expect(formatMismatches(c.mismatches)).toContain(
      "step 4 'read 0 1': faults kernel 2, model 1 (completed faults in this op)",
    );
    // A kernel that counts the zeropage in smaps Rss would be caught.
    const zeroCounted = withNew.map((r, i) => (i === 4 ? { ...r, smapsRssKiB: r.smapsRssKiB + 4 } : r));
    expect(
      compareRecords("x", zeroCounted, model).mismatches.map((m) => [m.step, m.field, m.kernel, m.model]),
    ).toEqual([[4, "smapsRssKiB", 4, 0]]);
  });

  it("reports errno, op text and step-count differences", () => {
    const model = runModel(s, { kernelVersion: "6.18" });
    const kernel = observedWholeTable();
    kernel[4] = { ...kernel[4]!, ok: false, errno: "EFAULT" };
    kernel[5] = { ...kernel[5]!, op: "write 1024 1 zero" };
    const c = compareRecords("x", kernel.slice(0, 6), model);
    expect(c.mismatches.map((m) => [m.step, m.field, m.kernel, m.model])).toEqual([
      [6, "steps", 6, 7],
      [4, "errno", "EFAULT", "ok"],
      [5, "op", "write 1024 1 zero", "write 1024 1 data"],
    ]);
  });
});

describe("main", () => {
  const lines: string[] = [];
  const out = (l: string) => lines.push(l);

  it("skips with a reason off Linux and without a compiler", async () => {
    lines.length = 0;
    expect(await main([], { out, platform: "darwin", required: false })).toBe(0);
    expect(lines).toEqual(["kernel-check: skipped: not Linux (darwin); the probe needs a Linux kernel"]);
    lines.length = 0;
    const noCc = async () => ({ skip: "no C compiler (cc)" });
    expect(await main([], { out, platform: "linux", arch: "x64", buildProbe: noCc, required: false })).toBe(
      0,
    );
    expect(lines).toEqual(["kernel-check: skipped: no C compiler (cc)"]);
  });

  it("fails instead of skipping where the check is required (KERNEL_CHECK_REQUIRED=1, CI)", async () => {
    lines.length = 0;
    const noCc = async () => ({ skip: "no C compiler (cc)" });
    expect(await main([], { out, platform: "linux", arch: "x64", buildProbe: noCc, required: true })).toBe(1);
    expect(lines).toEqual([
      "kernel-check: skipped: no C compiler (cc)",
      "kernel-check: FAILED: KERNEL_CHECK_REQUIRED=1 (CI) and the check did not run",
    ]);
    // Every script skipped by the probe counts as the check not running.
    lines.length = 0;
    const code = await main(["scripts/ksm-zero-pages.ops"], {
      out,
      platform: "linux",
      arch: "x64",
      required: true,
      buildProbe: async () => "probe",
      runProbe: async () => ({ skip: "/sys/kernel/mm/ksm is not writable (needs root)" }),
    });
    expect(code).toBe(1);
    expect(lines.at(-1)).toBe("kernel-check: FAILED: KERNEL_CHECK_REQUIRED=1 (CI) and no script was checked");
  });

  it("reports a script the probe skips, and still checks the others", async () => {
    lines.length = 0;
    const code = await main(["scripts/ksm-zero-pages.ops", "scripts/whole-table-dontneed.ops"], {
      out,
      platform: "linux",
      arch: "x64",
      required: true,
      buildProbe: async () => "probe",
      readCmdline: async () => "",
      runProbe: async (file: string) => {
        if (file.includes("ksm")) return { skip: "/sys/kernel/mm/ksm is not writable (needs root)" };
        if (file.includes(`${path.sep}policy${path.sep}`)) return replayProbe(UPSTREAM)(file);
        const recs: ProbeRecord[] = observedWholeTable().map((r) => ({ ...r, ksmMergingPages: 0 }));
        recs[0] = { ...recs[0]!, base: "0x100000000000", env: { kernel: "6.18.44", thpEnabled: "madvise" } };
        return { records: recs };
      },
    });
    expect(code).toBe(0);
    const text = lines.join("\n");
    expect(text).toContain("ksm-zero-pages.ops: SKIPPED on this machine: /sys/kernel/mm/ksm is not writable");
    expect(text).toMatch(
      /kernel-check: 1 scripts checked, 1 skipped, 0 probe-only \(not compared\), 0 errors; 7 steps, 70 fields compared, 0 mismatches; kernel 6\.18\.44/,
    );
    expect(text).toContain(
      "kernel-check: host policy: read faults map the zeropage, huge zero page on, UFFDIO_ZEROPAGE maps it, KSM use_zero_pages not measured (/sys/kernel/mm/ksm is not writable (needs root))",
    );
  });
});

/**
 * Hosts this machine is not, replayed from fixtures/ (README there): the check measures each one's
 * zeropage policy from its records and compares its scripts under that policy. A wrong model rule
 * under either policy fails, and so does the model run under the wrong policy.
 */
describe("recorded hosts (fixtures/)", () => {
  const hosts: [string, string, string][] = [
    [
      UPSTREAM,
      "",
      "read faults map the zeropage, huge zero page on, UFFDIO_ZEROPAGE maps it, KSM maps it — upstream (the zeropage on every measured path)",
    ],
    [
      PVM,
      "console=ttyS0 pvm_no_zero_page=1 nested_pvm=1",
      "read faults forbid the zeropage, huge zero page off, UFFDIO_ZEROPAGE maps it, KSM maps it (boot option pvm_no_zero_page=1) — not upstream",
    ],
    [
      THP0,
      "",
      "read faults map the zeropage, huge zero page off, UFFDIO_ZEROPAGE maps it, KSM use_zero_pages not measured (no script needs it) (transparent_hugepage/use_zero_page=0) — not upstream",
    ],
  ];

  async function replay(dir: string, cmdline: string, extra: string[] = []) {
    const lines: string[] = [];
    const scripts = (await recordedScripts(dir)).map((f) => path.join(SCRIPTS, f));
    const code = await main([...extra, ...scripts], {
      out: (l) => lines.push(l),
      platform: "linux",
      arch: "x64",
      required: true,
      buildProbe: async () => "probe",
      runProbe: replayProbe(dir),
      readCmdline: async () => cmdline,
    });
    return { code, lines, text: lines.join("\n") };
  }

  it.each(hosts)("%s: the policy line, then 0 mismatches under it", async (dir, cmdline, policy) => {
    expect(path.basename(dir)).toMatch(/-6\.18$/);
    const r = await replay(dir, cmdline);
    expect(r.lines[0]).toBe(`kernel-check: host policy: ${policy}`);
    expect(r.text).toMatch(
      /scripts checked, 0 skipped, \d+ probe-only \(not compared\), 0 errors; \d+ steps, \d+ fields compared, 0 mismatches/,
    );
    expect(r.code, r.lines.filter((l) => l.startsWith("MISMATCH")).join("\n")).toBe(0);
  });

  it.each(hosts)("%s: a wrong rule (no PT reclaim, as before 6.14) fails", async (dir, cmdline) => {
    const r = await replay(dir, cmdline, ["--model-kernel", "6.13"]);
    expect(r.code).toBe(1);
    expect(r.text).toContain("MISMATCH");
    expect(r.text).toMatch(/model rule path:\n(?: {4}.*\n)* {4}zap_pte_range\.table_kept/);
  });

  it("the pvm host compared under upstream's policy fails where reads allocate", async () => {
    const r = await replay(PVM, "pvm_no_zero_page=1", ["--host-policy", "upstream"]);
    expect(r.code).toBe(1);
    expect(r.text).toContain(
      "MISMATCH tools/kernel-check/scripts/read-then-write.ops step 1 'read 0 1024': rssAnonKiB kernel 4096, model 0 KiB (change since step 0); zeroPtes kernel 0, model 1024",
    );
    expect(r.text).toContain("do_anonymous_page.zeropage ×1024 [read fault]");
  });

  it("the upstream host compared under the pvm policy fails too", async () => {
    const r = await replay(UPSTREAM, "", ["--host-policy", "readFault=0,hugeZeroPage=0"]);
    expect(r.code).toBe(1);
    expect(r.text).toContain("do_anonymous_page.host_no_zeropage ×1024 [read fault]");
    expect(r.text).toContain("do_huge_pmd_anonymous_page.no_huge_zero ×512 [read fault]");
  });

  it("a policy the model cannot express fails with one line naming the path, and compares nothing", async () => {
    const half = async (file: string) => {
      const res = await replayProbe(UPSTREAM)(file);
      if ("skip" in res || !file.endsWith("read-fault.ops")) return res;
      const recs = res.records.map((r, i) =>
        i === 1 ? { ...r, zeroPtes: 300, rssAnonKiB: r.rssAnonKiB + 212 * 4 } : r,
      );
      return { records: recs };
    };
    const lines: string[] = [];
    const code = await main([path.join(SCRIPTS, "read-then-write.ops")], {
      out: (l) => lines.push(l),
      platform: "linux",
      arch: "x64",
      required: true,
      buildProbe: async () => "probe",
      runProbe: half,
      readCmdline: async () => "",
    });
    expect(code).toBe(1);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toBe(
      "kernel-check: FAILED: this host's zeropage policy is one the model cannot express: read fault: 512 pages, 300 map the zero page, 512 present, RssAnon +848 KiB",
    );
  });

  it("a recorded script the engine does not model (fork) is printed, not compared", async () => {
    const r = await replay(UPSTREAM, "");
    expect(r.text).toMatch(
      /== \S*fork\.ops {2}\(base 0x[0-9a-f]+, 2048 pages\): PROBE ONLY, not compared: 'fork' \(line 23\): the engine's fork event models only memory marked VM_DONTCOPY/,
    );
    // The child's counts are in the table: no PTE is copied while the region has no anon_vma.
    expect(r.text).toMatch(/child zeroPtes/);
    expect(r.text).toMatch(/1 probe-only \(not compared\)/);
  });

  it("parses --host-policy", () => {
    expect(parseHostPolicy("upstream")).toBe("upstream");
    expect(parseHostPolicy("readFault=0, ksm=1")).toEqual({ readFault: false, ksm: true });
    expect(() => parseHostPolicy("readfault=0")).toThrow(/paths readFault, hugeZeroPage, uffdZeropage, ksm/);
  });
});

/** The real thing, where it can run: Linux on x86_64 with a C compiler. */
function kernelCheckUnavailable(): string | null {
  if (process.platform !== "linux") return `not Linux (${process.platform})`;
  if (process.arch !== "x64") return `not x86_64 (${process.arch})`;
  try {
    execFileSync(process.env.CC || "cc", ["--version"], { stdio: "ignore" });
  } catch {
    return `no C compiler (${process.env.CC || "cc"})`;
  }
  return null;
}

const unavailable = kernelCheckUnavailable();
/** .ci/run sets it: there a skipped kernel check is a failure, not a note. */
const required = process.env.KERNEL_CHECK_REQUIRED === "1";

describe("this kernel", () => {
  if (unavailable) console.log(`kernel check against the running kernel skipped: ${unavailable}`);

  it.runIf(unavailable !== null && required)("runs in CI (KERNEL_CHECK_REQUIRED=1)", () => {
    expect.fail(`KERNEL_CHECK_REQUIRED=1 but the kernel check cannot run here: ${unavailable}`);
  });

  it.skipIf(unavailable !== null)("matches the model on every script", async () => {
    const lines: string[] = [];
    const code = await main([], { out: (l) => lines.push(l) });
    const summary = lines.filter((l) => l.startsWith("kernel-check:")).join("\n");
    // Shown on success too: a script skipped here (no KSM, no userfaultfd) must not go unnoticed.
    const skipped = lines.filter((l) => l.includes(": SKIPPED "));
    console.log([...skipped, summary].join("\n"));
    expect(
      code,
      `${lines.filter((l) => l.startsWith("MISMATCH") || l.includes("ERROR")).join("\n")}\n${summary}`,
    ).toBe(0);
    expect(summary).toMatch(/0 mismatches/);
  });
});

/**
 * The probe's zero-page detection (probe.c setup_counters()): PAGEMAP_SCAN's PAGE_IS_PFNZERO,
 * /proc/kpageflags KPF_ZERO_PAGE, and the PFN UFFDIO_ZEROPAGE maps are independent signals, none of
 * which trusts a read fault. Forced one at a time on scripts that place zero pages by every path
 * and move them with UFFDIO_MOVE (and, for the two that see it, the huge zero page), each available
 * signal must count the same zero PTEs, huge zero PMDs and present pages at every step. A signal
 * the machine lacks is skipped with the probe's reason; at least one must run.
 */
describe("the probe's zero-page signals", () => {
  const signals = ["scan", "kpageflags", "uffd"] as const;
  it.skipIf(unavailable !== null)(
    "agree with each other wherever they can run",
    async () => {
      const probe = await buildProbe();
      if (typeof probe !== "string") throw new Error(probe.skip);
      const scripts = [
        path.join(SCRIPTS, "zeropage-paths.ops"),
        path.join(SCRIPTS, "uffd-zeropage-then-write.ops"),
        path.join(SCRIPTS, "thp-read.ops"),
        path.join(SCRIPTS, "populate-read.ops"),
        path.join(SCRIPTS, "remote-read.ops"),
        path.join(SCRIPTS, "uffd-move.ops"),
      ];
      const counts = (stdout: string) =>
        stdout
          .trim()
          .split("\n")
          .map((l) => JSON.parse(l) as ProbeRecord)
          .map((r) => [r.step, r.zeroPtes, r.hugeZeroPmds, r.presentPages]);
      const ran = new Set<string>();
      for (const script of scripts) {
        const bySignal = new Map<string, unknown>();
        for (const signal of signals) {
          const r = await runProbeBinary(probe, script, { PROBE_ZERO_SIGNAL: signal });
          if (r.code === 3) {
            console.log(`zero signal ${signal} on ${path.basename(script)}: ${r.stdout.trim()}`);
            continue;
          }
          expect(r.code, r.stderr).toBe(0);
          expect(JSON.parse(r.stdout.split("\n")[0]!).env.zeroSignal).toMatch(
            signal === "scan" ? /PAGEMAP_SCAN/ : signal === "kpageflags" ? /kpageflags/ : /UFFDIO_ZEROPAGE/,
          );
          bySignal.set(signal, counts(r.stdout));
          ran.add(signal);
        }
        const [first, ...rest] = [...bySignal.entries()];
        for (const [signal, c] of rest)
          expect(c, `${signal} vs ${first![0]} on ${script}`).toEqual(first![1]);
      }
      expect(ran.size).toBeGreaterThan(0);
    },
    60_000,
  );
});

/**
 * The probe's parser against ops.ts for the ops that came later: the same scripts are rejected
 * with exit 2 and the same "file:line: reason", and accepted ones run.
 */
describe("the probe's parser agrees with ops.ts", () => {
  const cases = [
    "region 16\npopulate-read 0\n",
    "region 16\nremote-read 8 9\n",
    "region 16\nfork 1\n",
    "region 16\nchild-exit\n",
    "region 16\nfork\nfork\n",
    "region 16\nfork\nchild-exit\nchild-exit\n",
    "region 16\ndontfork 1\n",
    "region 16\nuffd-move 0 8 4\n",
    "region 16\nuffd-register\nuffd-move 0 8\n",
    "region 16\nuffd-register\nuffd-move 0 8 0\n",
    "region 16\nuffd-register\nuffd-move 14 0 4\n",
    "region 16\nuffd-register\nuffd-move 0 14 4\n",
    "region 16\nuffd-register\nuffd-move 0 0x8 4\n",
  ];
  it.skipIf(unavailable !== null)(
    "on malformed scripts with the new ops",
    async () => {
      const probe = await buildProbe();
      if (typeof probe !== "string") throw new Error(probe.skip);
      const dir = mkdtempSync(path.join(os.tmpdir(), "kc-parse-"));
      try {
        for (const [i, text] of cases.entries()) {
          const file = path.join(dir, `t${i}.ops`);
          writeFileSync(file, text);
          const r = await runProbeBinary(probe, file);
          let want = "";
          try {
            parseOps(text, file);
          } catch (e) {
            want = (e as Error).message;
          }
          expect(want, text).not.toBe("");
          expect(r.code, text).toBe(2);
          expect(r.stdout).toBe("");
          expect(r.stderr.trim()).toBe(`probe: ${want}`);
        }
        const good = path.join(dir, "good.ops");
        writeFileSync(
          good,
          "region 16\npopulate-read 0 4\nremote-read 4 4\nfork\nchild-exit\ndontfork\nfork\n",
        );
        const r = await runProbeBinary(probe, good);
        expect(r.code, r.stderr).toBe(0);
        expect(r.stdout.trim().split("\n")).toHaveLength(7);
        // uffd-move needs UFFDIO_MOVE (v6.8): run, or skipped (exit 3) with the probe's reason.
        const move = path.join(dir, "move.ops");
        writeFileSync(move, "region 16\nwrite 0 4 data\nuffd-register\nuffd-move 0 8 4\nuffd-move 0 12 4\n");
        const m = await runProbeBinary(probe, move);
        if (m.code === 3) {
          expect(JSON.parse(m.stdout.trim()).skip).toMatch(/./);
        } else {
          expect(m.code, m.stderr).toBe(0);
          const recs = m.stdout
            .trim()
            .split("\n")
            .map((l) => JSON.parse(l) as ProbeRecord);
          expect(recs.map((x) => [x.errno, x.move ?? null])).toEqual([
            [null, null],
            [null, null],
            [null, null],
            [null, 16384],
            ["ENOENT", -2],
          ]);
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
    30_000,
  );
});

const KSM = "/sys/kernel/mm/ksm/";
/** The settings probe.c saves and restores (ksm_precheck(), ksm_restore()). */
const KSM_KNOBS = ["run", "use_zero_pages", "pages_to_scan", "sleep_millisecs", "smart_scan", "advisor_mode"];

function ksmWritable(): boolean {
  try {
    accessSync(`${KSM}run`, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

const ksmKnobs = (): string[] => KSM_KNOBS.filter((k) => existsSync(KSM + k));
const readKsm = (): string[] => ksmKnobs().map((k) => `${k}=${readFileSync(KSM + k, "utf8").trim()}`);

/**
 * The KSM settings, read while holding the probes' lock with flock(1) where it exists, so that a
 * probe of another test run sharing this machine is not caught in the middle of its merge.
 */
function readKsmLocked(probe: string): string[] {
  const lock = execFileSync(probe, ["--ksm-lock-path"], { encoding: "utf8" }).trim();
  const knobs = ksmKnobs();
  let text: string;
  try {
    text = execFileSync("flock", ["-w", "150", lock, "cat", ...knobs.map((k) => KSM + k)], {
      encoding: "utf8",
    });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
    return readKsm();
  }
  const values = text.trim().split("\n");
  expect(values).toHaveLength(knobs.length);
  return knobs.map((k, i) => `${k}=${values[i]!.trim()}`);
}

function runProbeBinary(
  probe: string,
  script: string,
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const opts = { maxBuffer: 16 << 20, env: { ...process.env, ...env } };
    execFile(probe, [script], opts, (err, stdout, stderr) => {
      resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe("KSM settings with probes running at once", () => {
  const ksmUnavailable = unavailable ?? (ksmWritable() ? null : "/sys/kernel/mm/ksm is not writable here");
  it.skipIf(ksmUnavailable !== null)(
    "two concurrent probes leave /sys/kernel/mm/ksm as it was, and both match the model",
    async () => {
      const probe = await buildProbe();
      if (typeof probe !== "string") throw new Error(probe.skip);
      const file = path.join(SCRIPTS, "ksm-zero-pages.ops");
      const before = readKsmLocked(probe);
      const a = runProbeBinary(probe, file);
      // Start the second probe while the first one has the settings changed for its merge: without
      // the lock it would save those and "restore" them at the end.
      let aDone = false;
      void a.then(() => {
        aDone = true;
      });
      const t0 = Date.now();
      while (!aDone && Date.now() - t0 < 20_000 && readKsm().join() === before.join()) {
        await new Promise((r) => setTimeout(r, 2));
      }
      const b = runProbeBinary(probe, file);
      const results = await Promise.all([a, b]);
      expect(readKsmLocked(probe)).toEqual(before);
      const { policy } = await measureHostPolicy({ runProbe, readCmdline: async () => "" });
      const script = parseOps(readFileSync(file, "utf8"), "ksm-zero-pages.ops");
      for (const r of results) {
        expect(r.code, r.stderr).toBe(0);
        const recs = r.stdout
          .trim()
          .split("\n")
          .map((l) => JSON.parse(l) as ProbeRecord);
        const env = recs[0]?.env ?? {};
        const model = runModel(script, {
          kernelVersion: String(env.kernel),
          baseVpn: baseVpnOf(recs[0]?.base ?? "0x100000000000"),
          zeropage: policy,
        });
        expect(formatMismatches(compareRecords("ksm-zero-pages.ops", recs, model).mismatches)).toBe("");
      }
    },
    120_000,
  );
});
