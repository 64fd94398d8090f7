/**
 * Golden facts for `commit-06201e00-memfd`: the commit's story with guest RAM in a memfd shared
 * with QEMU. The balloon frees its 40 GiB (fallocate(PUNCH_HOLE) on the memfd, then MADV_DONTNEED),
 * and the migration's reads of that memory allocate page-cache pages on both hosts under every
 * kernel: shmem never maps the zeropage, so fa41ba0d and 06201e00 end alike.
 */
import { describe, expect, test } from "vitest";
import { GiB } from "../../base/units.ts";
import type { Trace, VariantId } from "../../engine/index.ts";
import { runScenario } from "../compile.ts";
import type { ScenarioInput } from "../schema.ts";
import {
  actionIndex,
  afterAction,
  DESTINATION,
  finalCounters,
  runPreset,
  SOURCE,
} from "../test-support/golden.ts";
import { presetById } from "./index.ts";

const ID = "commit-06201e00-memfd";

/** The ids of the rules a run's effects and steps used. */
function rulesUsed(t: Trace): Set<string> {
  const used = new Set<string>();
  for (let i = 2; i < t.effects.length; i += 4) used.add(t.ruleIds[t.effects[i]!]!);
  for (const s of t.steps) used.add(t.ruleIds[s]!);
  return used;
}
const KERNELS: VariantId[] = ["s390-fa41ba0d", "s390-06201e00", "x86_64"];

describe("memfd-backed guest", () => {
  test.each(KERNELS)("%s: the balloon punches 40 GiB out of the memfd: Shmem 60 GiB on the source", (k) => {
    const run = runPreset(ID, k);
    const c = afterAction(run, actionIndex(run, /balloon/), SOURCE);
    expect(c.shmemBytes).toBe(60 * GiB);
    expect(c.rssShmemBytes).toBe(60 * GiB);
    expect(c.rssAnonBytes).toBe(0);
    expect(rulesUsed(run.trace)).toContain("shmem_fallocate.punch_hole");
  });

  test.each(KERNELS)("%s: the migration reads the 40 GiB back into the page cache on both hosts", (k) => {
    const run = runPreset(ID, k);
    for (const mm of [SOURCE, DESTINATION]) {
      const c = finalCounters(run, mm);
      expect(c.shmemBytes).toBe(100 * GiB);
      expect(c.zeropagePtes).toBe(0);
      expect(c.rssAnonBytes).toBe(0);
    }
  });

  test("the patch changes nothing: fa41ba0d and 06201e00 end with the same counters on both hosts", () => {
    const b = runPreset(ID, "s390-fa41ba0d");
    const c = runPreset(ID, "s390-06201e00");
    for (const mm of [SOURCE, DESTINATION]) expect(finalCounters(b, mm)).toEqual(finalCounters(c, mm));
  });

  test("while the anonymous story under 06201e00 saves those 40 GiB on each host", () => {
    const memfd = finalCounters(runPreset(ID, "s390-06201e00"), SOURCE).hostMemBytes;
    const anon = finalCounters(runPreset("commit-06201e00", "s390-06201e00"), SOURCE).hostMemBytes;
    expect(memfd - anon).toBe(40 * GiB);
  });

  test("postcopy on a v4.12 kernel: no UFFDIO_ZEROPAGE for shmem, QEMU copies zeroed pages instead", () => {
    const base = presetById(ID)!.scenario;
    const s = {
      ...base,
      machine: { ...base.machine, guestRam: "64MiB", qemu: { version: "2.10", memoryBackend: "memfd" } },
      actions: [
        { do: "guest-touch", size: "32MiB", content: "data" },
        { do: "migrate", mode: "postcopy" },
      ],
    } as ScenarioInput;
    const r = runScenario(s, { kernel: "s390-2faee8ff" });
    if (!r.ok) throw new Error(JSON.stringify(r.issues));
    const used = rulesUsed(r.run.trace);
    expect(used).not.toContain("shmem_mfill_atomic_pte.zeropage");
    expect(used).toContain("shmem_mfill_atomic_pte.copy");
    expect(r.run.outcome).toBe("completed");
    expect(finalCounters(r.run, DESTINATION).shmemBytes).toBe(64 * 2 ** 20);
  });
});
