/**
 * Zeropage Lab's kernel model: a pure, deterministic library. No DOM, no worker, no Node APIs.
 *
 * Use: create a Simulation with one MmConfig per address space, drive it with KernelEvents (the
 * hypervisor layer does this for scenarios), call finish() for the Trace, and worldAt() to rebuild
 * the state at any position. Every transition names its rule (rules.ts), and every rule names the
 * kernel functions it models.
 */
export { type Effect, type Errno, type Ranges, rangesPages, truncateRanges, dropRanges, positionInRanges } from "./apply.ts";
export { presentRuns, dataRuns, zeropageRuns, noneRuns, complementRuns } from "./proc/pagemap.ts";
export { type Cursor, Simulation, type ApplyMeta } from "./simulation.ts";
export { Positions, type Granularity, GRANULARITIES } from "./cursor.ts";
export { type KernelEvent, type Content, eventLabel, EVENT_KINDS } from "./events.ts";
export { applyEvent } from "./kernel.ts";
export { type MmConfig, type HostConfig, type ThpMode, Mm, VmFlag } from "./mm.ts";
export { COUNTERS, COUNTER_COUNT, type MmCounters, type CounterKey, snapshotCounters } from "./proc/status.ts";
export { Pte, PTE_NAMES, PTE_KEYS, PTE_STATES } from "./pte.ts";
export { allRules, formatPath, ruleAt, ruleById, type Rule, type Frame } from "./rules.ts";
export {
  type Trace,
  type TraceAction,
  counterAt,
  effectsOf,
  extraAt,
  flagsAt,
  footprintOf,
  stepsOf,
  traceHash,
  ERRNOS,
  FLAG_ALLOW_COW_SHARING,
  FLAG_HAS_PGSTE,
  FLAG_PV,
  FLAG_USES_SKEYS,
} from "./trace.ts";
export { VARIANTS, VARIANT_IDS, type VariantId, type Variant, getVariant, isVariantId } from "./variants.ts";
export { World, type EventResult } from "./world.ts";
export { type MmSnapshot, type TableDetail, snapshotMm, tableDetail, CLASS_NAMES } from "./snapshot.ts";
export { S390X, X86_64, geometryOf, type Geometry, type Arch } from "./geometry.ts";
