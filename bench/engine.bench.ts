/**
 * Engine and CLI benchmark: `npm run bench`. Not a test: it prints tables from
 * one run and says whether each target is met; nothing here gates `npm test`. Every figure is a
 * ratio against a baseline measured in the same run, on the same machine, under the same load.
 *
 * Baseline: one plain per-page pass over the guest's RAM, a loop over a Uint8Array with one byte
 * per 4 KiB page (26,214,400 for 100 GiB), reading and writing each byte once.
 *
 * 1. Every preset under every kernel it names (bench/engine-cases.ts runs it as the worker does:
 *    scenario/compile.ts, trace and checkpoints included):
 *    - fresh: the run in a new Node process (bench/engine-fresh.ts, bundled with Vite like the
 *      CLI), against the pass over a fresh array in that process; best of FRESH_SAMPLES processes;
 *      also as CPU time (the process's, JIT and GC threads included), which a loaded machine
 *      disturbs less than wall time;
 *    - warm: the run after two warm-up runs in this process, against a second pass over the same
 *      array (both JIT-compiled), the pass and the run interleaved sample by sample; best of
 *      WARM_SAMPLES each; also as the process's CPU time;
 *    - seek p95: Simulation.worldAt to SEEKS random positions afterwards (what a seek costs the
 *      worker); heap: what the run adds at its peak to heap used + ArrayBuffers (sampled after
 *      each action), in the fresh process where there is one.
 *    Target: both ratios below 1 for the 100 GiB presets.
 *    The smaller presets are shown too; a pass over a few GiB takes a few milliseconds, less than
 *    the fixed cost of the events they record, so they carry no target.
 * 2. Extra rows: the synthetic sequence at 100 GiB and 1 TiB, and the commit's story
 *    at 1 TiB (target: it runs, its heap figure reported, under 512 MB).
 * 3. The CLI, as whole processes (bin/zeropage-lab.mjs, built by `npm run build:cli` first):
 *    `zeropage-lab presets` (target: at most 150 ms; a bare `node -e 0` and `npx zeropage-lab
 *    presets` shown beside it: npx's own start is npm's), and `zeropage-lab run commit-06201e00
 *    --kernel s390-fa41ba0d --json` against a whole node process doing the per-page pass over
 *    100 GiB (target: ratio below 1). Best of CLI_SAMPLES, interleaved.
 *
 * Flags: --quick (fewer samples), --only <preset-id> (one preset, no extra rows, no CLI).
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { Prng } from "../src/base/prng.ts";
import { GiB, MiB, PAGE_SIZE, TiB } from "../src/base/units.ts";
import { VARIANTS, type VariantId } from "../src/engine/variants.ts";
import { PRESETS } from "../src/scenario/presets/index.ts";
import { type Case, casePages, heapBytes, perPagePass, runCase } from "./engine-cases.ts";

const ROOT = join(import.meta.dirname, "..");
const args = process.argv.slice(2);
const QUICK = args.includes("--quick");
const ONLY = args.includes("--only") ? args[args.indexOf("--only") + 1] : undefined;
const FRESH_SAMPLES = QUICK ? 1 : 3;
const WARM_SAMPLES = QUICK ? 2 : 5;
const CLI_SAMPLES = QUICK ? 3 : 7;
const SEEKS = 100;
const FRESH_DIR = join(ROOT, "node_modules", ".cache", "zeropage-lab-bench");

/** The presets with a target: every 100 GiB preset. */
const TARGET_GUEST_BYTES = 100 * GiB;

// ---------------------------------------------------------------------------------------------
// Building: the fresh-process runner, and the CLI (as `npm run build:cli` does).

async function buildAll(): Promise<void> {
  const { build } = await import("vite");
  await build({
    root: ROOT,
    configFile: false,
    logLevel: "warn",
    publicDir: false,
    ssr: { noExternal: true, target: "node" },
    build: {
      ssr: join(ROOT, "bench", "engine-fresh.ts"),
      outDir: FRESH_DIR,
      emptyOutDir: true,
      target: "node20",
      minify: false,
      rolldownOptions: { output: { entryFileNames: "engine-fresh.js" } },
    },
  });
  const cliConfig = join(ROOT, "vite.cli.config.ts");
  if (existsSync(cliConfig)) await build({ root: ROOT, configFile: cliConfig });
}

// ---------------------------------------------------------------------------------------------
// Measuring.

