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
  zeropage?: number;
  copy?: number;
  ksmFullScans?: number;
  ksmWaitMs?: number;
  base?: string;
  env?: Record<string, unknown>;
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

/** Paths of the probe source and binary. */
export const paths: { source: string; binary: string };
