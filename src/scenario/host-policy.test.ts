/**
 * machine.hostZeropage: the scenario's x86_64 hosts run a kernel with their own zeropage policy.
 * The commit's story on a host that maps no zeropage on read faults and has no huge zero page
 * (as measured on hosts booted with pvm_no_zero_page=1) pays what fa41ba0d's s390 pays: reading
 * the 40 GiB in the balloon allocates it again on the source, and the destination's zero check
 * allocates the never-sent zero pages too.
 *
 *   guest RAM 100 GiB = 26,214,400 pages; balloon 40 GiB; data 60 GiB.
 *   source:      60 GiB of data + 40 GiB allocated by the migration's reads = 100 GiB RssAnon.
 *   destination: 60 GiB written + 40 GiB allocated by ram_handle_zero()'s reads = 100 GiB.
 */
import { describe, expect, test } from "vitest";
import { GiB } from "../base/units.ts";
import { traceHash } from "../engine/index.ts";
import { runScenario } from "./compile.ts";
import { presetById } from "./presets/index.ts";
import { parseScenario, type ScenarioInput } from "./schema.ts";
import { DESTINATION, finalCounters, SOURCE } from "./test-support/golden.ts";

const story = presetById("commit-06201e00")!.scenario as ScenarioInput;

function onX86(hostZeropage: Record<string, boolean> | undefined): ScenarioInput {
  const machine = { ...story.machine, kernel: "x86_64" as const, ...(hostZeropage ? { hostZeropage } : {}) };
  return { ...story, machine };
}

function run(input: ScenarioInput) {
  const r = runScenario(input);
  if (!r.ok) throw new Error(r.issues.map((i) => `${i.path}: ${i.message}`).join("; "));
  return r.run;
}

describe("machine.hostZeropage", () => {
  test("defaults to upstream: an explicit all-true policy runs the same trace as none", () => {
    const plain = run(onX86(undefined));
    const explicit = run(onX86({ readFault: true, hugeZeroPage: true, uffdZeropage: true, ksm: true }));
    expect(traceHash(explicit.trace)).toBe(traceHash(plain.trace));
  });

  test("the commit's story on a host without read-fault zeropages: both hosts end at 100 GiB, like fa41ba0d", () => {
    const pvm = run(onX86({ readFault: false, hugeZeroPage: false }));
    const upstream = run(onX86(undefined));
    for (const mm of [SOURCE, DESTINATION]) {
      expect(finalCounters(pvm, mm).rssAnonBytes).toBe(100 * GiB);
      expect(finalCounters(pvm, mm).zeropagePtes).toBe(0);
      expect(finalCounters(pvm, mm).hugeZeroPmds).toBe(0);
    }
    // Upstream x86_64 does not pay for the balloon on the source.
    expect(finalCounters(upstream, SOURCE).rssAnonBytes).toBe(60 * GiB);
  });

  test("is an x86_64 host's: an s390 kernel with a policy is refused at machine.hostZeropage", () => {
    const r = parseScenario({ ...story, machine: { ...story.machine, hostZeropage: { readFault: false } } });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.issues).toEqual([
        {
          path: "machine.hostZeropage",
          message:
            "a host zeropage policy describes an x86_64 host; s390-fa41ba0d decides with mm_forbids_zeropage()",
        },
      ]);
    }
  });

  test("a run of an x86_64 scenario under an s390 kernel (compare mode) ignores the host policy", () => {
    const input = onX86({ readFault: false });
    const a = runScenario(input, { kernel: "s390-06201e00" });
    const b = runScenario(onX86(undefined), { kernel: "s390-06201e00" });
    expect(a.ok && b.ok).toBe(true);
    if (a.ok && b.ok) expect(traceHash(a.run.trace)).toBe(traceHash(b.run.trace));
  });
});
