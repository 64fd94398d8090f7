/**
 * host-fork and host-uffd-move: QEMU's own process forking a helper (guest RAM is MADV_DONTFORK,
 * nothing is copied) and moving guest pages with UFFDIO_MOVE (v6.8; zeropage PTEs from v6.9, with
 * no mm_forbids_zeropage() check, so it never adds a zeropage where a read would not).
 *   1 GiB guest; 64 MiB read by the guest, then moved 512 MiB up.
 */
import { describe, expect, test } from "vitest";
import { MiB } from "../base/units.ts";
import { VARIANT_IDS, type VariantId, VmFlag } from "../engine/index.ts";
import { checkScenario, runScenario } from "./compile.ts";
import { parseScenario, type ScenarioInput } from "./schema.ts";
import { finalCounters, SOURCE } from "./test-support/golden.ts";

function run(
  kernel: VariantId,
  actions: ScenarioInput["actions"],
  machine: Partial<ScenarioInput["machine"]> = {},
) {
  const r = runScenario({
    schemaVersion: 2,
    machine: { kernel, guestRam: "1GiB", thp: "never", ...machine },
    actions,
  });
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.run;
}

const READ_THEN_MOVE: ScenarioInput["actions"] = [
  { do: "guest-read", size: "64MiB" },
  { do: "host-uffd-move", size: "64MiB", to: "512MiB" },
];

describe("host-uffd-move", () => {
  test("06201e00 and x86_64: the guest's zeropages move; none is added, none allocated", () => {
    for (const kernel of ["s390-06201e00", "x86_64"] as const) {
      const r = run(kernel, READ_THEN_MOVE);
      const c = finalCounters(r, SOURCE);
      expect(c.zeropagePtes, kernel).toBe((64 * MiB) / 4096);
      expect(c.rssAnonBytes, kernel).toBe(0);
      expect(r.trace.ruleIds).toContain("move_zeropage_pte");
      expect(r.trace.actions.at(-1)!.label).toBe("UFFDIO_MOVE of 64 MiB from 0 B to 512 MiB");
      expect(r.trace.actions.at(-1)!.note).toBe("");
    }
  });

  test("fa41ba0d: the read allocated real pages, and those move (RssAnon unchanged)", () => {
    const r = run("s390-fa41ba0d", READ_THEN_MOVE);
    const c = finalCounters(r, SOURCE);
    expect(c.zeropagePtes).toBe(0);
    expect(c.rssAnonBytes).toBe(64 * MiB);
    expect(r.trace.ruleIds).toContain("move_present_ptes");
  });

  test("the destination is registered for the call only: afterwards no VMA is", () => {
    const r = run("x86_64", READ_THEN_MOVE);
    const vmas = r.simulation.world.mms[SOURCE]!.vmas;
    expect(vmas.some((v) => v.flags & VmFlag.UFFD_MISSING)).toBe(false);
    expect(r.trace.ruleIds).toEqual(
      expect.arrayContaining(["userfaultfd_register.missing", "userfaultfd_unregister"]),
    );
  });

  test("by kernel version: -EINVAL before v6.8, -EBUSY for the zeropage on v6.8; both leave memory alone", () => {
    const v65 = run("x86_64", READ_THEN_MOVE, { kernelVersion: "6.5" });
    expect(v65.trace.actions.at(-1)!.note).toContain(
      "UFFDIO_MOVE failed with EINVAL: no UFFDIO_MOVE before v6.8",
    );
    const v68 = run("x86_64", READ_THEN_MOVE, { kernelVersion: "6.8" });
    expect(v68.trace.actions.at(-1)!.note).toContain("UFFDIO_MOVE failed with EBUSY");
    expect(v68.trace.ruleIds).toContain("move_pages_ptes.zeropage_ebusy");
    expect(finalCounters(v68, SOURCE).zeropagePtes).toBe((64 * MiB) / 4096);
    // 2faee8ff (v4.12) has no UFFDIO_MOVE either.
    const a = run("s390-2faee8ff", READ_THEN_MOVE);
    expect(a.trace.ruleIds).toContain("userfaultfd_ioctl.no_move");
  });

  test("a hole in the source stops the call; what moved before it stays moved (-EAGAIN)", () => {
    const r = run("x86_64", [
      { do: "guest-read", size: "32MiB" },
      { do: "host-uffd-move", size: "64MiB", to: "512MiB" },
    ]);
    expect(r.trace.actions.at(-1)!.note).toContain("UFFDIO_MOVE returned -EAGAIN: moved 8192 of 16384 pages");
  });

  test("memfd-backed guest RAM is shared memory: UFFDIO_MOVE refuses it (-EINVAL)", () => {
    const r = run("x86_64", READ_THEN_MOVE, { qemu: { memoryBackend: "memfd" } });
    expect(r.trace.actions.at(-1)!.note).toContain("not private anonymous memory");
  });
});

