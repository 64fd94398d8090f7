/**
 * What a run comes to, per mm: the counters after the last event (final) and the largest value
 * each counter reached after any event (peak, each counter on its own: the peaks of two counters
 * may come from different events). The same object is `run --json`'s output; other commands
 * (diff, compare) reuse these helpers.
 *
 * The destination is null when nothing ever happened on it: no migration was started, or QEMU
 * refused to start one (a PV guest).
 */
import { createHash } from "node:crypto";
import { Hasher, type Sha256 } from "../base/hash.ts";
import {
  COUNTER_COUNT,
  COUNTERS,
  type CounterKey,
  counterAt,
  counterAvailable,
  describeHostPolicy,
  isHostPolicyNonDefault,
  type MmCounters,
  mmActive,
  peakCounterAt,
  type Trace,
  traceHash,
  UPSTREAM_ZEROPAGE,
  VARIANTS,
  type VariantId,
} from "../engine/index.ts";
import type { Outcome } from "../hypervisor/machine.ts";
import type { RunResult } from "../scenario/compile.ts";

const SOURCE = 0;
const DESTINATION = 1;

/** node:crypto's SHA-256 for the trace hash: the digest the engine's own hasher gives, faster. */
function nodeSha256(): Sha256 {
  const h = createHash("sha256");
  return {
    update: (bytes) => h.update(bytes),
    digest: () => new Uint8Array(h.digest()),
  };
}

export interface RunSummary {
  readonly scenario: string;
  readonly kernel: string;
  /** Kernel events in the trace. */
  readonly steps: number;
  readonly traceHash: string;
  readonly final: { source: MmCounters; destination: MmCounters | null };
  readonly peak: { source: MmCounters; destination: MmCounters | null };
  readonly outcome: Outcome;
  readonly outcomeReason: string;
  /** The hosts' zeropage policy in words where it is not upstream's (x86_64 only), else null. */
  readonly hostZeropage: string | null;
  /** The kernel version modelled; counters the kernel did not have yet are listed in `absent`. */
  readonly kernelVersion: string;
  readonly absent: readonly CounterKey[];
}

function countersFrom(read: (c: number) => number): MmCounters {
  const out = {} as Record<CounterKey, number>;
  for (let c = 0; c < COUNTER_COUNT; c++) out[COUNTERS[c]!.key] = Math.round(read(c));
  return out as MmCounters;
}

/** Counters of mm `m` after the last event (the initial state for an empty trace). */
export function finalCounters(t: Trace, m: number): MmCounters {
  return countersFrom((c) => counterAt(t, t.events - 1, m, c));
}

/** The largest value of each counter of mm `m` over the initial state and every event. */
export function peakCounters(t: Trace, m: number): MmCounters {
  return countersFrom((c) => peakCounterAt(t, m, c));
}

export function summarizeRun(name: string, run: RunResult): RunSummary {
  const t = run.trace;
  const dst = mmActive(t, DESTINATION);
  return {
    scenario: name,
    kernel: run.kernel,
    steps: t.events,
    traceHash: traceHash(t, new Hasher(nodeSha256)),
    final: {
      source: finalCounters(t, SOURCE),
      destination: dst ? finalCounters(t, DESTINATION) : null,
    },
    peak: {
      source: peakCounters(t, SOURCE),
      destination: dst ? peakCounters(t, DESTINATION) : null,
    },
    outcome: run.outcome,
    outcomeReason: run.outcomeReason,
    hostZeropage: hostPolicyOf(run),
    kernelVersion: run.kernelVersion,
    absent: COUNTERS.filter((c) => !counterAvailable(c, run.kernelVersion)).map((c) => c.key),
  };
}

/** machine.hostZeropage as the run applied it: only x86_64 hosts take one (Machine). */
function hostPolicyOf(run: RunResult): string | null {
  const p = { ...UPSTREAM_ZEROPAGE, ...run.scenario.machine.hostZeropage };
  if (VARIANTS[run.kernel as VariantId]?.arch !== "x86_64" || !isHostPolicyNonDefault(p)) return null;
  return describeHostPolicy(p);
}
