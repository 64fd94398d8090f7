/**
 * One case of the engine benchmark in a fresh process, the way a new worker or a CLI run meets
 * the engine: nothing compiled by the JIT yet. bench/engine.bench.ts bundles this file with Vite
 * (the same build as the CLI's) and runs `node engine-fresh.js '<case as JSON>'` once per sample.
 *
 * It times one per-page pass over a fresh array of the guest's RAM (the baseline, as cold as the
 * run: its array has not been touched and its loop not compiled), then the case itself, once, and
 * prints one JSON line: { passMs, passCpuMs, ms, cpuMs, heapBytes, events }: wall and CPU time
 * (the process's, JIT and GC threads included) of each, and what the run added at its peak to the
 * heap (used + ArrayBuffers) of this process.
 */
import { type Case, casePages, heapBytes, perPagePass, runCase } from "./engine-cases.ts";

const c = JSON.parse(process.argv[2] ?? "null") as Case | null;
if (!c) throw new Error("usage: node engine-fresh.js '<case as JSON>'");

const bytes = new Uint8Array(casePages(c));
const passCpu = process.cpuUsage();
let t = performance.now();
perPagePass(bytes);
const passMs = performance.now() - t;
const passUsed = process.cpuUsage(passCpu);
const passCpuMs = (passUsed.user + passUsed.system) / 1000;

const before = heapBytes();
const cpu = process.cpuUsage();
t = performance.now();
const run = runCase(c);
const ms = performance.now() - t;
const used = process.cpuUsage(cpu);
const cpuMs = (used.user + used.system) / 1000;
console.log(
  JSON.stringify({ passMs, passCpuMs, ms, cpuMs, heapBytes: run.peakHeapBytes - before, events: run.events }),
);
