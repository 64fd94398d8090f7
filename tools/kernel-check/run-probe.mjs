// Builds and runs the kernel-side probe (probe.c) of the model-vs-kernel checker.
//
//   import { buildProbe, runProbe } from "./tools/kernel-check/run-probe.mjs";
//   const res = await runProbe("tools/kernel-check/scripts/read-then-write.ops");
//   if ("skip" in res) ... else res.records
//
// Run directly to print records as a table (deltas against step 0):
//   node tools/kernel-check/run-probe.mjs [--json] [script.ops ...]
// Without scripts it runs every scripts/*.ops. No dependencies.

import { execFile } from "node:child_process";
import { mkdir, readdir, rename, rm, stat } from "node:fs/promises";
import path from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const SOURCE = path.join(HERE, "probe.c");
const BUILD_DIR = path.join(HERE, "build");
const BINARY = path.join(BUILD_DIR, "probe");
const CFLAGS = ["-O2", "-Wall", "-Wextra", "-std=gnu11", "-pthread"];

/**
 * One line of probe output. Fields as documented in README.md.
 * @typedef {object} ProbeRecord
 * @property {number} step
 * @property {string} op
 * @property {boolean} ok
 * @property {string | null} errno
 * @property {number} rssAnonKiB
 * @property {number} vmPteKiB
 * @property {number} zeroPtes
 * @property {number} presentPages
 * @property {number} thpPmds
 * @property {number} hugeZeroPmds
 * @property {number} uffdFaults
 * @property {number | null} ksmZeroPages
 * @property {number | null} ksmMergingPages
 * @property {number | null} ksmPages
 * @property {number} [faults]
 * @property {number} [majorFaults]
 * @property {number} [smapsRssKiB]
 * @property {number} [smapsAnonKiB]
 * @property {number} [anonHugeKiB]
 * @property {number | null} [hostThpFaultAlloc]
 * @property {number | null} [hostThpZeroPageAlloc]
 * @property {number} [zeropage]
 * @property {number} [copy]
 * @property {number} [move]
 * @property {number} [remoteRead]
 * @property {Record<string, number>} [child]
 * @property {number} [ksmFullScans]
 * @property {number} [ksmWaitMs]
 * @property {string} [base]
 * @property {Record<string, unknown>} [env]
 */

/** @typedef {{ skip: string }} Skip */

/**
 * @param {string} file
 * @param {string[]} args
 * @returns {Promise<{ code: number, stdout: string, stderr: string }>}
 */
function run(file, args) {
  return new Promise((resolve, reject) => {
    execFile(file, args, { maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err && typeof err.code !== "number") {
        reject(err);
        return;
      }
      resolve({ code: err ? Number(err.code) : 0, stdout, stderr });
    });
  });
}

/**
 * @param {string} file
 * @returns {Promise<number>} mtime in ms, or -1 if missing
 */
async function mtime(file) {
  try {
    return (await stat(file)).mtimeMs;
  } catch {
    return -1;
  }
}

/**
 * Compile probe.c into build/probe (only when the source is newer).
 * @returns {Promise<string | Skip>} the binary path, or a skip reason
 */
export async function buildProbe() {
  if (process.platform !== "linux") return { skip: `not Linux (${process.platform})` };
  const cc = process.env.CC || "cc";
  if ((await mtime(BINARY)) >= (await mtime(SOURCE))) return BINARY;
  await mkdir(BUILD_DIR, { recursive: true });
  /** @type {{ code: number, stdout: string, stderr: string }} */
  let res;
  // Compile next to the binary and rename over it: a probe another test run starts meanwhile
  // executes either the old binary or the new one, never a half-written file.
  const tmp = `${BINARY}.${process.pid}.tmp`;
  try {
    res = await run(cc, [...CFLAGS, "-o", tmp, SOURCE]);
  } catch (e) {
    const code = /** @type {NodeJS.ErrnoException} */ (e).code;
    if (code === "ENOENT") return { skip: `no C compiler (${cc})` };
    throw e;
  }
  if (res.code !== 0) {
    await rm(tmp, { force: true });
    throw new Error(`compiling probe.c failed:\n${res.stderr}`);
  }
  if (res.stderr.trim()) process.stderr.write(res.stderr);
  await rename(tmp, BINARY);
  return BINARY;
}

/**
 * Run one op script on this kernel.
 * @param {string} scriptPath
 * @returns {Promise<Skip | { records: ProbeRecord[] }>}
 */