describe("host-fork", () => {
  test.each(VARIANT_IDS.map((k) => [k]))(
    "%s: QEMU's guest RAM is MADV_DONTFORK; the fork changes nothing",
    (kernel) => {
      const before = run(kernel, [{ do: "guest-touch", size: "256MiB" }, { do: "guest-read" }]);
      const after = run(kernel, [
        { do: "guest-touch", size: "256MiB" },
        { do: "guest-read" },
        { do: "host-fork" },
      ]);
      expect(finalCounters(after, SOURCE)).toEqual(finalCounters(before, SOURCE));
      expect(after.trace.ruleIds).toContain("dup_mmap.dontcopy");
      expect(after.trace.actions.at(-1)!.label).toBe("QEMU forks a helper");
      expect(after.trace.actions.at(-1)!.note).toBe("");
    },
  );

  test("the memfd backend is MADV_DONTFORK too", () => {
    const r = run("x86_64", [{ do: "host-fork" }], { qemu: { memoryBackend: "memfd" } });
    expect(r.trace.ruleIds).toContain("dup_mmap.dontcopy");
  });
});

describe("host-fork and host-uffd-move in the scenario format", () => {
  const parsed = (actions: unknown[]) =>
    parseScenario({ schemaVersion: 2, machine: { kernel: "x86_64", guestRam: "64MiB" }, actions });
  const issuesOf = (actions: unknown[]) => {
    const r = parsed(actions);
    return r.ok ? checkScenario(r.scenario, r.scenario.machine.kernel) : r.issues;
  };

  test("fields: to and size are required, size at least a page, every size whole pages", () => {
    expect(issuesOf([{ do: "host-uffd-move", size: "1MiB" }])).toEqual([
      { path: "actions[0].to", message: "required field is missing" },
    ]);
    expect(issuesOf([{ do: "host-uffd-move", to: "1MiB", size: 0 }])).toEqual([
      { path: "actions[0].size", message: "expected at least one 4 KiB page" },
    ]);
    expect(issuesOf([{ do: "host-uffd-move", to: 100, size: "4KiB" }])).toEqual([
      { path: "actions[0].to", message: "expected whole 4 KiB pages, got 100 bytes" },
    ]);
    expect(issuesOf([{ do: "host-fork", now: true }])).toEqual([
      { path: "actions[0].now", message: 'unknown field "now"' },
    ]);
    const r = parsed([{ do: "reboot" }]);
    expect(r.ok ? "" : r.issues[0]!.message).toContain("host-fork, host-uffd-move");
  });

  test("checks: both ranges inside guest RAM; the destination host only once a migration started", () => {
    expect(issuesOf([{ do: "host-uffd-move", start: "60MiB", to: "0", size: "8MiB" }])).toEqual([
      { path: "actions[0]", message: "the source ends at 68 MiB, past guest RAM (64 MiB)" },
    ]);
    expect(issuesOf([{ do: "host-uffd-move", to: "60MiB", size: "8MiB" }])).toEqual([
      { path: "actions[0].to", message: "the destination ends at 68 MiB, past guest RAM (64 MiB)" },
    ]);
    expect(issuesOf([{ do: "host-uffd-move", to: "8MiB", size: "8MiB" }])).toEqual([]);
    for (const a of [
      { do: "host-fork", on: "destination" },
      { do: "host-uffd-move", on: "destination", to: "8MiB", size: "4KiB" },
    ])
      expect(issuesOf([a])).toEqual([
        { path: "actions[0].on", message: "there is no destination before a migration starts" },
      ]);
    expect(issuesOf([{ do: "migrate" }, { do: "host-fork", on: "destination" }])).toEqual([]);
  });
});
