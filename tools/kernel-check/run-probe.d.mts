// Types for run-probe.mjs (kept in step with its JSDoc), so TypeScript callers such as check.ts
// can import it.

/** One line of probe output. Fields as documented in README.md "Records". */
export interface ProbeRecord {
  step: number;
  op: string;
  ok: boolean;
  errno: string | null;
  rssAnonKiB: number;
  vmPteKiB: number;
  zeroPtes: number;
  presentPages: number;
  thpPmds: number;
  hugeZeroPmds: number;
  uffdFaults: number;
  ksmZeroPages: number | null;
  ksmMergingPages: number | null;
  ksmPages: number | null;
  /** Completed faults of the main thread since step 0 (getrusage RUSAGE_THREAD); newer probes only. */
  faults?: number;
  /** Of those, major ones (a fault retried after VM_FAULT_RETRY may count as major). */
  majorFaults?: number;
  /** smaps Rss / Anonymous / AnonHugePages summed over the region's VMAs (kB). */
  smapsRssKiB?: number;
  smapsAnonKiB?: number;
  anonHugeKiB?: number;
  /** /proc/vmstat thp_fault_alloc / thp_zero_page_alloc: change around this op, host-wide. */
  hostThpFaultAlloc?: number | null;
  hostThpZeroPageAlloc?: number | null;
  zeropage?: number;
  copy?: number;
  /** uffd-move: the kernel's .move (bytes moved, or -errno). */
  move?: number;
  /** remote-read: bytes process_vm_readv() read, or -errno. */
  remoteRead?: number;
  /** While a child of 'fork' lives: its counters (RssAnon/VmPTE of its whole process, the rest over the region). */
  child?: ProbeChild;
  ksmFullScans?: number;
  ksmWaitMs?: number;
  base?: string;
  env?: Record<string, unknown>;
}

export interface ProbeChild {
  pid: number;
  rssAnonKiB: number;
  vmPteKiB: number;
  zeroPtes?: number;
  presentPages?: number;
  thpPmds?: number;
  hugeZeroPmds?: number;
  smapsRssKiB?: number;
  smapsAnonKiB?: number;
  anonHugeKiB?: number;
}

export interface Skip {
  skip: string;
}

/** Compile probe.c into build/probe (only when the source is newer); a skip reason elsewhere. */
export function buildProbe(): Promise<string | Skip>;

/** Run one op script on this kernel. */
export function runProbe(scriptPath: string): Promise<Skip | { records: ProbeRecord[] }>;

/** Records as a table (deltas against step 0). */
export function formatTable(records: ProbeRecord[]): string;