export async function runProbe(scriptPath) {
  const bin = await buildProbe();
  if (typeof bin !== "string") return bin;
  const res = await run(bin, [scriptPath]);
  const lines = res.stdout.split("\n").filter((l) => l.trim() !== "");
  if (res.code === 3) {
    const first = lines.length ? JSON.parse(lines[0]) : {};
    return { skip: typeof first.skip === "string" ? first.skip : "probe skipped" };
  }
  if (res.code !== 0) {
    throw new Error(`probe ${scriptPath} exited with ${res.code}:\n${res.stderr}`);
  }
  if (res.stderr.trim()) process.stderr.write(res.stderr);
  return { records: lines.map((l) => /** @type {ProbeRecord} */ (JSON.parse(l))) };
}

/**
 * @param {ProbeRecord[]} records
 * @returns {string}
 */
export function formatTable(records) {
  if (records.length === 0) return "(no records)";
  const base = records[0];
  /** @param {number | null | undefined} v */
  const n = (v) => (v === null || v === undefined ? "-" : String(v));
  const head =
    "step op ok errno dRssAnon dVmPTE zeroPtes present thp hzPmd uffd ksmZero ksmPg faults smRss smAnon anonHuge extra";
  /** @type {string[][]} */
  const rows = [head.split(" ")];
  for (const r of records) {
    /** @type {string[]} */
    const extra = [];
    if (r.zeropage !== undefined) extra.push(`zeropage=${r.zeropage}`);
    if (r.copy !== undefined) extra.push(`copy=${r.copy}`);
    if (r.move !== undefined) extra.push(`move=${r.move}`);
    if (r.remoteRead !== undefined) extra.push(`remoteRead=${r.remoteRead}`);
    if (r.hostThpFaultAlloc) extra.push(`host thp_fault_alloc+${r.hostThpFaultAlloc}`);
    if (r.hostThpZeroPageAlloc) extra.push(`host thp_zero_page_alloc+${r.hostThpZeroPageAlloc}`);
    if (r.child) extra.push(`child=${JSON.stringify(r.child)}`);
    if (r.ksmFullScans !== undefined) extra.push(`scans=${r.ksmFullScans} ${r.ksmWaitMs}ms`);
    if (r.base !== undefined) extra.push(`base=${r.base} rss=${r.rssAnonKiB} pte=${r.vmPteKiB}`);
    rows.push([
      String(r.step),
      r.op,
      r.ok ? "ok" : "err",
      r.errno ?? "",
      String(r.rssAnonKiB - base.rssAnonKiB),
      String(r.vmPteKiB - base.vmPteKiB),
      String(r.zeroPtes),
      String(r.presentPages),
      String(r.thpPmds),
      String(r.hugeZeroPmds),
      String(r.uffdFaults),
      n(r.ksmZeroPages),
      n(r.ksmPages),
      n(r.faults),
      n(r.smapsRssKiB),
      n(r.smapsAnonKiB),
      n(r.anonHugeKiB),
      extra.join(" "),
    ]);
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  const numeric = new Set([0, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]);
  return rows
    .map((row) =>
      row
        .map((cell, i) => (numeric.has(i) ? cell.padStart(widths[i]) : cell.padEnd(widths[i])))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}

/**
 * @param {string} arg
 * @returns {Promise<string>}
 */
async function resolveScript(arg) {
  if ((await mtime(arg)) >= 0) return arg;
  const local = path.join(HERE, arg);
  if ((await mtime(local)) >= 0) return local;
  return arg;
}

/** @param {string[]} argv */
async function main(argv) {
  const json = argv.includes("--json");
  let scripts = argv.filter((a) => a !== "--json");
  if (scripts.length === 0) {
    const dir = path.join(HERE, "scripts");
    scripts = (await readdir(dir))
      .filter((f) => f.endsWith(".ops"))
      .sort()
      .map((f) => path.join(dir, f));
  }
  let failed = false;
  for (const script of scripts) {
    const file = await resolveScript(script);
    const arg = path.relative(process.cwd(), file) || file;
    const res = await runProbe(file);
    if ("skip" in res) {
      if (json) process.stdout.write(`${JSON.stringify({ script: arg, skip: res.skip })}\n`);
      else process.stdout.write(`== ${arg}: SKIP (${res.skip})\n\n`);
      continue;
    }
    if (json) {
      for (const r of res.records) process.stdout.write(`${JSON.stringify({ script: arg, ...r })}\n`);
    } else {
      process.stdout.write(`== ${arg}  (d* = change since step 0, KiB)\n${formatTable(res.records)}\n\n`);
    }
    if (res.records.length === 0) failed = true;
  }
  return failed ? 1 : 0;
}

const invokedDirectly = process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (invokedDirectly) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err) => {
      process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