interface Row {
  readonly label: string;
  readonly kernel: VariantId;
  readonly guest: string;
  readonly target: boolean;
  readonly events: number;
  readonly outcome: string;
  readonly fresh: Fresh | null;
  readonly warm: { ms: number; passMs: number; cpuMs: number; passCpuMs: number };
  readonly seekP95: number;
  readonly peakHeapBytes: number;
  readonly checkpoints: number;
}

function percentile(xs: readonly number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] ?? Number.NaN;
}

function best(xs: readonly number[]): number {
  return Math.min(...xs);
}

interface Fresh {
  ms: number;
  passMs: number;
  cpuMs: number;
  passCpuMs: number;
  heapBytes: number;
}

function freshRun(c: Case): Fresh {
  const samples: Fresh[] = [];
  for (let i = 0; i < FRESH_SAMPLES; i++) {
    const r = spawnSync(process.execPath, [join(FRESH_DIR, "engine-fresh.js"), JSON.stringify(c)], {
      encoding: "utf8",
      maxBuffer: 1 << 20,
    });
    if (r.status !== 0) throw new Error(`fresh run of ${JSON.stringify(c)} failed:\n${r.stderr}`);
    samples.push(JSON.parse(r.stdout) as Fresh);
  }
  return {
    ms: best(samples.map((s) => s.ms)),
    passMs: best(samples.map((s) => s.passMs)),
    cpuMs: best(samples.map((s) => s.cpuMs)),
    passCpuMs: best(samples.map((s) => s.passCpuMs)),
    heapBytes: Math.max(...samples.map((s) => s.heapBytes)),
  };
}

