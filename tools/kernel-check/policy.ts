/**
 * The host's zeropage policy, measured path by path before the scripts run.
 *
 * Upstream kernels map the shared zero page on every path where mm_forbids_zeropage() allows it
 * (always on x86_64). Some hosts' kernels do not: one booted with pvm_no_zero_page=1 allocated on
 * read faults and THP reads while UFFDIO_ZEROPAGE still mapped the zero page. That is a fact about
 * the host to measure, not an error: the model has a switch per path (engine HostZeropagePolicy),
 * and the check runs every script under the policy measured here.
 *
 * One probe script per path (policy/*.ops), run by the same probe as the suite, so the zero page
 * is recognised the way the probe recognises it everywhere: PAGEMAP_SCAN's PAGE_IS_PFNZERO, or
 * /proc/kpageflags KPF_ZERO_PAGE, or the PFN UFFDIO_ZEROPAGE maps; never by trusting a read fault
 * (probe.c setup_counters()). Each path's last record is classified:
 *
 *   read fault      read 512 pages:  512 zero PTEs, RssAnon +0         → maps
 *                                    no zero PTE, 512 present, +2 MiB → allocates
 *   huge zero page  read one page of a MADV_HUGEPAGE 2 MiB:
 *                                    one huge zero PMD, RssAnon +0    → maps
 *                                    one THP PMD, RssAnon +2 MiB      → allocates
 *   UFFDIO_ZEROPAGE fill 512 pages:  512 zero PTEs, RssAnon +0         → maps
 *                                    no zero PTE, 512 present, +2 MiB → allocates
 *   KSM             merge 64 zero-filled pages with use_zero_pages:
 *                                    64 KSM zero pages and zero PTEs  → maps
 *                                    no zero PTE, 64 KSM pages        → merges without it
 *
 * Anything else is a policy the model cannot express: the check fails with one line naming the path
 * and what was seen. A path the host cannot exercise (no THP, no userfaultfd, no KSM) is not
 * measured and keeps upstream's behaviour; the scripts that need it are skipped by the probe anyway.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { KiB, PAGE_SIZE } from "../../src/base/units.ts";
import type { HostZeropagePolicy } from "../../src/engine/index.ts";
import type { ProbeRecord } from "./run-probe.mjs";

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const POLICY_DIR = path.join(HERE, "policy");

export type PolicyPath = keyof HostZeropagePolicy;

/** The paths in the order they are measured and printed, with their probe script. */
export const POLICY_PATHS: readonly {
  readonly path: PolicyPath;
  readonly script: string;
  readonly name: string;
}[] = [
  { path: "readFault", script: "read-fault.ops", name: "read fault" },
  { path: "hugeZeroPage", script: "huge-zero.ops", name: "huge zero page" },
  { path: "uffdZeropage", script: "uffd-zeropage.ops", name: "UFFDIO_ZEROPAGE" },
  { path: "ksm", script: "ksm.ops", name: "KSM use_zero_pages" },
];

export type Finding =
  /** The path maps the zero page (upstream). */
  | { readonly state: "maps"; readonly seen: string }
  /** The path takes its no-zeropage branch. */
  | { readonly state: "no-zeropage"; readonly seen: string }
  /** Not measured here (the probe skipped: no THP, no userfaultfd, no KSM; or not needed). */
  | { readonly state: "unmeasured"; readonly why: string }
  /** Neither: the model has no switch for what was seen. */
  | { readonly state: "inexpressible"; readonly seen: string };

export interface HostPolicyMeasurement {
  /** The policy the model runs under: measured paths as measured, the others upstream. */
  readonly policy: HostZeropagePolicy;
  readonly findings: Readonly<Record<PolicyPath, Finding>>;
  /** Kernel command-line options about the zero page (/proc/cmdline), e.g. "pvm_no_zero_page=1". */
  readonly bootOptions: readonly string[];
  /** transparent_hugepage/use_zero_page as the probe read it (null: not reported). */
  readonly thpUseZeroPage: number | null;
  /** The first path the model cannot express, or null. */
  readonly inexpressible: { readonly path: PolicyPath; readonly seen: string } | null;
}

const KIB_PER_PAGE = PAGE_SIZE / KiB;

/** "+2048 KiB" */
const kib = (n: number): string => `${n >= 0 ? "+" : ""}${n} KiB`;

/**
 * Classifies one path from its probe records (step 0 is the region's baseline; the last record is
 * the state after the probing op).
 */
export function classifyPath(p: PolicyPath, records: readonly ProbeRecord[]): Finding {
  const first = records[0];
  const last = records[records.length - 1];
  if (!first || !last || records.length < 2)
    return { state: "inexpressible", seen: "the probe printed no records" };
  const dRss = last.rssAnonKiB - first.rssAnonKiB;
  const failed = records.find((r) => !r.ok);
  if (failed) {
    return { state: "inexpressible", seen: `'${failed.op}' failed with ${failed.errno ?? "an error"}` };
  }
  switch (p) {
    case "readFault":
    case "uffdZeropage": {
      const n = Number(/ (\d+)$/.exec(last.op)?.[1] ?? Number.NaN);
      const seen = `${n} pages, ${last.zeroPtes} map the zero page, ${last.presentPages} present, RssAnon ${kib(dRss)}`;
      if (last.presentPages !== n) return { state: "inexpressible", seen };
      if (last.zeroPtes === n && dRss === 0) return { state: "maps", seen };
      if (last.zeroPtes === 0 && dRss === n * KIB_PER_PAGE) return { state: "no-zeropage", seen };
      return { state: "inexpressible", seen };
    }
    case "hugeZeroPage": {
      const seen = `${last.hugeZeroPmds} huge zero PMD, ${last.thpPmds} THP PMD, RssAnon ${kib(dRss)}`;
      if (last.hugeZeroPmds === 1 && last.thpPmds === 0 && dRss === 0) return { state: "maps", seen };
      if (last.hugeZeroPmds === 0 && last.thpPmds === 1 && dRss === 512 * KIB_PER_PAGE)
        return { state: "no-zeropage", seen };
      return { state: "inexpressible", seen };
    }
    case "ksm": {
      const n = Number(/write 0 (\d+) zero/.exec(records.map((r) => r.op).join("\n"))?.[1] ?? Number.NaN);
      const seen =
        `${n} zero-filled pages: ${last.ksmZeroPages ?? "?"} KSM zero pages, ${last.zeroPtes} zero PTEs, ` +
        `${last.ksmPages ?? "?"} KSM pages`;
      if (last.ksmZeroPages === n && last.zeroPtes === n) return { state: "maps", seen };
      if (last.zeroPtes === 0 && (last.ksmZeroPages ?? 0) === 0 && last.ksmPages === n)
        return { state: "no-zeropage", seen };
      return { state: "inexpressible", seen };
    }
  }
}

