/**
 * Golden numbers from a real kernel: the scripts of tools/kernel-check run on Linux 6.18.44 x86_64
 * (4-level paging, THP madvise, use_zero_page=1, CONFIG_PT_RECLAIM=y), as recorded in that tool's
 * README ("Observed on 6.18", per-script tables). Each step's deltas against step 0 must come out
 * of the x86_64 model unchanged: RssAnon and VmPTE in KiB, zeropage PTEs (Z), present pages (P),
 * THP PMDs (T), huge zero PMDs (H), userfaults (U, cumulative), ioctl result (errno, bytes).
 *
 * The probe's region is one writable private anonymous VMA at 0x100000000000 (a fresh 512 GiB
 * window, so the first touch allocates a PUD, a PMD and a PTE table) with MADV_NOHUGEPAGE; its
 * userfault handler answers every MISSING fault with a one-page UFFDIO_ZEROPAGE and the access
 * resumes.
 */
import { describe, expect, test } from "vitest";
import type { Content } from "./events.ts";
import { VmFlag } from "./mm.ts";
import { Guest } from "./test-support/guest.ts";

interface Step {
  op: string;
  cols: Record<string, string>;
}

/** Parses a README table: a header row, then one row per step. */
function table(text: string): Step[] {
  const rows = text
    .trim()
    .split("\n")
    .map((l) =>
      l
        .split("|")
        .slice(1, -1)
        .map((c) => c.trim()),
    );
  const head = rows[0]!;
  return rows.slice(1).map((r) => {
    const cols: Record<string, string> = {};
    head.forEach((h, i) => {
      cols[h] = r[i]!;
    });
    return { op: cols.op!, cols };
  });
}

