/**
 * What the engine benchmark measures, shared by bench/engine.bench.ts (warm, in its own process)
 * and bench/engine-fresh.ts (one case in a fresh process):
 *
 *   baseline   one plain per-page pass over the guest's RAM: a loop over a Uint8Array with one
 *              byte per 4 KiB page, reading and writing each byte once
 *   preset     a preset run under one kernel (scenario/compile.ts runScenario, exactly what the
 *              worker and the CLI run: trace recording and checkpoints included)
 *   scaled     a preset with its sizes scaled (the commit's story at 1 TiB)
 *   synthetic  KVM_CREATE_VM, read all guest RAM, MADV_DONTNEED of 40% (at most 40 GiB) in one
 *              call, read all guest RAM again (the engine alone at scale; Simulation.apply directly)
 */
import { GiB, MiB, PAGE_SIZE, TiB } from "../src/base/units.ts";
import type { KernelEvent } from "../src/engine/events.ts";
import type { MmConfig } from "../src/engine/mm.ts";
import { Simulation } from "../src/engine/simulation.ts";
import type { VariantId } from "../src/engine/variants.ts";
import { runScenario } from "../src/scenario/compile.ts";
import { presetById } from "../src/scenario/presets/index.ts";

/** One case: a preset (possibly scaled) or the synthetic sequence, under one kernel. */
export type Case =
  | { readonly kind: "preset"; readonly preset: string; readonly kernel: VariantId; readonly scale?: number }
  | { readonly kind: "synthetic"; readonly kernel: VariantId; readonly bytes: number };

export interface CaseRun {
  readonly events: number;
  readonly checkpoints: number;
  readonly outcome: string;
  /** Heap used + ArrayBuffers, sampled after each action (presets) or event (synthetic). */
  readonly peakHeapBytes: number;
  /** For seeking afterwards. */
  readonly simulation: Simulation;
  readonly footprint: (event: number) => number;
}

/** Heap in use, JS objects and typed arrays' buffers (which live outside the JS heap). */
export function heapBytes(): number {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

/** The baseline loop: one pass over the array (the caller times it; a second pass is warm). */
export function perPagePass(bytes: Uint8Array): void {
  const n = bytes.length;
  for (let i = 0; i < n; i++) bytes[i] = (bytes[i]! + 1) & 0xff;
}

/**
 * A preset's scenario with guest RAM and every action size multiplied by `scale`, each rounded to
 * whole GiB (the commit's story at 1 TiB: scale 10.24, 1024 GiB of RAM, 410 GiB in the balloon).
 */
export function scaledScenario(preset: string, scale = 1): unknown {
  const p = presetById(preset);
  if (!p) throw new Error(`no preset ${preset}`);
  if (scale === 1) return p.scenario;
  const s = structuredClone(p.scenario) as unknown as {
    machine: { guestRam: string | number };
    actions: { size?: string | number }[];
  };
  const times = (size: string | number): string => {
    const m = /^(\d+)\s*GiB$/.exec(String(size));
    if (!m) throw new Error(`cannot scale size ${size}`);
    return `${Math.round(Number(m[1]) * scale)}GiB`;
  };
  s.machine.guestRam = times(s.machine.guestRam);
  for (const a of s.actions) if (a.size !== undefined) a.size = times(a.size);
  return s;
}

/** Guest RAM of a case, in pages. */
export function casePages(c: Case): number {
  if (c.kind === "synthetic") return c.bytes / PAGE_SIZE;
  const s = scaledScenario(c.preset, c.scale) as { machine: { guestRam: string } };
  const m = /^(\d+)\s*(MiB|GiB|TiB)$/.exec(s.machine.guestRam);
  if (!m) throw new Error(`guestRam ${s.machine.guestRam}`);
  const unit = m[2] === "MiB" ? MiB : m[2] === "GiB" ? GiB : TiB;
  return (Number(m[1]) * unit) / PAGE_SIZE;
}

function syntheticEvents(pages: number): KernelEvent[] {
  const balloon = Math.min((40 * GiB) / PAGE_SIZE, Math.floor(pages * 0.4));
  return [
    { kind: "kvm_create_vm", mm: 0 },
    { kind: "fault", mm: 0, access: "read", ranges: [0, pages] },
    { kind: "madvise", mm: 0, advice: "dontneed", ranges: [pages - balloon, balloon] },
    { kind: "fault", mm: 0, access: "read", ranges: [0, pages] },
  ];
}

function syntheticConfig(variant: VariantId, bytes: number): MmConfig {
  return {
    name: "guest",
    host: {
      name: "host",
      memLimitBytes: Number.POSITIVE_INFINITY,
      ksmRun: false,
      ksmUseZeroPages: false,
      thp: "never",
    },
    variant,
    kernelVersion: variant === "x86_64" ? "6.18" : "6.10",
    pages: bytes / PAGE_SIZE,
  };
}

/** Runs a case once. */
export function runCase(c: Case): CaseRun {
  let peak = heapBytes();
  const sample = () => {
    peak = Math.max(peak, heapBytes());
  };
  if (c.kind === "synthetic") {
    const sim = new Simulation([syntheticConfig(c.kernel, c.bytes)]);
    for (const e of syntheticEvents(c.bytes / PAGE_SIZE)) {
      const r = sim.apply(e);
      if (!r.ok) throw new Error(`synthetic ${c.kernel}: ${r.errno} ${r.message}`);
      sample();
    }
    const trace = sim.finish();
    sample();
    return {
      events: trace.events,
      checkpoints: sim.checkpointCount,
      outcome: "completed",
      peakHeapBytes: peak,
      simulation: sim,
      footprint: (e) => trace.footprintPages[e]!,
    };
  }
  const attempt = runScenario(scaledScenario(c.preset, c.scale), { kernel: c.kernel, onAction: sample });
  if (!attempt.ok)
    throw new Error(`${c.preset} ${c.kernel}: ${attempt.issues.map((i) => i.message).join("; ")}`);
  sample();
  const { trace, simulation } = attempt.run;
  return {
    events: trace.events,
    checkpoints: simulation.checkpointCount,
    outcome: attempt.run.outcome,
    peakHeapBytes: peak,
    simulation,
    footprint: (e) => trace.footprintPages[e]!,
  };
}
