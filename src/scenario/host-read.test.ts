/**
 * host-read: a host tool reads a ballooned guest's RAM through the kernel (MADV_POPULATE_READ or
 * process_vm_readv()). Where the zeropage is forbidden (fa41ba0d's KVM guests) that read takes the
 * balloon back just as the migration's read does; under 06201e00 it costs only page tables.
 *   1 GiB guest, 1 GiB written, 512 MiB ballooned, then the whole of guest RAM read.
 */
import { describe, expect, test } from "vitest";
import { MiB } from "../base/units.ts";
import type { VariantId } from "../engine/index.ts";
import { runScenario } from "./compile.ts";
import { finalCounters, SOURCE } from "./test-support/golden.ts";

function run(kernel: VariantId, via: "populate-read" | "process-vm-readv") {
  const r = runScenario({
    schemaVersion: 1,
    machine: { kernel, guestRam: "1GiB" },
    actions: [
      { do: "guest-touch", size: "1GiB", content: "data" },
      { do: "balloon-inflate", size: "512MiB" },
      { do: "host-read", via },
    ],
  });
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.run;
}

describe("host-read", () => {
  test.each(["populate-read", "process-vm-readv"] as const)(
    "%s: fa41ba0d takes the balloon back, 06201e00 does not",
    (via) => {
      expect(finalCounters(run("s390-fa41ba0d", via), SOURCE).rssAnonBytes).toBe(1024 * MiB);
      const c = finalCounters(run("s390-06201e00", via), SOURCE);
      expect(c.rssAnonBytes).toBe(512 * MiB);
      expect(c.zeropagePtes).toBe((512 * MiB) / 4096);
    },
  );

  test("its action reads as such, and the narration names the path", () => {
    const r = run("s390-06201e00", "process-vm-readv");
    expect(r.trace.actions.at(-1)!.label).toBe("process_vm_readv() reads 1 GiB");
    expect(r.trace.ruleIds).toContain("get_user_pages_remote.read");
  });
});
