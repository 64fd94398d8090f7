/**
 * Engine benchmark (issue 3): `npm run bench`. Not a test: it prints one table from one run and
 * says whether each target is met; nothing here gates `npm test`.
 *
 *   baseline   a plain loop over a Uint8Array with one byte per 4 KiB page of 100 GiB
 *              (26,214,400 pages), touching (reading and writing) each byte once
 *   100 GiB    KVM_CREATE_VM, read all guest RAM (untouched), MADV_DONTNEED of 40 GiB in one
 *              call, read all guest RAM again; per variant
 *   1 TiB      the same sequence on a 1 TiB guest (2^28 pages; 2^20 s390 page tables)
 *
 * Columns: wall time of the whole sequence (Simulation.apply, trace recording and checkpoints
 * included, plus finish()), its ratio to the baseline pass (and to a first pass over a fresh
 * array, which also pays the page faults), the same case's time as the very first run in the
 * process (cold JIT, as in a new worker), kernel events, checkpoints taken, the peak of heap used +
 * ArrayBuffers (typed arrays live outside the JS heap) sampled after every event (no forced GC
 * between cases, so an upper bound), the time to
 * seek to the middle of the last event (Simulation.worldAt), and RssAnon at the end.
 *
 * Targets: the 100 GiB case takes less time than the baseline pass (ratio < 1); the 1 TiB case
 * runs in under 2 s with under 512 MB of heap.
 */
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import type { KernelEvent } from "../src/engine/events.ts";
import type { MmConfig } from "../src/engine/mm.ts";
import { Simulation } from "../src/engine/simulation.ts";
import type { VariantId } from "../src/engine/variants.ts";

const KiB = 1024;
const MiB = 1024 * KiB;
const GiB = 1024 * MiB;
const TiB = 1024 * GiB;
const PAGE = 4 * KiB;

// A full collection before the measurements start. Not between cases: a forced (memory-reducing)
// GC makes V8 drop compiled code, and the next case would time the JIT instead of the engine. So
// "peak heap" is an upper bound that may include earlier cases' garbage. Without --expose-gc the
// flag can still be set at run time; gc() is then fetched from a fresh context.
setFlagsFromString("--expose-gc");
const gc: () => void = (globalThis as { gc?: () => void }).gc ?? (runInNewContext("gc") as () => void);

