/**
 * Golden facts for `cmm-during-postcopy`: an 8 GiB s390 guest with 3 GiB of data switches to
 * postcopy at once; the background stream places the first 6 GiB (zero pages with UFFDIO_ZEROPAGE,
 * data with UFFDIO_COPY, all marked received). Then the guest's CMM driver releases 1 GiB of free
 * pages (DIAGNOSE 0x10 → gmap_discard: KVM zaps them, QEMU is not asked), frees them again, and the
 * guest allocates 1 GiB. A reallocated page that had been placed faults as missing; QEMU 9.2
 * (>= 5.2) does not request a page it counts as received: the vCPU hangs, whatever the kernel.
 * Without the CMM release the same run completes.
 */
import { describe, expect, test } from "vitest";
import type { VariantId } from "../../engine/index.ts";
import { runScenario } from "../compile.ts";
import { actionIndex, afterAction, beforeAction, DESTINATION, runPreset } from "../test-support/golden.ts";
import { presetById } from "./index.ts";

const ID = "cmm-during-postcopy";

describe.each<VariantId>(["s390-06201e00", "s390-fa41ba0d", "s390-2faee8ff"])("%s", (kernel) => {
  test("DIAGNOSE 0x10 zaps placed pages on the destination although postcopy inhibits the balloon", () => {
    const run = runPreset(ID, kernel);
    const cmm = actionIndex(run, /CMM driver releases/);
    const before = beforeAction(run, cmm, DESTINATION);
    const after = afterAction(run, cmm, DESTINATION);
    expect(after.presentPages).toBeLessThan(before.presentPages);
    expect(before.presentPages - after.presentPages).toBeLessThanOrEqual((1024 * 2 ** 20) / 4096);
    expect(run.trace.ruleIds).toContain("gmap_discard");
  });

  test("the guest touches a reclaimed page QEMU counts as received: the vCPU hangs", () => {
    const run = runPreset(ID, kernel);
    expect(run.outcome).toBe("hung");
    expect(run.outcomeReason).toMatch(/marks that page received and does not even request it again/);
  });
});

test("the control: without the CMM release the same migration completes", () => {
  const s = presetById(ID)!.scenario;
  const actions = s.actions.filter((a) => a.do !== "guest-cmm-release" && a.do !== "guest-cmm-reclaim");
  const r = runScenario({ ...s, actions });
  expect(r.ok && r.run.outcome).toBe("completed");
});

test("CMM is an s390 guest's: an x86_64 run is refused with the action's path", () => {
  const r = runScenario(presetById(ID)!.scenario, { kernel: "x86_64" });
  expect(r.ok).toBe(false);
  if (!r.ok) expect(r.issues[0]).toMatchObject({ path: "actions[4]", message: expect.stringMatching(/CMM/) });
});
