/**
 * Zeropage Lab's kernel model: a pure, deterministic library. No DOM, no worker, no Node APIs.
 *
 * Use: create a Simulation with one MmConfig per address space, drive it with KernelEvents (the
 * hypervisor layer does this for scenarios), call finish() for the Trace, and worldAt() to rebuild
 * the state at any position. Every transition names its rule (rules.ts), and every rule names the
 * kernel functions it models.
 */
export type { Effect, Errno, Ranges } from "./apply.ts";
export { GRANULARITIES, type Granularity, Positions } from "./cursor.ts";
export { type Content, EVENT_KINDS, type KernelEvent } from "./events.ts";
export type { Arch, Geometry } from "./geometry.ts";
export { applyEvent } from "./kernel.ts";
export { variantPath } from "./kernel-names.ts";
export {
  describeHostPolicy,
  type HostConfig,
  type HostZeropagePolicy,
  isHostPolicyNonDefault,
  Mm,
  type MmConfig,
  type ThpMode,
  UPSTREAM_ZEROPAGE,
  VmFlag,
} from "./mm.ts";
export {
  type KernelLedgerInput,
  kernelLedger,
  type LedgerLine,
  type LedgerSection,
} from "./proc/ledger.ts";
export { dataRuns, noneRuns, presentRuns } from "./proc/pagemap.ts";
export {
  COUNTER_COUNT,
  COUNTERS,
  type CounterInfo,
  type CounterKey,
  counterAvailable,
  type MmCounters,
  snapshotCounters,
} from "./proc/status.ts";
export { type VmstatDeltas, vmstatDeltas } from "./proc/vmstat.ts";
export { PTE_KEYS, PTE_NAMES } from "./pte.ts";
export { allRules, type Frame, formatPath, type Rule, ruleAt, ruleById } from "./rules.ts";
export {
  type SelftestCheck,
  type SelftestReport,
  sharedZeropageTest,
} from "./selftests/shared_zeropage_test.ts";
export { type ApplyMeta, type Cursor, Simulation } from "./simulation.ts";
export {
  type ContentClassName,
  contentClassNames,
  type MmSnapshot,
  snapshotMm,
  type TableDetail,
  tableDetail,
} from "./snapshot.ts";
export {
  counterAt,
  ERRNOS,
  effectsOf,
  extraAt,
  FLAG_ALLOW_COW_SHARING,
  FLAG_HAS_PGSTE,
  FLAG_PV,
  FLAG_USES_SKEYS,
  flagsAt,
  footprintOf,
  mmActive,
  peakCounterAt,
  stepsOf,
  type Trace,
  type TraceAction,
  traceHash,
} from "./trace.ts";
export {
  isVariantId,
  type KernelFeature,
  VARIANT_IDS,
  VARIANTS,
  type Variant,
  type VariantId,
} from "./variants.ts";
export { type EventResult, World } from "./world.ts";
