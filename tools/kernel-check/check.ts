/**
 * npm run kernel-check [--paths] [--model-kernel <x.y>] [--host-policy <spec>] [--record <dir>]
 *                      [--policy] [script.ops ...]
 *
 * First measures the host's zeropage policy path by path (policy.ts: read faults, the huge zero
 * page, UFFDIO_ZEROPAGE, KSM) and prints it in one line; a policy the model cannot express fails
 * here with one line naming the path and what was seen. Then runs every op script (scripts/*.ops,
 * or the ones given) on this kernel with probe.c and through the engine's x86_64 variant with this
 * kernel's version, the probe's region address and the measured policy (model.ts), and compares
 * them step by step:
 *   - page-level counts must be equal: zeroPtes, presentPages, thpPmds, hugeZeroPmds, uffdFaults,
 *     and ksmZeroPages / ksmPages where the probe reports them (non-null);
 *   - PTE tables must be equal: the model's own count against the kernel's, which is derived from
 *     VmPTE (kernelPteTables(): no /proc file counts PTE tables on their own);
 *   - RssAnon and VmPTE must be equal after subtracting each side's step 0 (the probe's process
 *     has its own baseline; the model starts at 0);
 *   - errno must be equal, and the bytes a uffd ioctl reports (.zeropage / .copy / .move) or
 *     process_vm_readv() returns;
 *   - the main thread's completed page faults since step 0 (getrusage RUSAGE_THREAD) must equal the
 *     engine's vmstat pgfault, and the region's smaps Rss / Anonymous / AnonHugePages must equal the
 *     engine ledger's, where the probe reports them (recordings made before they existed do not).
 * A script with an op the engine does not model (a fork of memory without 'dontfork') runs on the
 * kernel only: its records are printed and nothing is compared (model.ts unmodelledOp() says why).
 * Prints a table per script, every mismatch with both values and the model's rule path, and one
 * summary line. Exit 1 on any mismatch or error, 0 otherwise.
 *
 * Not Linux, not x86_64, or no C compiler: one line saying it is skipped and why, exit 0 (exit 1
 * with KERNEL_CHECK_REQUIRED=1, which .ci/run sets: CI must not pass without the check). A script
 * the probe cannot run here (probe exit 3: no KSM, no userfaultfd, THP 'never') is reported as
 * skipped with the probe's reason, and the rest still runs.
 *
 * --model-kernel x.y runs the model as if the kernel were x.y (the probe still reports the real
 * one), and --host-policy upstream (or e.g. readFault=0,hugeZeroPage=0) runs it under another
 * policy than the measured one: deliberately wrong models, to see what a failure looks like.
 * --policy measures and prints the policy only. --record <dir> also writes every probe record
 * (policy/<name>.jsonl, scripts/<name>.jsonl) for replaying this host in tests (fixtures/).
 */