const SCRIPTS: Record<string, { pages: number; ksmZeroPages?: boolean; steps: string }> = {
  "read-then-write": {
    pages: 1024,
    steps: `
| step | op                 | RSS | PTE | Z    | P    |
| 1    | read 0 1024        | 0   | 16  | 1024 | 1024 |
| 2    | write 0 1 data     | 4   | 16  | 1023 | 1024 |
| 3    | write 1 1 zero     | 8   | 16  | 1022 | 1024 |
| 4    | write 512 4 data   | 24  | 16  | 1018 | 1024 |
| 5    | read 0 16          | 24  | 16  | 1018 | 1024 |
| 6    | write 1000 24 zero | 120 | 16  | 994  | 1024 |`,
  },
  "write-dontneed-read": {
    pages: 512,
    steps: `
| step | op               | RSS  | PTE | Z   | P   |
| 1    | write 0 512 data | 2048 | 12  | 0   | 512 |
| 2    | dontneed 0 256   | 1024 | 12  | 0   | 256 |
| 3    | read 0 256       | 1024 | 12  | 256 | 512 |
| 4    | write 0 8 data   | 1056 | 12  | 248 | 512 |`,
  },
  "partial-table": {
    pages: 1024,
    steps: `
| step | op                | RSS  | PTE | Z   | P    |
| 1    | write 0 1024 data | 4096 | 16  | 0   | 1024 |
| 2    | dontneed 100 200  | 3296 | 16  | 0   | 824  |
| 3    | dontneed 0 100    | 2896 | 16  | 0   | 724  |
| 4    | dontneed 300 212  | 2048 | 16  | 0   | 512  |
| 5    | read 0 1          | 2048 | 16  | 1   | 513  |`,
  },
  straddle: {
    pages: 3072,
    steps: `
| step | op                   | RSS   | PTE | Z   | P    |
| 1    | write 0 1024 data    | 4096  | 16  | 0   | 1024 |
| 2    | dontneed 256 512     | 2048  | 16  | 0   | 512  |
| 3    | write 1024 2048 data | 10240 | 32  | 0   | 2560 |
| 4    | dontneed 1280 1024   | 6144  | 28  | 0   | 1536 |`,
  },
  "whole-table-dontneed": {
    pages: 2048,
    steps: `
| step | op                | RSS  | PTE | Z   | P    |
| 1    | write 0 2048 data | 8192 | 24  | 0   | 2048 |
| 2    | dontneed 0 512    | 6144 | 20  | 0   | 1536 |
| 3    | dontneed 512 1536 | 0    | 8   | 0   | 0    |
| 4    | read 0 1          | 0    | 12  | 1   | 1    |
| 5    | write 1024 1 data | 4    | 16  | 1   | 2    |
| 6    | dontneed 0 2048   | 0    | 8   | 0   | 0    |`,
  },
  "dontneed-each": {
    pages: 1024,
    steps: `
| step | op                    | RSS  | PTE | Z   | P    |
| 1    | write 0 1024 data     | 4096 | 16  | 0   | 1024 |
| 2    | dontneed-each 0 512   | 2048 | 16  | 0   | 512  |
| 3    | read 0 4              | 2048 | 16  | 4   | 516  |
| 4    | dontneed-each 0 4     | 2048 | 16  | 0   | 512  |
| 5    | dontneed 0 512        | 2048 | 12  | 0   | 512  |
| 6    | dontneed-each 512 512 | 0    | 12  | 0   | 0    |`,
  },
  "zeropage-only-table": {
    pages: 1024,
    steps: `
| step | op               | RSS | PTE | Z    | P    |
| 1    | read 0 1024      | 0   | 16  | 1024 | 1024 |
| 2    | dontneed 0 512   | 0   | 12  | 512  | 512  |
| 3    | dontneed 512 256 | 0   | 12  | 256  | 256  |
| 4    | dontneed 768 256 | 0   | 12  | 0    | 0    |`,
  },
  "large-region": {
    pages: 16384,
    steps: `
| step | op                   | RSS  | PTE | Z     | P     |
| 1    | read 0 16384         | 0    | 136 | 16384 | 16384 |
| 2    | write 0 2048 data    | 8192 | 136 | 14336 | 16384 |
| 3    | dontneed-each 0 4096 | 0    | 136 | 12288 | 12288 |
| 4    | dontneed 4096 8192   | 0    | 72  | 4096  | 4096  |
| 5    | dontneed 0 16384     | 0    | 8   | 0     | 0     |`,
  },
  "uffd-zeropage-then-write": {
    pages: 1024,
    steps: `
| step | op                    | errno  | RSS | PTE | Z   | P   | U   | bytes   |
| 1    | uffd-register         | ok     | 0   | 0   | 0   | 0   | 0   |         |
| 2    | uffd-zeropage 0 512   | ok     | 0   | 12  | 512 | 512 | 0   | 2097152 |
| 3    | write 0 1 data        | ok     | 4   | 12  | 511 | 512 | 0   |         |
| 4    | write 1 1 zero        | ok     | 8   | 12  | 510 | 512 | 0   |         |
| 5    | write 600 1 data      | ok     | 12  | 16  | 510 | 513 | 1   |         |
| 6    | uffd-zeropage 512 512 | EAGAIN | 12  | 16  | 598 | 601 | 1   | 360448  |`,
  },
  "uffd-copy-eexist": {
    pages: 1024,
    steps: `
| step | op                   | errno  | RSS | PTE | Z   | P   | U   | bytes |
| 1    | write 0 16 data      | ok     | 64  | 12  | 0   | 16  | 0   |       |
| 2    | uffd-register        | ok     | 64  | 12  | 0   | 16  | 0   |       |
| 3    | uffd-copy 0 16 data  | EEXIST | 64  | 12  | 0   | 16  | 0   | −17   |
| 4    | uffd-copy 16 16 data | ok     | 128 | 12  | 0   | 32  | 0   | 65536 |
| 5    | uffd-copy 8 16 data  | EEXIST | 128 | 12  | 0   | 32  | 0   | −17   |
| 6    | uffd-copy 40 8 zero  | ok     | 160 | 12  | 0   | 40  | 0   | 32768 |
| 7    | uffd-zeropage 36 8   | EAGAIN | 160 | 12  | 4   | 44  | 0   | 16384 |
| 8    | read 32 4            | ok     | 160 | 12  | 8   | 48  | 4   |       |
| 9    | uffd-zeropage 32 4   | EEXIST | 160 | 12  | 8   | 48  | 4   | −17   |`,
  },
  "thp-read": {
    pages: 2048,
    steps: `
| step | op                   | RSS  | PTE | Z   | P    | T   | H   |
| 1    | thp on               | 0    | 0   | 0   | 0    | 0   | 0   |
| 2    | read 0 1             | 0    | 12  | 0   | 512  | 0   | 1   |
| 3    | read 512 512         | 0    | 16  | 0   | 1024 | 0   | 2   |
| 4    | write 0 1 data       | 2048 | 16  | 0   | 1024 | 1   | 1   |
| 5    | thp off              | 2048 | 16  | 0   | 1024 | 1   | 1   |
| 6    | write 1536 1 data    | 2052 | 20  | 0   | 1025 | 1   | 1   |
| 7    | dontneed-each 1536 1 | 2048 | 20  | 0   | 1024 | 1   | 1   |
| 8    | thp on               | 2048 | 20  | 0   | 1024 | 1   | 1   |
| 9    | read 1536 512        | 2048 | 20  | 512 | 1536 | 1   | 1   |
| 10   | thp off              | 2048 | 20  | 512 | 1536 | 1   | 1   |
| 11   | dontneed 0 2048      | 0    | 8   | 0   | 0    | 0   | 0   |`,
  },
  "thp-write": {
    pages: 2048,
    steps: `
| step | op                 | RSS  | PTE | Z   | P    | T   |
| 1    | thp on             | 0    | 0   | 0   | 0    | 0   |
| 2    | write 0 1 data     | 2048 | 12  | 0   | 512  | 1   |
| 3    | write 512 512 zero | 4096 | 16  | 0   | 1024 | 2   |
| 4    | dontneed 1 1       | 4092 | 16  | 0   | 1023 | 1   |
| 5    | thp off            | 4092 | 16  | 0   | 1023 | 1   |
| 6    | write 1024 1 data  | 4096 | 20  | 0   | 1024 | 1   |
| 7    | dontneed 0 2048    | 0    | 8   | 0   | 0    | 0   |`,
  },
  "ksm-zero-pages": {
    pages: 3072,
    ksmZeroPages: true,
    steps: `
| step | op                   | RSS  | PTE | Z    | P    | KZ   |
| 2    | write 0 1024 zero    | 4096 | 16  | 0    | 1024 | 0    |
| 3    | write 1024 1024 data | 8192 | 24  | 0    | 2048 | 0    |
| 4    | read 2048 1024       | 8192 | 32  | 1024 | 3072 | 0    |
| 5    | ksm-merge            | 4096 | 32  | 2048 | 3072 | 1024 |
| 6    | write 0 16 data      | 4160 | 32  | 2032 | 3072 | 1008 |
| 7    | dontneed 16 16       | 4160 | 32  | 2016 | 3056 | 992  |
| 8    | ksm-unmerge          | 8128 | 32  | 1024 | 3056 | 0    |`,
  },
  "ksm-no-zero-pages": {
    pages: 2048,
    ksmZeroPages: false,
    steps: `
| step | op                   | RSS  | PTE | Z   | P    | KP   |
| 2    | write 0 1024 zero    | 4096 | 16  | 0   | 1024 | 0    |
| 3    | write 1024 1024 data | 8192 | 24  | 0   | 2048 | 0    |
| 4    | ksm-merge            | 8192 | 24  | 0   | 2048 | 1024 |
| 5    | write 0 1 data       | 8192 | 24  | 0   | 2048 | 1023 |
| 6    | ksm-unmerge          | 8192 | 24  | 0   | 2048 | 0    |`,
  },
  "uffd-missing-read": {
    pages: 1024,
    steps: `
| step | op               | RSS | PTE | Z   | P   | U   |
| 1    | read 0 8         | 0   | 12  | 8   | 8   | 0   |
| 2    | uffd-register    | 0   | 12  | 8   | 8   | 0   |
| 3    | read 0 16        | 0   | 12  | 16  | 16  | 8   |
| 4    | dontneed 0 16    | 0   | 12  | 0   | 0   | 8   |
| 5    | read 0 16        | 0   | 12  | 16  | 16  | 24  |
| 6    | write 100 1 data | 4   | 12  | 16  | 17  | 25  |
| 7    | thp on           | 4   | 12  | 16  | 17  | 25  |
| 8    | read 512 1       | 4   | 16  | 17  | 18  | 26  |`,
  },
};

