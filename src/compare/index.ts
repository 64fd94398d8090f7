/**
 * Compare mode's core: two runs side by side in lockstep. Pure TypeScript (no DOM, no worker), so
 * the worker, the CLI and Node tests share it.
 *
 *   align.ts       the aligned timeline: actions, event pairs, steps by page-table position
 *   divergence.ts  where the runs do different things, the first state divergence, policy notes
 *   explain.ts     the plain-language sentences, from the rules that fired
 *   state-diff.ts  the diff map: which page tables differ between two worlds
 *   delta.ts       final and peak counters per mm, their difference, the mailing-list table
 *   compare.ts     compareRuns() and the plain-data summary the worker sends
 */
export type { PairLocation, Side } from "./align.ts";
export {
  type AlignedAction,
  type CompareSummary,
  type Comparison,
  compareRuns,
  summarize,
} from "./compare.ts";
export {
  type DeltaRow,
  type DeltaTable,
  type FormatOptions,
  formatDeltaTable,
  formatDiff,
  formatPct,
  formatValue,
  selectRows,
} from "./delta.ts";
export {
  type CompareSide,
  type Divergence,
  type DivergenceKind,
  describeAt,
  type PolicyNote,
  type Replayer,
} from "./divergence.ts";
export { withPrefix } from "./replay.ts";
export {
  diffWorlds,
  type MmDiff,
} from "./state-diff.ts";
export { type StepAt, type StepDifference, stepDifference } from "./step-difference.ts";