import { mkdir, readdir, readFile, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { PAGE_SIZE } from "../../src/base/units.ts";
import { describeHostPolicy, type HostZeropagePolicy, type ThpMode } from "../../src/engine/index.ts";
import {
  baseVpnOf,
  DEFAULT_BASE,
  describeRules,
  kernelMajorMinor,
  type ModelRecord,
  runModel,
  unmodelledOp,
} from "./model.ts";
import { type OpsScript, OpsSyntaxError, parseOps, scriptUses } from "./ops.ts";
import {
  defaultCmdline,
  formatPolicyLine,
  measureHostPolicy,
  POLICY_PATHS,
  type PolicyPath,
} from "./policy.ts";
import { buildProbe, type ProbeRecord, runProbe } from "./run-probe.mjs";

const HERE = path.dirname(fileURLToPath(import.meta.url));

/** What the comparison needs from a probe record (run-probe.mjs ProbeRecord has more). */
export interface KernelRecord {
  readonly step: number;
  readonly op: string;
  readonly ok: boolean;
  readonly errno: string | null;
  readonly rssAnonKiB: number;
  readonly vmPteKiB: number;
  /** Derived by kernelPteTables() when absent (the probe does not report it). */
  readonly pteTables?: number | null;
  readonly zeroPtes: number;
  readonly presentPages: number;
  readonly thpPmds: number;
  readonly hugeZeroPmds: number;
  readonly uffdFaults: number;
  readonly ksmZeroPages: number | null;
  readonly ksmPages: number | null;
  readonly zeropage?: number;
  readonly copy?: number;
  /** uffd-move: the kernel's .move (bytes moved, or -errno). */
  readonly move?: number;
  /** Completed faults of the probe's main thread since step 0; absent in older recordings. */
  readonly faults?: number;
  /** smaps Rss / Anonymous / AnonHugePages summed over the region's VMAs (kB); absent in older recordings. */
  readonly smapsRssKiB?: number;
  readonly smapsAnonKiB?: number;
  readonly anonHugeKiB?: number;
  /** remote-read: bytes process_vm_readv() read, or -errno. */
  readonly remoteRead?: number;
  /** The region's address (step 0 only); the model's default when absent. */
  readonly base?: string;
}

const DEFAULT_BASE_HEX = `0x${DEFAULT_BASE.toString(16)}`;

type Value = number | string | null;

interface FieldDef {
  readonly name: string;
  /** Column header. */
  readonly label: string;
  /** Delta against step 0 (KiB) rather than an absolute count. */
  readonly delta?: boolean;
  /**
   * A cumulative count compared as its change over this step alone (the op's own faults), so a
   * wrong count shows at the op that made it instead of at every later step.
   */
  readonly perStep?: boolean;
  readonly get: (r: KernelRecord | ModelRecord) => Value | undefined;
}

/** The compared fields, in table order. A field is compared where the kernel value is defined. */
export const FIELDS: readonly FieldDef[] = [
  { name: "errno", label: "errno", get: (r) => r.errno ?? "ok" },
  { name: "rssAnonKiB", label: "dRssAnon", delta: true, get: (r) => r.rssAnonKiB },
  { name: "vmPteKiB", label: "dVmPTE", delta: true, get: (r) => r.vmPteKiB },
  { name: "pteTables", label: "pteTbl", get: (r) => r.pteTables },
  { name: "zeroPtes", label: "zeroPtes", get: (r) => r.zeroPtes },
  { name: "presentPages", label: "present", get: (r) => r.presentPages },
  { name: "thpPmds", label: "thp", get: (r) => r.thpPmds },
  { name: "hugeZeroPmds", label: "hzPmd", get: (r) => r.hugeZeroPmds },
  { name: "uffdFaults", label: "uffd", get: (r) => r.uffdFaults },
  { name: "ksmZeroPages", label: "ksmZero", get: (r) => r.ksmZeroPages },
  { name: "ksmPages", label: "ksmPg", get: (r) => r.ksmPages },
  { name: "faults", label: "faults", perStep: true, get: (r) => r.faults },
  { name: "smapsRssKiB", label: "smRss", get: (r) => r.smapsRssKiB },
  { name: "smapsAnonKiB", label: "smAnon", get: (r) => r.smapsAnonKiB },
  { name: "anonHugeKiB", label: "anonHuge", get: (r) => r.anonHugeKiB },
  { name: "bytes", label: "bytes", get: (r) => r.zeropage ?? r.copy ?? r.move ?? r.remoteRead },
];

/** x86_64 4-level paging: a PMD table maps 1 GiB, a PUD table 512 GiB; every table is 4 KiB. */
const PMD_TABLE_SPAN = 2 ** 30;
const PUD_TABLE_SPAN = 2 ** 39;
const TABLE_KIB = 4;

/**
 * The kernel's PTE-table count for each record, derived from VmPTE. VmPTE is mm_pgtables_bytes():
 * mm_inc_nr_ptes() / mm_inc_nr_pmds() / mm_inc_nr_puds() add 4 KiB per PTE, PMD and PUD table
 * alike (a table deposited under a huge PMD counts as a PTE table), and no /proc file reports the
 * levels apart. The upper levels of the region are known, though: the probe maps it at the start of
 * a 512 GiB window nothing else uses, so the first table allocated in it (__pte_alloc() after
 * __pud_alloc() and __pmd_alloc()) brings one PUD table and one PMD table per GiB the region
 * spans; those stay until munmap (free_pgtables(); MADV_DONTNEED and PT reclaim free PTE tables
 * only). So, with d = VmPTE − VmPTE at step 0 in tables: PTE tables = d − upper if d > 0, else 0.
 *
 * null (not compared) where that layout does not hold: a base that is not 1 GiB-aligned, a region
 * crossing a 512 GiB boundary, or a step whose VmPTE is not a whole number of tables.
 */
export function kernelPteTables(kernel: readonly KernelRecord[], base: string): (number | null)[] {
  const start = Number(base);
  const pages = kernel.length > 0 ? /^region (\d+)$/.exec(kernel[0]!.op)?.[1] : undefined;
  const end = start + Number(pages ?? "NaN") * PAGE_SIZE;
  const layoutKnown =
    Number.isSafeInteger(start) &&
    Number.isSafeInteger(end) &&
    start % PMD_TABLE_SPAN === 0 &&
    Math.floor(start / PUD_TABLE_SPAN) === Math.floor((end - 1) / PUD_TABLE_SPAN);
  const upper = 1 + Math.ceil((end - start) / PMD_TABLE_SPAN);
  const v0 = kernel[0]?.vmPteKiB ?? 0;
  return kernel.map((r) => {
    const d = r.vmPteKiB - v0;
    if (!layoutKnown || d < 0 || d % TABLE_KIB !== 0) return null;
    return d === 0 ? 0 : d / TABLE_KIB - upper;
  });
}

export interface FieldResult {
  readonly field: string;
  /** Kernel value (a delta for delta fields); null: not reported, so not compared. */
  readonly kernel: Value;
  readonly model: Value;
  readonly compared: boolean;
  readonly ok: boolean;
}

export interface StepResult {
  readonly step: number;
  readonly op: string;
  readonly fields: readonly FieldResult[];
  readonly ok: boolean;
}

export interface Mismatch {
  readonly script: string;
  readonly step: number;
  readonly op: string;
  readonly field: string;
  readonly kernel: Value;
  readonly model: Value;
  /** The model's rule path(s) for that step (describeRules). */
  readonly rules: readonly string[];
}

export interface Comparison {
  readonly script: string;
  readonly steps: readonly StepResult[];
  readonly mismatches: readonly Mismatch[];
  readonly fieldsCompared: number;
}

/**
 * Compares kernel and model records step by step. Delta fields subtract each side's step 0.
 * A different number of steps or a different op text at a step is a mismatch too.
 */
export function compareRecords(
  script: string,
  kernelRecords: readonly KernelRecord[],
  model: readonly ModelRecord[],
): Comparison {
  const derived = kernelPteTables(kernelRecords, kernelRecords[0]?.base ?? DEFAULT_BASE_HEX);
  const kernel = kernelRecords.map((r, i) =>
    r.pteTables === undefined ? { ...r, pteTables: derived[i] } : r,
  );
  const steps: StepResult[] = [];
  const mismatches: Mismatch[] = [];
  let fieldsCompared = 0;
  const k0 = kernel[0];
  const m0 = model[0];
  const n = Math.max(kernel.length, model.length);
  if (kernel.length !== model.length) {
    mismatches.push({
      script,
      step: Math.min(kernel.length, model.length),
      op: "",
      field: "steps",
      kernel: kernel.length,
      model: model.length,
      rules: [],
    });
  }
  for (let i = 0; i < Math.min(n, kernel.length, model.length); i++) {
    const k = kernel[i]!;
    const m = model[i]!;
    if (k.op !== m.op) {
      mismatches.push({ script, step: i, op: k.op, field: "op", kernel: k.op, model: m.op, rules: [] });
    }
    const fields: FieldResult[] = FIELDS.map((f) => {
      let kv = f.get(k) ?? null;
      let mv = f.get(m) ?? null;
      if (f.delta && typeof kv === "number" && typeof mv === "number") {
        kv -= f.get(k0!) as number;
        mv -= f.get(m0!) as number;
      }
      if (f.perStep && i > 0 && typeof kv === "number" && typeof mv === "number") {
        const kp = f.get(kernel[i - 1]!);
        const mp = f.get(model[i - 1]!);
        if (typeof kp === "number" && typeof mp === "number") {
          kv -= kp;
          mv -= mp;
        } else {
          kv = null; // the previous record lacks the count: this step's share is unknown
        }
      }
      const compared = kv !== null;
      const ok = !compared || kv === mv;
      if (compared) fieldsCompared++;
      if (!ok) {
        mismatches.push({
          script,
          step: i,
          op: k.op,
          field: f.name,
          kernel: kv,
          model: mv,
          rules: describeRules(m),
        });
      }
      return { field: f.name, kernel: kv, model: mv, compared, ok };
    });
    steps.push({ step: i, op: k.op, fields, ok: fields.every((f) => f.ok) && k.op === m.op });
  }
  return { script, steps, mismatches, fieldsCompared };
}

const show = (v: Value): string => (v === null ? "-" : String(v));

/**
 * The comparison as a table: one value where kernel and model agree, "kernel≠model" where they do
 * not, "-" where the kernel does not report the field; ✓/✗ per step. With `paths`, the model's
 * rules for each step are listed under it (formatMismatches() lists them for failing steps).
 */
export function formatComparison(c: Comparison, model?: readonly ModelRecord[], paths = false): string {
  const head = ["step", "op", ...FIELDS.map((f) => f.label), ""];
  const rows: string[][] = [head];
  const notes = new Map<number, string[]>();
  for (const s of c.steps) {
    const cells = s.fields.map((f) =>
      !f.compared ? "-" : f.ok ? show(f.kernel) : `${show(f.kernel)}≠${show(f.model)}`,
    );
    rows.push([String(s.step), s.op, ...cells, s.ok ? "✓" : "✗"]);
    const m = model?.[s.step];
    if (m && paths) notes.set(rows.length - 1, describeRules(m));
  }
  // A column holds no value anywhere (e.g. bytes in a script without uffd ioctls): drop it.
  const keep = head.map((_, i) => i < 2 || i === head.length - 1 || rows.slice(1).some((r) => r[i] !== "-"));
  const kept = rows.map((r) => r.filter((_, i) => keep[i]));
  const widths = kept[0]!.map((_, i) => Math.max(...kept.map((r) => [...r[i]!].length)));
  const out: string[] = [];
  kept.forEach((r, ri) => {
    const line = r
      .map((cell, i) => {
        const pad = widths[i]! - [...cell].length;
        return i === 1 ? cell + " ".repeat(pad) : " ".repeat(pad) + cell;
      })
      .join("  ");
    out.push(line.trimEnd());
    for (const note of notes.get(ri) ?? []) out.push(`        model: ${note}`);
  });
  return out.join("\n");
}

const fieldUnit = (field: string): string =>
  field === "rssAnonKiB" || field === "vmPteKiB"
    ? " KiB (change since step 0)"
    : field.endsWith("KiB")
      ? " KiB"
      : field === "faults"
        ? " (completed faults in this op)"
        : "";

/** The columns of a script the engine does not model: the kernel's records alone. */
const KERNEL_ONLY_COLUMNS: readonly [string, (r: ProbeRecord, r0: ProbeRecord) => Value | undefined][] = [
  ["errno", (r) => r.errno ?? "ok"],
  ["dRssAnon", (r, r0) => r.rssAnonKiB - r0.rssAnonKiB],
  ["dVmPTE", (r, r0) => r.vmPteKiB - r0.vmPteKiB],
  ["zeroPtes", (r) => r.zeroPtes],
  ["present", (r) => r.presentPages],
  ["thp", (r) => r.thpPmds],
  ["hzPmd", (r) => r.hugeZeroPmds],
  ["faults", (r) => r.faults],
  ["smRss", (r) => r.smapsRssKiB],
  ["anonHuge", (r) => r.anonHugeKiB],
  ["child zeroPtes", (r) => r.child?.zeroPtes],
  ["child present", (r) => r.child?.presentPages],
  ["child thp", (r) => r.child?.thpPmds],
  ["child hzPmd", (r) => r.child?.hugeZeroPmds],
];

/** The kernel's records of a script that is not compared, as a table ("-": not reported). */
export function formatKernelOnly(records: readonly ProbeRecord[]): string {
  const r0 = records[0];
  if (!r0) return "(no records)";
  const head = ["step", "op", ...KERNEL_ONLY_COLUMNS.map(([h]) => h)];
  const rows = [
    head,
    ...records.map((r) => [
      String(r.step),
      r.op,
      ...KERNEL_ONLY_COLUMNS.map(([, get]) => show(get(r, r0) ?? null)),
    ]),
  ];
  const keep = head.map((_, i) => i < 2 || rows.slice(1).some((row) => row[i] !== "-"));
  const kept = rows.map((row) => row.filter((_, i) => keep[i]));
  const widths = kept[0]!.map((_, i) => Math.max(...kept.map((row) => [...row[i]!].length)));
  return kept
    .map((row) =>
      row
        .map((cell, i) => {
          const pad = " ".repeat(widths[i]! - [...cell].length);
          return i === 1 ? cell + pad : pad + cell;
        })
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}

/**
 * The mismatches as self-contained messages, one per step: every differing field with the kernel
 * and the model value, then the rules the model applied in that step (its kernel call paths).
 */
export function formatMismatches(mismatches: readonly Mismatch[]): string {
  const out: string[] = [];
  for (let i = 0; i < mismatches.length; ) {
    const x = mismatches[i]!;
    let j = i;
    const parts: string[] = [];
    while (j < mismatches.length && mismatches[j]!.script === x.script && mismatches[j]!.step === x.step) {
      const y = mismatches[j]!;
      parts.push(`${y.field} kernel ${show(y.kernel)}, model ${show(y.model)}${fieldUnit(y.field)}`);
      j++;
    }
    out.push(`MISMATCH ${x.script} step ${x.step} '${x.op}': ${parts.join("; ")}`);
    if (x.rules.length > 0) {
      out.push("  model rule path:");
      for (const r of x.rules) out.push(`    ${r}`);
    }
    i = j;
  }
  return out.join("\n");
}

interface Args {
  scripts: string[];
  paths: boolean;
  modelKernel: string | null;
  /** --host-policy: a policy to run the model under instead of the measured one. */
  hostPolicy: Partial<HostZeropagePolicy> | "upstream" | null;
  record: string | null;
  policyOnly: boolean;
}

/** "upstream", or "readFault=0,hugeZeroPage=0" (paths not named keep the measured value). */
export function parseHostPolicy(spec: string): Partial<HostZeropagePolicy> | "upstream" {
  if (spec === "upstream") return "upstream";
  const out: Partial<Record<PolicyPath, boolean>> = {};
  const names = POLICY_PATHS.map((p) => p.path);
  for (const part of spec.split(",")) {
    const m = /^(\w+)=([01])$/.exec(part.trim());
    const key = m?.[1] as PolicyPath | undefined;
    if (!m || !key || !names.includes(key)) {
      throw new Error(
        `--host-policy expects 'upstream' or <path>=0|1 pairs with paths ${names.join(", ")}; got '${part}'`,
      );
    }
    out[key] = m[2] === "1";
  }
  return out;
}

function parseArgs(argv: readonly string[]): Args {
  const a: Args = {
    scripts: [],
    paths: false,
    modelKernel: null,
    hostPolicy: null,
    record: null,
    policyOnly: false,
  };
  const value = (i: number, what: string): string => {
    const v = argv[i];
    if (!v) throw new Error(`${argv[i - 1]} needs ${what}`);
    return v;
  };
  for (let i = 0; i < argv.length; i++) {
    const s = argv[i]!;
    if (s === "--paths") a.paths = true;
    else if (s === "--policy") a.policyOnly = true;
    else if (s === "--model-kernel") a.modelKernel = value(++i, "a version such as 6.13");
    else if (s === "--host-policy") a.hostPolicy = parseHostPolicy(value(++i, "a policy"));
    else if (s === "--record") a.record = value(++i, "a directory");
    else if (s.startsWith("--")) throw new Error(`unknown option ${s}`);
    else a.scripts.push(s);
  }
  return a;
}

/** Writes a probe result as JSON Lines: the records, or one {"skip": ...} line. */
async function record(
  dir: string,
  sub: string,
  file: string,
  res: { skip: string } | { records: ProbeRecord[] },
) {
  const name = path.basename(file).replace(/\.ops$/, ".jsonl");
  await mkdir(path.join(dir, sub), { recursive: true });
  const lines = "skip" in res ? [{ skip: res.skip }] : res.records;
  await writeFile(path.join(dir, sub, name), lines.map((l) => `${JSON.stringify(l)}\n`).join(""));
}

async function exists(p: string): Promise<boolean> {
  try {
    await stat(p);
    return true;
  } catch {
    return false;
  }
}

/** A script argument, relative to the cwd or to tools/kernel-check/ (as run-probe.mjs does). */
async function resolveScript(arg: string): Promise<string> {
  if (await exists(arg)) return arg;
  const local = path.join(HERE, arg);
  if (await exists(local)) return local;
  const inScripts = path.join(HERE, "scripts", arg);
  if (await exists(inScripts)) return inScripts;
  throw new Error(`no such script: ${arg}`);
}

const THP_MODES: readonly string[] = ["always", "madvise", "never"];

/** What main() talks to; tests replace parts of it. */
export interface CheckIo {
  readonly out: (line: string) => void;
  readonly platform: string;
  readonly arch: string;
  readonly buildProbe: typeof buildProbe;
  readonly runProbe: typeof runProbe;
  /** KERNEL_CHECK_REQUIRED=1 (CI): a check that runs no script at all fails instead of skipping. */
  readonly required: boolean;
  /** The kernel command line (/proc/cmdline), for naming the boot option behind a policy. */
  readonly readCmdline: () => Promise<string>;
}

const defaultIo: CheckIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  platform: process.platform,
  arch: process.arch,
  buildProbe,
  runProbe,
  required: process.env.KERNEL_CHECK_REQUIRED === "1",
  readCmdline: defaultCmdline,
};

/** The line for a whole-suite skip, and the exit code: 0, or 1 where the check is required. */
function skipAll(io: CheckIo, reason: string): number {
  io.out(`kernel-check: skipped: ${reason}`);
  if (!io.required) return 0;
  io.out("kernel-check: FAILED: KERNEL_CHECK_REQUIRED=1 (CI) and the check did not run");
  return 1;
}

/** Runs the check; returns the process exit code. */
export async function main(argv: readonly string[], ioOverrides: Partial<CheckIo> = {}): Promise<number> {
  const io: CheckIo = { ...defaultIo, ...ioOverrides };
  const args = parseArgs(argv);
  const out = io.out;
  if (io.platform !== "linux")
    return skipAll(io, `not Linux (${io.platform}); the probe needs a Linux kernel`);
  if (io.arch !== "x64") {
    return skipAll(io, `not x86_64 (${io.arch}); the model's x86_64 variant needs an x86_64 kernel`);
  }
  const built = await io.buildProbe();
  if (typeof built !== "string") return skipAll(io, built.skip);

  let files: string[];
  if (args.scripts.length > 0) files = await Promise.all(args.scripts.map(resolveScript));
  else {
    const dir = path.join(HERE, "scripts");
    files = (await readdir(dir))
      .filter((f) => f.endsWith(".ops"))
      .sort()
      .map((f) => path.join(dir, f));
  }

  let checked = 0;
  let skipped = 0;
  let probeOnly = 0;
  let errors = 0;
  let steps = 0;
  let fields = 0;
  const mismatches: Mismatch[] = [];
  let kernelRelease = os.release();
  let modelVersion = args.modelKernel ?? kernelMajorMinor(kernelRelease);

  const scripts: { file: string; name: string; script: OpsScript | null }[] = [];
  for (const file of files) {
    const name = path.relative(process.cwd(), file) || file;
    try {
      scripts.push({ file, name, script: parseOps(await readFile(file, "utf8"), name) });
    } catch (e) {
      if (!(e instanceof OpsSyntaxError)) throw e;
      out(`== ${name}: ERROR malformed script: ${e.message}\n`);
      errors++;
    }
  }

  // The host's zeropage policy first: every script is compared under it.
  const needed = new Set<PolicyPath>(["readFault", "hugeZeroPage", "uffdZeropage"]);
  if (args.policyOnly || scripts.some((x) => x.script && scriptUses(x.script, "ksm-merge")))
    needed.add("ksm");
  const recordingProbe = async (file: string) => {
    const res = await io.runProbe(file);
    if (args.record) await record(args.record, "policy", file, res);
    return res;
  };
  const measured = await measureHostPolicy({ runProbe: recordingProbe, readCmdline: io.readCmdline }, needed);
  out(`kernel-check: ${formatPolicyLine(measured)}`);
  if (measured.inexpressible) {
    const name = POLICY_PATHS.find((p) => p.path === measured.inexpressible!.path)!.name;
    out(
      `kernel-check: FAILED: this host's zeropage policy is one the model cannot express: ${name}: ` +
        `${measured.inexpressible.seen}`,
    );
    return 1;
  }
  if (args.policyOnly) return 0;
  const policy: HostZeropagePolicy =
    args.hostPolicy === "upstream"
      ? { readFault: true, hugeZeroPage: true, uffdZeropage: true, ksm: true }
      : { ...measured.policy, ...(args.hostPolicy ?? {}) };

  for (const { file, name, script } of scripts) {
    if (!script) continue;
    let res: Awaited<ReturnType<typeof runProbe>>;
    try {
      res = await io.runProbe(file);
      if (args.record) await record(args.record, "scripts", file, res);
    } catch (e) {
      out(`== ${name}: ERROR ${e instanceof Error ? e.message : String(e)}\n`);
      errors++;
      continue;
    }
    if ("skip" in res) {
      out(`== ${name}: SKIPPED on this machine: ${res.skip}\n`);
      skipped++;
      continue;
    }
    const kernel = res.records;
    const first = kernel[0];
    if (!first) {
      out(`== ${name}: ERROR the probe printed no records\n`);
      errors++;
      continue;
    }
    const env = first.env ?? {};
    if (typeof env.kernel === "string") kernelRelease = env.kernel;
    modelVersion = args.modelKernel ?? kernelMajorMinor(kernelRelease);
    const unmodelled = unmodelledOp(script);
    if (unmodelled) {
      probeOnly++;
      out(
        `== ${name}  (base ${first.base}, ${script.pages} pages): PROBE ONLY, not compared: ` +
          `'${unmodelled.op.text}' (line ${unmodelled.op.line}): ${unmodelled.why}`,
      );
      out(formatKernelOnly(kernel));
      out("");
      continue;
    }
    const thp =
      typeof env.thpEnabled === "string" && THP_MODES.includes(env.thpEnabled) ? env.thpEnabled : "madvise";
    const model = runModel(script, {
      kernelVersion: modelVersion,
      baseVpn: baseVpnOf(first.base ?? DEFAULT_BASE_HEX),
      thp: thp as ThpMode,
      zeropage: policy,
    });
    const c = compareRecords(name, kernel, model);
    checked++;
    steps += c.steps.length;
    fields += c.fieldsCompared;
    mismatches.push(...c.mismatches);
    const verdict = c.mismatches.length === 0 ? "ok" : `${c.mismatches.length} MISMATCH(ES)`;
    out(
      `== ${name}  (base ${first.base}, ${script.pages} pages; dRssAnon/dVmPTE in KiB since step 0; ` +
        `kernel pteTbl = dVmPTE/4 KiB minus the region's PMD and PUD table): ${verdict}`,
    );
    out(formatComparison(c, model, args.paths));
    if (c.mismatches.length > 0) out(formatMismatches(c.mismatches));
    out("");
  }

  const notes: string[] = [];
  if (args.modelKernel) notes.push(` — MODEL RUN AS ${modelVersion} (--model-kernel)`);
  if (args.hostPolicy)
    notes.push(` — MODEL UNDER ANOTHER HOST POLICY (--host-policy): ${describeHostPolicy(policy)}`);
  const modelNote = notes.join("");
  out(
    `kernel-check: ${checked} scripts checked, ${skipped} skipped, ${probeOnly} probe-only (not compared), ` +
      `${errors} errors; ${steps} steps, ` +
      `${fields} fields compared, ${mismatches.length} mismatches; kernel ${kernelRelease}, ` +
      `model x86_64 at ${modelVersion}${modelNote}`,
  );
  if (mismatches.length > 0) {
    const first = mismatches[0]!;
    out(
      `kernel-check: FAILED: first mismatch ${first.script} step ${first.step} '${first.op}' ` +
        `${first.field}: kernel ${show(first.kernel)}, model ${show(first.model)}`,
    );
  }
  // Every script skipped (no userfaultfd, no KSM, ...) is a whole-suite skip in all but name.
  const noneRan = checked === 0 && errors === 0;
  if (noneRan && io.required)
    out("kernel-check: FAILED: KERNEL_CHECK_REQUIRED=1 (CI) and no script was checked");
  return mismatches.length > 0 || errors > 0 || (noneRan && io.required) ? 1 : 0;
}

const invokedDirectly = process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (invokedDirectly) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err) => {
      process.stderr.write(`kernel-check: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