/** Runs one op the way the probe does, answering userfaults as its handler thread does. */
function run(g: Guest, op: string, faults: { n: number }): { errno: string; bytes: number | null } {
  const [name, a, n, c] = op.split(" ");
  const first = Number(a);
  const count = Number(n);
  const access = (kind: "read" | "write", content: Content) => {
    let from = first;
    for (;;) {
      const ranges = [from, first + count - from];
      const r =
        kind === "read"
          ? g.apply({ kind: "fault", mm: 0, access: "read", ranges })
          : g.apply({ kind: "fault", mm: 0, access: "write", ranges, content });
      if (!r.ok) return { errno: r.errno!, bytes: null };
      if (r.rec.userfaultAt < 0) return { errno: "ok", bytes: null };
      faults.n++;
      g.uffdZeropage(r.rec.userfaultAt, 1);
      from = r.rec.userfaultAt;
    }
  };
  const ioctl = (r: ReturnType<Guest["apply"]>) => ({
    errno: r.ok ? (r.errno ?? "ok") : r.errno!,
    bytes: r.ok ? r.rec.footprintPages * 4096 : -17,
  });
  switch (name) {
    case "read":
      return access("read", "zero");
    case "write":
      return access("write", c as Content);
    case "dontneed":
      g.dontneed(first, count);
      return { errno: "ok", bytes: null };
    case "dontneed-each":
      g.dontneed(first, count, 1);
      return { errno: "ok", bytes: null };
    case "thp":
      g.madvise(a === "on" ? "hugepage" : "nohugepage");
      return { errno: "ok", bytes: null };
    case "uffd-register":
      g.uffdRegister();
      return { errno: "ok", bytes: null };
    case "uffd-zeropage":
      return ioctl(g.uffdZeropage(first, count));
    case "uffd-copy":
      return ioctl(g.uffdCopy(first, count, c as Content));
    case "ksm-merge":
      g.madvise("mergeable");
      g.ksmScan();
      return { errno: "ok", bytes: null };
    case "ksm-unmerge":
      g.madvise("unmergeable");
      return { errno: "ok", bytes: null };
    default:
      throw new Error(`unknown op ${op}`);
  }
}