/** Zero-page options on a kernel command line ("pvm_no_zero_page=1"). */
export function zeroPageBootOptions(cmdline: string): string[] {
  return cmdline
    .split(/\s+/)
    .filter((t) => t !== "" && t !== "--")
    .filter((t) => /zero_?page|zeropage/i.test(t.split("=")[0] ?? ""));
}

/** What measureHostPolicy() needs: the probe, /proc/cmdline, and which paths to measure. */
export interface PolicyIo {
  readonly runProbe: (script: string) => Promise<{ skip: string } | { records: ProbeRecord[] }>;
  readonly readCmdline: () => Promise<string>;
}

export const defaultCmdline = async (): Promise<string> => {
  try {
    return await readFile("/proc/cmdline", "utf8");
  } catch {
    return "";
  }
};

/**
 * Runs the policy probes and classifies each path. `needed` limits the measurement (KSM merges
 * take seconds and change global settings, so it is measured only when a script merges).
 */
export async function measureHostPolicy(
  io: PolicyIo,
  needed: ReadonlySet<PolicyPath> = new Set(POLICY_PATHS.map((p) => p.path)),
): Promise<HostPolicyMeasurement> {
  const findings = {} as Record<PolicyPath, Finding>;
  let thpUseZeroPage: number | null = null;
  for (const { path: p, script } of POLICY_PATHS) {
    if (!needed.has(p)) {
      findings[p] = { state: "unmeasured", why: "no script needs it" };
      continue;
    }
    const res = await io.runProbe(path.join(POLICY_DIR, script));
    if ("skip" in res) {
      findings[p] = { state: "unmeasured", why: res.skip };
      continue;
    }
    const env = res.records[0]?.env;
    if (env && typeof env.thpUseZeroPage === "number") thpUseZeroPage = env.thpUseZeroPage;
    findings[p] = classifyPath(p, res.records);
  }
  const policy: HostZeropagePolicy = {
    readFault: findings.readFault.state !== "no-zeropage",
    hugeZeroPage: findings.hugeZeroPage.state !== "no-zeropage",
    uffdZeropage: findings.uffdZeropage.state !== "no-zeropage",
    ksm: findings.ksm.state !== "no-zeropage",
  };
  let inexpressible: HostPolicyMeasurement["inexpressible"] = null;
  for (const { path: p } of POLICY_PATHS) {
    const f = findings[p];
    if (f.state === "inexpressible" && !inexpressible) inexpressible = { path: p, seen: f.seen };
  }
  return {
    policy,
    findings,
    bootOptions: zeroPageBootOptions(await io.readCmdline()),
    thpUseZeroPage,
    inexpressible,
  };
}

const CLAUSE: Record<PolicyPath, { maps: string; not: string }> = {
  readFault: { maps: "read faults map the zeropage", not: "read faults forbid the zeropage" },
  hugeZeroPage: { maps: "huge zero page on", not: "huge zero page off" },
  uffdZeropage: { maps: "UFFDIO_ZEROPAGE maps it", not: "UFFDIO_ZEROPAGE allocates" },
  ksm: { maps: "KSM maps it", not: "KSM merges without it" },
};

/**
 * The one line the check prints, e.g. "host policy: read faults forbid the zeropage, huge zero page
 * off, UFFDIO_ZEROPAGE maps it, KSM not measured (no script needs it) (boot option
 * pvm_no_zero_page=1)". "upstream" is said when every measured path maps the zero page.
 */
export function formatPolicyLine(m: HostPolicyMeasurement): string {
  const clauses = POLICY_PATHS.map(({ path: p, name }) => {
    const f = m.findings[p];
    if (f.state === "maps") return CLAUSE[p].maps;
    if (f.state === "no-zeropage") return CLAUSE[p].not;
    if (f.state === "unmeasured") return `${name} not measured (${f.why})`;
    return `${name}: not expressible (${f.seen})`;
  });
  const causes: string[] = [];
  if (m.bootOptions.length > 0)
    causes.push(`boot option${m.bootOptions.length > 1 ? "s" : ""} ${m.bootOptions.join(" ")}`);
  if (m.thpUseZeroPage === 0) causes.push("transparent_hugepage/use_zero_page=0");
  const upstream = POLICY_PATHS.every(({ path: p }) => m.findings[p].state !== "no-zeropage");
  const kind = upstream ? "upstream (the zeropage on every measured path)" : "not upstream";
  return `host policy: ${clauses.join(", ")}${causes.length ? ` (${causes.join("; ")})` : ""} — ${kind}`;
}
