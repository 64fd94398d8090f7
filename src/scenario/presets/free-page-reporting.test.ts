/**
 * Golden facts for `free-page-reporting` (hypervisor/free-page.ts): a 32 GiB guest writes all of
 * its memory, frees 12 GiB, and its kernel reports the wholly free blocks of page_reporting_order
 * (pageblock_order: 2 MiB = one PTE table on x86_64, 1 MiB = one on s390). QEMU discards each block
 * with one MADV_DONTNEED call, so:
 *   RssAnon drops by a whole number of blocks;
 *   x86_64 (v6.18, PT reclaim): each block's page table goes too, 4 KiB of VmPTE per 2 MiB;
 *   s390: no PT reclaim, VmPTE stays.
 * Then precopy reads every page again: x86_64 and 06201e00 map zeropages (page tables come back),
 * fa41ba0d allocates the reported memory again (RssAnon 32 GiB). With free page hinting precopy
 * skips the free pages: nothing is read back, and the destination holds only the used 20 GiB.
 */
import { describe, expect, test } from "vitest";
import { GiB, KiB, MiB } from "../../base/units.ts";
import type { VariantId } from "../../engine/index.ts";
import { runScenario } from "../compile.ts";
import type { ScenarioInput } from "../schema.ts";
import {
  actionIndex,
  afterAction,
  beforeAction,
  DESTINATION,
  runPreset,
  SOURCE,
} from "../test-support/golden.ts";
import { presetById } from "./index.ts";

const ID = "free-page-reporting";
const base = presetById(ID)!.scenario;

function withQemu(extra: Record<string, unknown>, kernel: VariantId) {
  const s = {
    ...base,
    machine: { ...base.machine, qemu: { ...base.machine.qemu, ...extra } },
  } as ScenarioInput;
  const r = runScenario(s, { kernel });
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.run;
}

describe("reporting returns whole blocks", () => {
  test("x86_64: whole 2 MiB blocks leave RssAnon, and PT reclaim frees one 4 KiB table per block", () => {
    const run = runPreset(ID, "x86_64");
    const free = actionIndex(run, /guest frees/);
    const before = beforeAction(run, free, SOURCE);
    const after = afterAction(run, free, SOURCE);
    const dropped = before.rssAnonBytes - after.rssAnonBytes;
    expect(dropped % (2 * MiB)).toBe(0);
    expect(dropped).toBeGreaterThan(8 * GiB); // most of the 12 GiB lies in whole blocks
    expect(before.vmPteBytes - after.vmPteBytes).toBe((dropped / (2 * MiB)) * 4 * KiB);
    expect(run.trace.ruleIds).toContain("pt_reclaim.free_pte");
  });

  test("s390 (06201e00): whole 1 MiB blocks leave RssAnon; the tables stay", () => {
    const run = runPreset(ID, "s390-06201e00");
    const free = actionIndex(run, /guest frees/);
    const before = beforeAction(run, free, SOURCE);
    const after = afterAction(run, free, SOURCE);
    const dropped = before.rssAnonBytes - after.rssAnonBytes;
    expect(dropped % MiB).toBe(0);
    expect(dropped).toBeGreaterThan(8 * GiB);
    expect(after.vmPteBytes).toBe(before.vmPteBytes);
  });

  test("without reporting the host keeps what the guest freed", () => {
    const run = withQemu({ freePageReporting: false }, "x86_64");
    const free = actionIndex(run, /guest frees/);
    expect(afterAction(run, free, SOURCE).rssAnonBytes).toBe(32 * GiB);
  });
});

describe("then precopy reads every page", () => {
  test("fa41ba0d allocates the reported memory again; 06201e00 and x86_64 do not", () => {
    const b = runPreset(ID, "s390-fa41ba0d");
    expect(afterAction(b, actionIndex(b, /migration/), SOURCE).rssAnonBytes).toBe(32 * GiB);
    for (const k of ["s390-06201e00", "x86_64"] as const) {
      const run = runPreset(ID, k);
      const mig = actionIndex(run, /migration/);
      expect(afterAction(run, mig, SOURCE).rssAnonBytes).toBe(beforeAction(run, mig, SOURCE).rssAnonBytes);
    }
  });

  test("x86_64: the zeropage reads bring every page table back", () => {
    const run = runPreset(ID, "x86_64");
    const touched = afterAction(run, actionIndex(run, /allocates/), SOURCE);
    expect(afterAction(run, actionIndex(run, /migration/), SOURCE).vmPteBytes).toBe(touched.vmPteBytes);
  });

  test("with free page hinting precopy skips the free pages: no read, and the destination holds the used 20 GiB", () => {
    const run = withQemu({ freePageHinting: true }, "s390-fa41ba0d");
    const mig = actionIndex(run, /migration/);
    expect(afterAction(run, mig, SOURCE).rssAnonBytes).toBe(beforeAction(run, mig, SOURCE).rssAnonBytes);
    expect(afterAction(run, mig, DESTINATION).rssAnonBytes).toBe(20 * GiB);
  });

  test("QEMU does not start hinting when postcopy is possible", () => {
    const s = {
      ...base,
      machine: {
        ...base.machine,
        kernel: "s390-fa41ba0d",
        qemu: { ...base.machine.qemu, freePageHinting: true, postcopyRam: true },
      },
      actions: [...base.actions.slice(0, 2), { do: "migrate", mode: "postcopy" }],
    } as ScenarioInput;
    const r = runScenario(s);
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.run.trace.actions.some((a) => /hinting does not start/.test(a.note))).toBe(true);
  });

  test("QEMU versions: reporting needs 5.1 and hinting 4.0", () => {
    const r = runScenario({
      ...base,
      machine: { ...base.machine, qemu: { version: "5.0", freePageReporting: true, freePageHinting: true } },
    });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.issues.map((i) => i.path)).toEqual(["machine.qemu.freePageReporting"]);
  });
});