function probeGuest(pages: number, ksmZeroPages = true): Guest {
  return new Guest("x86_64", pages, {
    kernelVersion: "6.18",
    baseVpn: 0x100000000000 / 4096,
    vmaFlags: VmFlag.WRITE | VmFlag.COW | VmFlag.NOHUGEPAGE,
    host: { thp: "madvise", ksmRun: true, ksmUseZeroPages: ksmZeroPages },
  });
}

describe("x86_64 6.18: the model reproduces tools/kernel-check's observed numbers", () => {
  for (const [script, spec] of Object.entries(SCRIPTS)) {
    test(`${script}.ops`, () => {
      const g = probeGuest(spec.pages, spec.ksmZeroPages);
      const faults = { n: 0 };
      for (const step of table(spec.steps)) {
        const out = run(g, step.op, faults);
        const c = g.c;
        const got: Record<string, string> = {
          RSS: String(c.rssAnonBytes / 1024),
          PTE: String(c.vmPteBytes / 1024),
          Z: String(c.zeropagePtes),
          P: String(c.presentPages),
          T: String(c.thpPmds),
          H: String(c.hugeZeroPmds),
          U: String(faults.n),
          KZ: String(c.ksmZeroPages),
          KP: String(c.ksmPages),
          errno: out.errno,
          bytes: out.bytes === null ? "" : String(out.bytes).replace("-", "−"),
        };
        const want: Record<string, string> = {};
        for (const k of Object.keys(step.cols)) if (k in got) want[k] = step.cols[k]!;
        const have: Record<string, string> = {};
        for (const k of Object.keys(want)) have[k] = got[k]!;
        expect(have, `${script} step ${step.cols.step}: ${step.op}`).toEqual(want);
      }
    });
  }

  test("uffd-missing-read.ops step 8, mid-step: the THP-path userfault leaves no PTE table until the handler answers", () => {
    const g = probeGuest(1024);
    const faults = { n: 0 };
    for (const op of [
      "read 0 8",
      "uffd-register",
      "read 0 16",
      "dontneed 0 16",
      "read 0 16",
      "write 100 1 data",
      "thp on",
    ]) {
      run(g, op, faults);
    }
    const r = g.read(512, 1);
    expect(r.rec.userfaultAt).toBe(512);
    expect(g.c.vmPteBytes / 1024).toBe(12);
    g.uffdZeropage(512, 1);
    expect(g.c.vmPteBytes / 1024).toBe(16);
  });
});
