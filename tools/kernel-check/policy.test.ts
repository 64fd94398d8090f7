/**
 * policy.ts: the host's zeropage policy from the policy probes' records. Records come from
 * fixtures/ (see fixtures/README.md: two recorded on a real 6.18 host, one derived from the
 * measurements reported for a host booted with pvm_no_zero_page=1), plus hand-made records of
 * behaviour the model has no switch for.
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import {
  classifyPath,
  formatPolicyLine,
  measureHostPolicy,
  POLICY_DIR,
  type PolicyPath,
  zeroPageBootOptions,
} from "./policy.ts";
import { replayProbe } from "./replay.ts";
import type { ProbeRecord } from "./run-probe.mjs";

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), "fixtures");
const UPSTREAM = path.join(FIXTURES, "upstream-6.18");
const PVM = path.join(FIXTURES, "pvm-no-zero-page-6.18");
const THP0 = path.join(FIXTURES, "thp-use-zero-page-0-6.18");

async function records(dir: string, script: string): Promise<ProbeRecord[]> {
  const res = await replayProbe(dir)(path.join(POLICY_DIR, script));
  if ("skip" in res) throw new Error(res.skip);
  return res.records;
}

describe("classifyPath", () => {
  it.each<[PolicyPath, string, string, string]>([
    ["readFault", "read-fault.ops", UPSTREAM, "maps"],
    ["readFault", "read-fault.ops", PVM, "no-zeropage"],
    ["hugeZeroPage", "huge-zero.ops", UPSTREAM, "maps"],
    ["hugeZeroPage", "huge-zero.ops", PVM, "no-zeropage"],
    ["hugeZeroPage", "huge-zero.ops", THP0, "no-zeropage"],
    ["uffdZeropage", "uffd-zeropage.ops", UPSTREAM, "maps"],
    ["uffdZeropage", "uffd-zeropage.ops", PVM, "maps"],
    ["ksm", "ksm.ops", UPSTREAM, "maps"],
  ])("%s from %s of %s: %s", async (p, script, dir, state) => {
    expect(classifyPath(p, await records(dir, script)).state).toBe(state);
  });

  it("says what it saw", async () => {
    expect(classifyPath("readFault", await records(PVM, "read-fault.ops"))).toEqual({
      state: "no-zeropage",
      seen: "512 pages, 0 map the zero page, 512 present, RssAnon +2048 KiB",
    });
  });

  it("calls anything between the two branches inexpressible", async () => {
    const up = await records(UPSTREAM, "read-fault.ops");
    const half = up.map((r, i) => (i === 1 ? { ...r, zeroPtes: 256, rssAnonKiB: r.rssAnonKiB + 1024 } : r));
    expect(classifyPath("readFault", half)).toEqual({
      state: "inexpressible",
      seen: "512 pages, 256 map the zero page, 512 present, RssAnon +1024 KiB",
    });
    // The zero page by count, but memory allocated anyway: not a branch the kernel has either.
    const odd = up.map((r, i) => (i === 1 ? { ...r, rssAnonKiB: r.rssAnonKiB + 2048 } : r));
    expect(classifyPath("readFault", odd).state).toBe("inexpressible");
    const thp = await records(UPSTREAM, "huge-zero.ops");
    const none = thp.map((r, i) => (i === 2 ? { ...r, hugeZeroPmds: 0, zeroPtes: 512 } : r));
    expect(classifyPath("hugeZeroPage", none)).toEqual({
      state: "inexpressible",
      seen: "0 huge zero PMD, 0 THP PMD, RssAnon +0 KiB",
    });
    const failed = up.map((r, i) => (i === 1 ? { ...r, ok: false, errno: "EFAULT" } : r));
    expect(classifyPath("readFault", failed)).toEqual({
      state: "inexpressible",
      seen: "'read 0 512' failed with EFAULT",
    });
  });
});

describe("zeroPageBootOptions", () => {
  it("picks the zero-page options out of a kernel command line", () => {
    expect(zeroPageBootOptions("console=ttyS0 pvm_no_zero_page=1 nested_pvm=1 quiet -- --init\n")).toEqual([
      "pvm_no_zero_page=1",
    ]);
    expect(zeroPageBootOptions("mitigations=auto nested_pvm=1 psi=1")).toEqual([]);
  });
});

describe("measureHostPolicy", () => {
  it("the pvm host: read faults and THP reads allocate, UFFDIO_ZEROPAGE maps; one line says so", async () => {
    const m = await measureHostPolicy({
      runProbe: replayProbe(PVM),
      readCmdline: async () => "quiet pvm_no_zero_page=1 nested_pvm=1",
    });
    expect(m.policy).toEqual({ readFault: false, hugeZeroPage: false, uffdZeropage: true, ksm: true });
    expect(m.inexpressible).toBeNull();
    expect(formatPolicyLine(m)).toBe(
      "host policy: read faults forbid the zeropage, huge zero page off, UFFDIO_ZEROPAGE maps it, KSM maps it (boot option pvm_no_zero_page=1) — not upstream",
    );
  });

  it("a path the probe skips is not measured, with the probe's reason, and keeps upstream", async () => {
    const m = await measureHostPolicy({
      runProbe: async (s) =>
        path.basename(s) === "ksm.ops" ? { skip: "KSM not writable here" } : replayProbe(PVM)(s),
      readCmdline: async () => "pvm_no_zero_page=1",
    });
    expect(m.policy).toEqual({ readFault: false, hugeZeroPage: false, uffdZeropage: true, ksm: true });
    expect(formatPolicyLine(m)).toContain("KSM use_zero_pages not measured (KSM not writable here)");
  });

  it("an upstream host, and one with transparent_hugepage/use_zero_page=0", async () => {
    const up = await measureHostPolicy({ runProbe: replayProbe(UPSTREAM), readCmdline: async () => "" });
    expect(up.policy).toEqual({ readFault: true, hugeZeroPage: true, uffdZeropage: true, ksm: true });
    expect(formatPolicyLine(up)).toMatch(/upstream \(the zeropage on every measured path\)$/);
    const thp0 = await measureHostPolicy(
      { runProbe: replayProbe(THP0), readCmdline: async () => "" },
      new Set<PolicyPath>(["readFault", "hugeZeroPage", "uffdZeropage"]),
    );
    expect(thp0.policy).toEqual({ readFault: true, hugeZeroPage: false, uffdZeropage: true, ksm: true });
    expect(formatPolicyLine(thp0)).toContain("huge zero page off");
    expect(formatPolicyLine(thp0)).toContain("(transparent_hugepage/use_zero_page=0)");
  });

  it("does not run probes it was not asked for, and keeps upstream there", async () => {
    const asked: string[] = [];
    const m = await measureHostPolicy(
      {
        runProbe: async (s) => {
          asked.push(path.basename(s));
          return replayProbe(PVM)(s);
        },
        readCmdline: async () => "",
      },
      new Set<PolicyPath>(["readFault"]),
    );
    expect(asked).toEqual(["read-fault.ops"]);
    expect(m.policy).toEqual({ readFault: false, hugeZeroPage: true, uffdZeropage: true, ksm: true });
    expect(m.findings.ksm).toEqual({ state: "unmeasured", why: "no script needs it" });
  });
});