/** This process's CPU time (every thread: JIT and GC included), in milliseconds. */
function cpuNow(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

function measure(c: Case, label: string, target: boolean, withFresh: boolean): Row {
  const fresh = withFresh ? freshRun(c) : null;
  let last = runCase(c);
  last = runCase(c);
  // The pass is interleaved with the runs, sample by sample, so both see the same moments of a
  // shared machine's load (one pass measured once was every row's baseline, whatever the load
  // was while each row ran).
  const array = new Uint8Array(casePages(c));
  perPagePass(array);
  const times: number[] = [];
  const cpus: number[] = [];
  const passes: number[] = [];
  const passCpus: number[] = [];
  let added = 0;
  for (let i = 0; i < WARM_SAMPLES; i++) {
    let t = performance.now();
    let u = cpuNow();
    perPagePass(array);
    passes.push(performance.now() - t);
    passCpus.push(cpuNow() - u);
    const before = heapBytes();
    t = performance.now();
    u = cpuNow();
    last = runCase(c);
    times.push(performance.now() - t);
    cpus.push(cpuNow() - u);
    added = Math.max(added, last.peakHeapBytes - before);
  }
  const prng = new Prng(15);
  const seeks: number[] = [];
  for (let i = 0; i < SEEKS; i++) {
    const event = prng.int(0, last.events - 1);
    const done = prng.int(0, Math.max(0, last.footprint(event)));
    const t = performance.now();
    last.simulation.worldAt({ event, done });
    seeks.push(performance.now() - t);
  }
  const pages = casePages(c);
  const bytes = pages * PAGE_SIZE;
  return {
    label,
    kernel: c.kernel,
    guest: bytes >= TiB ? `${bytes / TiB} TiB` : bytes >= GiB ? `${bytes / GiB} GiB` : `${bytes / MiB} MiB`,
    target,
    events: last.events,
    outcome: last.outcome,
    fresh,
    warm: { ms: best(times), passMs: best(passes), cpuMs: best(cpus), passCpuMs: best(passCpus) },
    seekP95: percentile(seeks, 95),
    // What the run adds to the heap at its peak: in a fresh process where there is one.
    peakHeapBytes: fresh ? fresh.heapBytes : added,
    checkpoints: last.checkpoints,
  };
}

interface CliFigures {
  presetsMs: number;
  nodeMs: number;
  npxMs: number;
  runMs: number;
  passProcessMs: number;
  runOk: boolean;
}

function wallOf(cmd: string, argv: readonly string[]): { ms: number; ok: boolean } {
  const t = performance.now();
  const r = spawnSync(cmd, argv, { cwd: ROOT, encoding: "utf8", maxBuffer: 1 << 24 });
  return { ms: performance.now() - t, ok: r.status === 0 };
}

const PASS_PROCESS = `const n = ${(100 * GiB) / PAGE_SIZE}; const b = new Uint8Array(n);
for (let i = 0; i < n; i++) b[i] = (b[i] + 1) & 0xff;
if (b[n >> 1] !== 1) throw new Error("the pass did not run");`;

function measureCli(): CliFigures {
  const bin = join(ROOT, "bin", "zeropage-lab.mjs");
  const presets: number[] = [];
  const node: number[] = [];
  const run: number[] = [];
  const pass: number[] = [];
  let runOk = true;
  for (let i = 0; i < CLI_SAMPLES; i++) {
    presets.push(wallOf(process.execPath, [bin, "presets"]).ms);
    node.push(wallOf(process.execPath, ["-e", "0"]).ms);
    const r = wallOf(process.execPath, [
      bin,
      "run",
      "commit-06201e00",
      "--kernel",
      "s390-fa41ba0d",
      "--json",
    ]);
    runOk &&= r.ok;
    run.push(r.ms);
    pass.push(wallOf(process.execPath, ["-e", PASS_PROCESS]).ms);
  }
  const npx: number[] = [];
  for (let i = 0; i < Math.min(3, CLI_SAMPLES); i++) npx.push(wallOf("npx", ["zeropage-lab", "presets"]).ms);
  return {
    presetsMs: best(presets),
    nodeMs: best(node),
    npxMs: best(npx),
    runMs: best(run),
    passProcessMs: best(pass),
    runOk,
  };
}

// ---------------------------------------------------------------------------------------------
// Printing.

function fmt(n: number, digits = 1): string {
  return Number.isFinite(n) ? n.toFixed(digits) : "–";
}

function printTable(head: string[], rows: string[][], leftColumns = 3): void {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i < leftColumns ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  console.log(line(head));
  console.log(widths.map((w) => "-".repeat(w)).join("  "));
  for (const r of rows) console.log(line(r));
}

function rowCells(r: Row): string[] {
  const fr = r.fresh;
  return [
    r.label,
    `${VARIANTS[r.kernel].letter} ${r.kernel}`,
    r.guest,
    fr ? fmt(fr.ms) : "–",
    fr ? fmt(fr.passMs) : "–",
    fr ? fmt(fr.ms / fr.passMs, 2) : "–",
    fr ? fmt(fr.cpuMs / fr.passCpuMs, 2) : "–",
    fmt(r.warm.ms),
    fmt(r.warm.passMs),
    fmt(r.warm.ms / r.warm.passMs, 2),
    fmt(r.warm.cpuMs / r.warm.passCpuMs, 2),
    fmt(r.seekP95),
    fmt(r.peakHeapBytes / MiB, 0),
    String(r.events),
    String(r.checkpoints),
    r.outcome,
  ];
}

const HEAD = [
  "case",
  "kernel",
  "guest",
  "fresh ms",
  "pass ms",
  "ratio",
  "cpu ratio",
  "warm ms",
  "pass ms",
  "ratio",
  "cpu ratio",
  "seek p95",
  "heap MB",
  "events",
  "checkpoints",
  "outcome",
];

// ---------------------------------------------------------------------------------------------

console.log("building the fresh-process runner and the CLI (vite)…");
await buildAll();

const presetRows: Row[] = [];
for (const p of PRESETS) {
  if (ONLY && p.id !== ONLY) continue;
  for (const k of p.variants) {
    const c: Case = { kind: "preset", preset: p.id, kernel: k };
    const target = casePages(c) * PAGE_SIZE === TARGET_GUEST_BYTES;
    presetRows.push(measure(c, p.id, target, true));
    process.stdout.write(".");
  }
}
const extraRows: Row[] = [];
if (!ONLY) {
  for (const k of ["s390-fa41ba0d", "s390-06201e00", "x86_64"] as const) {
    extraRows.push(measure({ kind: "synthetic", kernel: k, bytes: 100 * GiB }, "synthetic", false, true));
    process.stdout.write(".");
  }
  for (const k of ["s390-fa41ba0d", "s390-06201e00", "x86_64"] as const) {
    extraRows.push(measure({ kind: "synthetic", kernel: k, bytes: TiB }, "synthetic", false, false));
    process.stdout.write(".");
  }
  for (const k of ["s390-fa41ba0d", "s390-06201e00", "x86_64"] as const) {
    const c: Case = { kind: "preset", preset: "commit-06201e00", kernel: k, scale: 10.24 };
    extraRows.push(measure(c, "commit-06201e00 ×10.24", false, true));
    process.stdout.write(".");
  }
}
const cli = ONLY ? null : measureCli();
console.log("\n");

console.log(`Zeropage Lab engine benchmark (node ${process.version}, ${process.arch})`);
console.log(
  "baseline: one plain per-page pass over the guest's RAM (a byte per 4 KiB page); ratio = run / pass, in the same process",
);
console.log(
  `fresh: a new Node process per sample, pass over a fresh array then the run (best of ${FRESH_SAMPLES}; cpu ratio: the same in CPU time, JIT and GC threads included)`,
);
console.log(
  `warm: after two warm-up runs, against a second pass over the same array, interleaved (best of ${WARM_SAMPLES}; cpu ratio: in CPU time); seek p95: worldAt() to ${SEEKS} random positions; heap: what the run adds at its peak (used + ArrayBuffers; fresh process)\n`,
);
console.log("every preset under every kernel it names:");
printTable(HEAD, presetRows.map(rowCells));
if (extraRows.length > 0) {
  console.log("\nextra rows: the synthetic sequence (100 GiB, 1 TiB) and the commit's story at 1 TiB:");
  printTable(HEAD, extraRows.map(rowCells));
}
if (cli) {
  console.log(`\nCLI, whole processes (best of ${CLI_SAMPLES}; npx best of ${Math.min(3, CLI_SAMPLES)}):`);
  printTable(
    ["command", "ms"],
    [
      ["zeropage-lab presets (node bin/zeropage-lab.mjs presets)", fmt(cli.presetsMs)],
      ["node -e 0 (node's own start)", fmt(cli.nodeMs)],
      ["npx zeropage-lab presets (npm exec, then the same process)", fmt(cli.npxMs)],
      ["zeropage-lab run commit-06201e00 --kernel s390-fa41ba0d --json", fmt(cli.runMs)],
      ["node -e <per-page pass over 100 GiB>", fmt(cli.passProcessMs)],
    ],
    1,
  );
}

console.log("\ntargets:");
const targets: [string, boolean, string][] = [];
for (const r of presetRows.filter((x) => x.target)) {
  const fr = r.fresh!;
  targets.push([
    `${r.label} ${r.kernel}: fresh ratio < 1`,
    fr.ms / fr.passMs < 1,
    `${fmt(fr.ms / fr.passMs, 2)} (${fmt(fr.ms)} ms vs ${fmt(fr.passMs)} ms)`,
  ]);
  targets.push([
    `${r.label} ${r.kernel}: warm ratio < 1`,
    r.warm.ms / r.warm.passMs < 1,
    `${fmt(r.warm.ms / r.warm.passMs, 2)} (${fmt(r.warm.ms)} ms vs ${fmt(r.warm.passMs)} ms)`,
  ]);
}
for (const r of extraRows.filter((x) => x.label.startsWith("commit-06201e00"))) {
  targets.push([
    `${r.label} (${r.guest}) ${r.kernel}: runs, heap under 512 MB`,
    r.outcome === "completed" && r.peakHeapBytes < 512 * MiB,
    `${r.outcome}, ${fmt(r.peakHeapBytes / MiB, 0)} MB, ${fmt(r.warm.ms)} ms warm (ratio ${fmt(r.warm.ms / r.warm.passMs, 2)})`,
  ]);
}
if (cli) {
  targets.push([
    "CLI: zeropage-lab presets starts in at most 150 ms (whole process)",
    cli.presetsMs <= 150,
    `${fmt(cli.presetsMs)} ms; node alone ${fmt(cli.nodeMs)} ms; through npx ${fmt(cli.npxMs)} ms`,
  ]);
  targets.push([
    "CLI: run commit-06201e00 --kernel s390-fa41ba0d --json / node doing the per-page pass over 100 GiB < 1",
    cli.runOk && cli.runMs / cli.passProcessMs < 1,
    `${fmt(cli.runMs / cli.passProcessMs, 2)} (${fmt(cli.runMs)} ms vs ${fmt(cli.passProcessMs)} ms)${cli.runOk ? "" : "; the run failed"}`,
  ]);
}
for (const [what, met, figure] of targets) console.log(`  ${met ? "met    " : "MISSED "} ${what}: ${figure}`);
const missed = targets.filter((t) => !t[1]).length;
console.log(`\n${targets.length - missed} of ${targets.length} targets met`);
console.log(`heap now: ${fmt(heapBytes() / MiB, 0)} MB`);