function heapBytes(): number {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

function baseline(pages: number): { coldMs: number; warmMs: number } {
  const bytes = new Uint8Array(pages);
  let t = performance.now();
  for (let i = 0; i < pages; i++) bytes[i] = (bytes[i]! + 1) & 0xff;
  const coldMs = performance.now() - t;
  t = performance.now();
  for (let i = 0; i < pages; i++) bytes[i] = (bytes[i]! + 1) & 0xff;
  const warmMs = performance.now() - t;
  if (bytes[pages >> 1] !== 2) throw new Error("baseline loop did not run");
  return { coldMs, warmMs };
}

function config(variant: VariantId, bytes: number): MmConfig {
  return {
    name: "guest",
    host: {
      name: "host",
      memLimitBytes: Number.POSITIVE_INFINITY,
      ksmRun: false,
      ksmUseZeroPages: false,
      thp: "never",
    },
    variant,
    kernelVersion: variant === "x86_64" ? "6.18" : "6.10",
    pages: bytes / PAGE,
  };
}

function sequence(pages: number): KernelEvent[] {
  const balloon = Math.min((40 * GiB) / PAGE, Math.floor(pages * 0.4)); // 40 GiB (40% of a small warm-up guest)
  return [
    { kind: "kvm_create_vm", mm: 0 },
    { kind: "fault", mm: 0, access: "read", ranges: [0, pages] },
    { kind: "madvise", mm: 0, advice: "dontneed", ranges: [pages - balloon, balloon] },
    { kind: "fault", mm: 0, access: "read", ranges: [0, pages] },
  ];
}

interface Row {
  case: string;
  variant: VariantId;
  ms: number;
  events: number;
  checkpoints: number;
  peakBytes: number;
  seekMs: number;
  rssAnonBytes: number;
}

function runCase(label: string, variant: VariantId, bytes: number): Row {
  const events = sequence(bytes / PAGE);
  let peak = heapBytes();
  const t0 = performance.now();
  const sim = new Simulation([config(variant, bytes)]);
  for (const e of events) {
    const r = sim.apply(e);
    if (!r.ok) throw new Error(`${label} ${variant}: ${r.errno} ${r.message}`);
    peak = Math.max(peak, heapBytes());
  }
  const trace = sim.finish();
  const ms = performance.now() - t0;
  peak = Math.max(peak, heapBytes());
  const last = trace.events - 1;
  const t1 = performance.now();
  const w = sim.worldAt({ event: last, done: Math.floor(trace.footprintPages[last]! / 2) });
  const seekMs = performance.now() - t1;
  peak = Math.max(peak, heapBytes());
  const rss = w.mms[0]!.pt.stateCounts;
  return {
    case: label,
    variant,
    ms,
    events: trace.events,
    checkpoints: sim.checkpointCount,
    peakBytes: peak,
    seekMs,
    rssAnonBytes: (rss[4]! + rss[5]! + rss[6]! + rss[7]!) * PAGE,
  };
}

function fmt(n: number, digits = 1): string {
  return n.toFixed(digits);
}

function printTable(head: string[], rows: string[][]): void {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  console.log(line(head));
  console.log(widths.map((w) => "-".repeat(w)).join("  "));
  for (const r of rows) console.log(line(r));
}

const VARIANTS: VariantId[] = ["s390-fa41ba0d", "s390-06201e00", "x86_64"];

// The baseline first, and its 25 MiB array collected before any engine run is timed.
const pages100 = (100 * GiB) / PAGE;
const base = baseline(pages100);
gc();

// First runs in a fresh process (what a new browser worker sees: the JIT has not compiled the
// engine yet), then two untimed warm-up runs per variant, then the measured runs.
const firstRun = new Map<VariantId, number>();
for (const v of VARIANTS) firstRun.set(v, runCase("first run", v, 100 * GiB).ms);
for (let i = 0; i < 2; i++) for (const v of VARIANTS) runCase("warm-up", v, 100 * GiB);

const rows: Row[] = [];
for (const v of VARIANTS) rows.push(runCase("100 GiB", v, 100 * GiB));
for (const v of VARIANTS) rows.push(runCase("1 TiB", v, TiB));

console.log(`Zeropage Lab engine benchmark (node ${process.version}, ${process.arch})`);
console.log(
  `baseline: one byte per 4 KiB page of 100 GiB (${pages100.toLocaleString("en-US")} pages), each touched once: ` +
    `${fmt(base.warmMs)} ms (second pass over the array; the ratio uses this), ` +
    `${fmt(base.coldMs)} ms (first pass over a fresh array, page faults included)`,
);
console.log("sequence: KVM_CREATE_VM, read all RAM, MADV_DONTNEED 40 GiB (one call), read all RAM again");
console.log(
  "measured after two warm-up runs per variant; 'first run' is the same 100 GiB case in a fresh process\n",
);
printTable(
  [
    "case",
    "variant",
    "wall ms",
    "ratio",
    "ratio (fresh)",
    "first run ms",
    "events",
    "checkpoints",
    "peak heap MB",
    "seek ms",
    "RssAnon at end",
  ],
  rows.map((r) => [
    r.case,
    r.variant,
    fmt(r.ms),
    fmt(r.ms / base.warmMs, 3),
    fmt(r.ms / base.coldMs, 3),
    r.case === "100 GiB" ? fmt(firstRun.get(r.variant)!) : "",
    String(r.events),
    String(r.checkpoints),
    fmt(r.peakBytes / MiB),
    fmt(r.seekMs),
    `${fmt(r.rssAnonBytes / GiB, 0)} GiB`,
  ]),
);

console.log("\ntargets:");
const targets: [string, boolean, string][] = [];
for (const r of rows.filter((x) => x.case === "100 GiB")) {
  const ratio = r.ms / base.warmMs;
  targets.push([
    `100 GiB ${r.variant}: ratio < 1`,
    ratio < 1,
    `ratio ${fmt(ratio, 3)}; first run ${fmt(firstRun.get(r.variant)! / base.warmMs, 3)}`,
  ]);
}
for (const r of rows.filter((x) => x.case === "1 TiB")) {
  targets.push([`1 TiB ${r.variant}: under 2 s`, r.ms < 2000, `${fmt(r.ms)} ms`]);
  targets.push([
    `1 TiB ${r.variant}: under 512 MB heap`,
    r.peakBytes < 512 * MiB,
    `${fmt(r.peakBytes / MiB)} MB`,
  ]);
}
for (const [what, met, figure] of targets)
  console.log(`  ${met ? "met    " : "MISSED "} ${what} (${figure})`);
