/**
 * Builders for compare's tests: a run of plain kernel events on one mm of guest RAM, grouped into
 * actions, under a chosen variant, with no hypervisor in between. Tests only.
 */
import type { KernelEvent, MmConfig, VariantId } from "../engine/index.ts";
import { Simulation } from "../engine/index.ts";
import { guestConfig } from "../engine/test-support/guest.ts";
import { type Comparison, compareRuns } from "./compare.ts";
import type { CompareSide } from "./divergence.ts";

export const PAGES = 1024;

export function mmConfig(variant: VariantId, pages = PAGES, name = "source"): MmConfig {
  return guestConfig(variant, pages, {
    name,
    host: { name },
    kernelVersion: variant === "x86_64" ? "6.18" : "6.10",
  });
}

/** An action: its label and its events (all on mm 0 unless they say otherwise). */
export type Script = readonly (readonly [string, readonly KernelEvent[]])[];

export function simulate(variant: VariantId, script: Script, pages = PAGES): Simulation {
  const sim = new Simulation([mmConfig(variant, pages)]);
  for (const [label, events] of script) {
    sim.beginAction(label, "test");
    for (const e of events) sim.apply(e, { cause: "test" });
  }
  return sim;
}

export function side(variant: VariantId, sim: Simulation): CompareSide {
  return { trace: sim.finish(), kernel: variant, label: variant, replay: sim };
}

export function compareScripts(
  left: readonly [VariantId, Script],
  right: readonly [VariantId, Script],
  pages = PAGES,
): Comparison {
  return compareRuns(
    side(left[0], simulate(left[0], left[1], pages)),
    side(right[0], simulate(right[0], right[1], pages)),
  );
}

export const createVm: KernelEvent = { kind: "kvm_create_vm", mm: 0 };

export function read(first: number, count: number): KernelEvent {
  return { kind: "fault", mm: 0, access: "read", ranges: [first, count] };
}

export function write(first: number, count: number): KernelEvent {
  return { kind: "fault", mm: 0, access: "write", ranges: [first, count], content: "data" };
}

export function dontneed(first: number, count: number): KernelEvent {
  return { kind: "madvise", mm: 0, advice: "dontneed", ranges: [first, count] };
}
