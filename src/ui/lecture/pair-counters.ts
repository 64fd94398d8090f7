/**
 * The counters the before/after panel and its slide compare per host, chosen from the runs' own
 * counters: nothing here decides what a kernel does.
 */
import type { MmCounters, RunInfo } from "../../worker/api.ts";

export type PairCounter = { key: keyof MmCounters; label: string; unit: "bytes" | "count" };

/** The counters the panel compares, per host. */
export const PAIR_COUNTERS: readonly PairCounter[] = [
  { key: "rssAnonBytes", label: "RssAnon", unit: "bytes" },
  { key: "hostMemBytes", label: "host memory", unit: "bytes" },
  { key: "zeropagePtes", label: "zeropage PTEs", unit: "count" },
];

const SHMEM_COUNTER: PairCounter = { key: "rssShmemBytes", label: "RssShmem", unit: "bytes" };

/** Whether a run's counter `key` is above zero on some host at some step (the trace's columns). */
function everAboveZero(run: Pick<RunInfo, "trace" | "counters">, key: keyof MmCounters): boolean {
  const c = run.counters.findIndex((x) => x.key === key);
  if (c < 0) return false;
  const nc = run.counters.length;
  const t = run.trace;
  for (let i = c; i < t.counters.length; i += nc) if (t.counters[i]! > 0) return true;
  return false;
}

/**
 * The counters for these columns: RssShmem where a run's guest RAM shows up there (a memfd
 * backend: its pages count in RssShmem), in place of RssAnon when that stays at 0 in every run,
 * after it when both move.
 */
export function pairCounters(runs: readonly Pick<RunInfo, "trace" | "counters">[]): readonly PairCounter[] {
  if (!runs.some((r) => everAboveZero(r, "rssShmemBytes"))) return PAIR_COUNTERS;
  const rest = PAIR_COUNTERS.slice(1);
  return runs.some((r) => everAboveZero(r, "rssAnonBytes"))
    ? [PAIR_COUNTERS[0]!, SHMEM_COUNTER, ...rest]
    : [SHMEM_COUNTER, ...rest];
}
