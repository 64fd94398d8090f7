/**
 * The ledger ("what a real machine would print") of a run at one step: the run's machine set-up
 * (architecture, kernel and QEMU versions, THP, the migration's mode) joined with the world at that
 * step and the hypervisor's counters of the step's event. The worker calls it for every view and the
 * CLI for `--ledger`, so both print the same lines.
 */
import { mmActive, snapshotCounters, vmstatDeltas, type World } from "../engine/index.ts";
import { type HostLedger, machineLedger } from "../hypervisor/ledger.ts";
import type { ExtraKey } from "../hypervisor/machine.ts";
import type { RunResult } from "./compile.ts";
import { ledgerText } from "./ledger-text.ts";

export type { HostLedger };
export { ledgerText };

/**
 * The ledger of `run` with `world` the state after its first `applied` events (the last one
 * possibly in part): the world decides the kernel's lines, and the trace's row `row` (the last
 * event finished, -1 for none) the hypervisor's counters.
 */
export function runLedger(run: RunResult, world: World, applied: number, row: number): HostLedger[] {
  const t = run.trace;
  const m = run.scenario.machine;
  const arch = world.mms[0]!.variant.arch;
  const extra = row < 0 ? t.initialExtra : t.extra.subarray(row * t.extraKeys.length);
  const postcopy = run.scenario.actions.some(
    (a) => (a.do === "migrate" || a.do === "migrate-start") && a.mode === "postcopy",
  );
  return machineLedger({
    arch,
    kernelVersion: run.kernelVersion,
    qemuVersion: m.qemu.version,
    thp: arch === "x86_64" && m.thp !== "never",
    guestRamBytes: m.guestRam,
    postcopy,
    // A host whose QEMU has not started yet (no event on its mm so far) has nothing to print.
    hosts: world.mms
      .filter((_, i) => i === 0 || mmActive(t, i, applied))
      .map((mm) => ({ name: mm.name, counters: snapshotCounters(mm), vmstat: vmstatDeltas(mm) })),
    extra: (key: ExtraKey) => {
      const k = t.extraKeys.indexOf(key);
      return k < 0 ? 0 : extra[k]!;
    },
  });
}

/** The ledger at the end of the run, as the CLI prints it. */
export function finalLedgerText(run: RunResult): string {
  const t = run.trace;
  const hosts = runLedger(run, run.simulation.world, t.events, t.events - 1);
  return ledgerText(
    hosts,
    `What a real machine would print after the run (${run.kernel}, Linux ${run.kernelVersion}, QEMU ${run.scenario.machine.qemu.version})`,
  );
}
