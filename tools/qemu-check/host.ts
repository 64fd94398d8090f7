/**
 * The host the QEMUs run on, as the model needs it: the kernel's version and its zeropage policy,
 * measured by the kernel check's policy probes (tools/kernel-check/policy.ts), never assumed.
 *
 * Only the paths QEMU takes here are measured: read faults (the source's migration thread reads
 * every page; the destination's zero check reads every zero page) and UFFDIO_ZEROPAGE (postcopy
 * places zero pages with it). QEMU runs with THP disabled and without KSM (mem-merge=off), so the
 * huge zero page and KSM paths stay as upstream and unused.
 */
import os from "node:os";
import type { HostZeropagePolicy } from "../../src/engine/index.ts";
import {
  defaultCmdline,
  formatPolicyLine,
  measureHostPolicy,
  type PolicyPath,
} from "../kernel-check/policy.ts";
import { buildProbe, runProbe } from "../kernel-check/run-probe.mjs";
import type { Found } from "./assets.ts";

export const QEMU_POLICY_PATHS: ReadonlySet<PolicyPath> = new Set(["readFault", "uffdZeropage"]);

export interface HostMeasurement {
  readonly arch: string;
  /** uname -r */
  readonly kernel: string;
  /** major.minor */
  readonly kernelVersion: string;
  readonly zeropage: HostZeropagePolicy;
  readonly zeropageSummary: string;
}

export function majorMinor(release: string): string {
  const m = /^(\d+)\.(\d+)/.exec(release);
  if (!m) throw new Error(`cannot read a kernel version from '${release}'`);
  return `${m[1]}.${m[2]}`;
}

export async function measureHost(): Promise<Found<HostMeasurement>> {
  const built = await buildProbe();
  if (typeof built !== "string")
    return { ok: false, skip: `cannot measure the host's zeropage policy: ${built.skip}` };
  const m = await measureHostPolicy({ runProbe, readCmdline: defaultCmdline }, QEMU_POLICY_PATHS);
  if (m.inexpressible)
    throw new Error(
      `the host's zeropage policy on the ${m.inexpressible.path} path is one the model cannot express: ${m.inexpressible.seen}`,
    );
  for (const p of QEMU_POLICY_PATHS) {
    const f = m.findings[p];
    if (f.state === "unmeasured")
      return { ok: false, skip: `cannot measure the host's zeropage policy on the ${p} path: ${f.why}` };
  }
  const kernel = os.release();
  return {
    ok: true,
    value: {
      arch: os.arch() === "x64" ? "x86_64" : os.arch(),
      kernel,
      kernelVersion: majorMinor(kernel),
      zeropage: m.policy,
      zeropageSummary: formatPolicyLine(m),
    },
  };
}
