/**
 * Small machines for the hypervisor's tests: a Machine with defaults (64 MiB of guest RAM, no
 * memory limits, QEMU 9.2 without multifd), booted as compile.ts's startQemu() boots it, and
 * readers for counters, page sets and the events the actors applied.
 */
import { type KernelEvent, type MmCounters, snapshotCounters, type VariantId } from "../../engine/index.ts";
import { markMergeable } from "../ksmd.ts";
import { createVm } from "../kvm.ts";
import { Machine, type MachineConfig, type QemuConfig, SOURCE } from "../machine.ts";

export const MiB_PAGES = 256;

export interface TestMachineOptions extends Partial<Omit<MachineConfig, "qemu">> {
  readonly kernel: VariantId;
  readonly qemu?: Partial<QemuConfig>;
}

export function testMachine(o: TestMachineOptions): Machine {
  const m = new Machine({
    kernelVersion: o.kernel === "x86_64" ? "6.18" : "6.10",
    guestPages: 64 * MiB_PAGES,
    sourceLimitBytes: Number.POSITIVE_INFINITY,
    destinationLimitBytes: Number.POSITIVE_INFINITY,
    thp: "never",
    ksmEnabled: false,
    ksmUseZeroPages: false,
    withDestination: true,
    seed: 7,
    ...o,
    qemu: {
      version: "9.2",
      multifd: false,
      zeroPageDetection: "multifd",
      postcopyRam: false,
      memMerge: true,
      ...o.qemu,
    },
  });
  m.sim.beginAction("QEMU starts", "qemu");
  createVm(m, SOURCE);
  markMergeable(m, SOURCE);
  return m;
}

export function counters(m: Machine, mm: number): MmCounters {
  return snapshotCounters(m.sim.world.mms[mm]!);
}

/** Pages of page set `name` on mm `mm` holding `value`. */
export function pagesWith(m: Machine, mm: number, name: string, value: number): number {
  let n = 0;
  m.sim.world.pageset(mm, name).forEachRun(0, m.pages, (v, _s, length) => {
    if (v === value) n += length;
  });
  return n;
}

/** Events applied so far with kind `kind` (and, for faults and madvise, a matching detail). */
export function eventsOf<K extends KernelEvent["kind"]>(
  m: Machine,
  kind: K,
  mm?: number,
): Extract<KernelEvent, { kind: K }>[] {
  return m.sim.events.filter(
    (e): e is Extract<KernelEvent, { kind: K }> => e.kind === kind && (mm === undefined || e.mm === mm),
  );
}

/** The QEMU or guest call paths (trace causes) of the events recorded so far on mm `mm`, in order. */
export function causesOf(m: Machine, mm: number): string[] {
  const t = m.sim.finish();
  const out: string[] = [];
  for (let i = 0; i < t.events; i++) if (t.mm[i] === mm) out.push(t.strings[t.cause[i]!]!);
  return out;
}
