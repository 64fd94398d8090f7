/**
 * The counters of one mm, under the names users know from /proc/<pid>/status,
 * /proc/<pid>/ksm_stat and /sys/kernel/mm/ksm (fs/proc/task_mmu.c task_mem(), mm/ksm.c).
 *
 * All are derived from the page-table state (pgtable.ts), so they cannot drift from the PTEs they
 * describe, except where the kernel's own counter drifts: ksm_zero_pages keeps the KSM zeropages
 * fa41ba0d's __zap_zero_pages() removed without ksm_might_unmap_zero_page() (Mm.ksmZeroLeaked),
 * and RssAnon keeps the pages ksmd replaced by the zeropage before a38c015f3156 (Mm.rssAnonKept).
 */

import { PAGE_SIZE } from "../../base/units.ts";
import { ksmPagesShared } from "../ksm.ts";
import type { Mm } from "../mm.ts";
import { Pte } from "../pte.ts";
import { type KernelFeature, kernelHas } from "../variants.ts";

export interface MmCounters {
  /** RssAnon: MM_ANONPAGES × 4 KiB. Anon pages count once per mapping, KSM pages too (replace_page()). */
  rssAnonBytes: number;
  /** VmPTE: mm_pgtables_bytes(), PTRS_PER_xxx × 8 B per counted table (2 KiB per s390 PTE table). */
  vmPteBytes: number;
  /** Memory the page tables occupy (4 KiB per s390 PTE table with PGSTEs: arch/s390/mm/pgalloc.c page_table_alloc()). */
  pageTableBytes: number;
  /** PTE tables present (including tables deposited under huge PMDs). */
  pteTables: number;
  /** Pages mapped to the shared zeropage by a PTE (fault, UFFDIO_ZEROPAGE or KSM placed). */
  zeropagePtes: number;
  /** Exclusive anonymous pages (MM_ANONPAGES minus KSM mappings). */
  anonPages: number;
  /** PTEs mapping a KSM page. */
  ksmPages: number;
  /** /sys/kernel/mm/ksm/pages_shared: KSM pages in the stable tree. */
  ksmPagesShared: number;
  /** /sys/kernel/mm/ksm/pages_sharing: further mappings of those pages. */
  ksmPagesSharing: number;
  /** ksm_zero_pages (/proc/<pid>/ksm_stat): zeropages placed by KSM use_zero_pages. */
  ksmZeroPages: number;
  /** Huge PMDs mapping the huge zero page (x86_64 THP). */
  hugeZeroPmds: number;
  /** Huge PMDs mapping an anonymous THP. */
  thpPmds: number;
  /** Present PTEs or pages under huge PMDs (pagemap PM_PRESENT). */
  presentPages: number;
  /**
   * Host memory this mm costs: its anon pages, the KSM pages it holds, its memfd's page-cache pages
   * and its page tables.
   */
  hostMemBytes: number;
  /** RssShmem: MM_SHMEMPAGES × 4 KiB, memfd pages mapped by a PTE (0 for anonymous guest RAM). */
  rssShmemBytes: number;
  /** The memfd's pages in the page cache, mapped or not (its share of /proc/meminfo Shmem). */
  shmemBytes: number;
}

export type CounterKey = keyof MmCounters;

/**
 * What a rise of a counter means for the host: "cost" (memory spent: RssAnon, page tables, THPs),
 * "saving" (pages that cost no frame of their own: zeropage PTEs, KSM sharing, huge zero PMDs) or
 * "neutral" (a count that is neither, such as present pages). Views colour a change by it (a rise
 * of a saving is good news, never shown as a cost), and the delta table too.
 */
export type CounterSense = "cost" | "saving" | "neutral";

export interface CounterInfo {
  readonly key: CounterKey;
  readonly label: string;
  /** "pages" are page counts (shown as counts, never as bytes); "count" are tables or PMDs. */
  readonly unit: "bytes" | "pages" | "count";
  readonly sense: CounterSense;
  /** The kernel change that introduced the counter, where it is newer than the model's oldest kernel. */
  readonly since?: KernelFeature;
}

/** Column order in the trace. Append only: links hash these. */
export const COUNTERS: readonly CounterInfo[] = [
  { key: "rssAnonBytes", label: "RssAnon", unit: "bytes", sense: "cost" },
  { key: "vmPteBytes", label: "VmPTE", unit: "bytes", sense: "cost" },
  { key: "pageTableBytes", label: "page-table memory", unit: "bytes", sense: "cost" },
  { key: "pteTables", label: "PTE tables", unit: "count", sense: "cost" },
  { key: "zeropagePtes", label: "zeropage PTEs", unit: "pages", sense: "saving" },
  { key: "anonPages", label: "anon pages", unit: "pages", sense: "cost" },
  { key: "ksmPages", label: "KSM mappings", unit: "pages", sense: "saving" },
  { key: "ksmPagesShared", label: "pages_shared", unit: "pages", sense: "neutral" },
  { key: "ksmPagesSharing", label: "pages_sharing", unit: "pages", sense: "saving" },
  { key: "ksmZeroPages", label: "ksm_zero_pages", unit: "pages", sense: "saving", since: "ksmZeroTracking" },
  { key: "hugeZeroPmds", label: "huge zero PMDs", unit: "count", sense: "saving" },
  { key: "thpPmds", label: "THP PMDs", unit: "count", sense: "cost" },
  { key: "presentPages", label: "present pages", unit: "pages", sense: "neutral" },
  { key: "hostMemBytes", label: "host memory", unit: "bytes", sense: "cost" },
  { key: "rssShmemBytes", label: "RssShmem", unit: "bytes", sense: "cost" },
  { key: "shmemBytes", label: "Shmem (memfd)", unit: "bytes", sense: "cost" },
];

/** How a change of `delta` in a counter of this sense reads: memory spent, saved, or neither. */
export function changeTone(sense: CounterSense, delta: number): "cost" | "gain" | "neutral" {
  if (delta === 0 || sense === "neutral") return "neutral";
  return delta > 0 === (sense === "cost") ? "cost" : "gain";
}

export const COUNTER_COUNT = COUNTERS.length;

/** Whether a kernel of `version` reports the counter at all (ksm_zero_pages: v6.6 on). */
export function counterAvailable(info: CounterInfo, version: string): boolean {
  return info.since === undefined || kernelHas(version, info.since);
}
/** Position of each counter in COUNTERS (and in the trace's counter columns). */
const AT = Object.fromEntries(COUNTERS.map((c, i) => [c.key, i])) as Record<CounterKey, number>;

/** Reads all counters of `mm` into `out` at `offset`, in COUNTERS order (after every event). */
export function readCounters(mm: Mm, out: Float64Array, offset: number): void {
  const pt = mm.pt;
  const s = pt.stateCounts;
  const g = mm.geometry;
  const anon = s[Pte.ANON_RO_ZERO]! + s[Pte.ANON_RO_DATA]! + s[Pte.ANON_RW_ZERO]! + s[Pte.ANON_RW_DATA]!;
  const ksm = s[Pte.KSM]!;
  const zeroAll = s[Pte.ZERO]! + s[Pte.ZERO_UFFD]! + s[Pte.ZERO_KSM]!;
  const kinds = pt.hugePmdKinds();
  let vmPte = pt.pteTables * g.pteTableVmPteBytes;
  for (let i = 0; i < g.upper.length; i++) vmPte += pt.upperTables[i]! * g.upper[i]!.vmPteBytes;
  const ptMem = pageTableBytes(mm);
  const shmemMapped = s[Pte.SHMEM_ZERO]! + s[Pte.SHMEM_DATA]!;
  const cached = s[Pte.CACHED_ZERO]! + s[Pte.CACHED_DATA]!;
  // KSM pages hold zeros (pte.ts), and one KSM page serves at most 256 mappings (ksm.ts).
  const shared = ksmPagesShared(ksm);
  out[offset + AT.rssAnonBytes] = (anon + ksm + mm.rssAnonKept) * PAGE_SIZE;
  out[offset + AT.vmPteBytes] = vmPte;
  out[offset + AT.pageTableBytes] = ptMem;
  out[offset + AT.pteTables] = pt.pteTables;
  out[offset + AT.zeropagePtes] = zeroAll - kinds.zero * g.ptesPerTable;
  out[offset + AT.anonPages] = anon;
  out[offset + AT.ksmPages] = ksm;
  out[offset + AT.ksmPagesShared] = shared;
  out[offset + AT.ksmPagesSharing] = ksm - shared;
  out[offset + AT.ksmZeroPages] = s[Pte.ZERO_KSM]! + mm.ksmZeroLeaked;
  out[offset + AT.hugeZeroPmds] = kinds.zero;
  out[offset + AT.thpPmds] = kinds.thp;
  out[offset + AT.presentPages] = mm.pages - s[Pte.NONE]! - cached;
  out[offset + AT.hostMemBytes] = (anon + shared + shmemMapped + cached) * PAGE_SIZE + ptMem;
  out[offset + AT.rssShmemBytes] = shmemMapped * PAGE_SIZE;
  out[offset + AT.shmemBytes] = (shmemMapped + cached) * PAGE_SIZE;
}

export function snapshotCounters(mm: Mm): MmCounters {
  const values = new Float64Array(COUNTER_COUNT);
  readCounters(mm, values, 0);
  return Object.fromEntries(COUNTERS.map((c, i) => [c.key, values[i]!])) as unknown as MmCounters;
}

/** Memory the page tables of `mm` occupy. */
function pageTableBytes(mm: Mm): number {
  const pt = mm.pt;
  const g = mm.geometry;
  let bytes = pt.pteTables * g.pteTableMemBytes;
  for (let i = 0; i < g.upper.length; i++) bytes += pt.upperTables[i]! * g.upper[i]!.memBytes;
  return bytes;
}

/**
 * Host memory in use by `mm` (the hostMemBytes counter), cheaply: the -ENOMEM check asks before
 * every allocating event, and this needs neither the huge PMDs nor the other counters.
 */
export function hostMemBytes(mm: Mm): number {
  const s = mm.pt.stateCounts;
  const anon = s[Pte.ANON_RO_ZERO]! + s[Pte.ANON_RO_DATA]! + s[Pte.ANON_RW_ZERO]! + s[Pte.ANON_RW_DATA]!;
  const shmem = s[Pte.SHMEM_ZERO]! + s[Pte.SHMEM_DATA]! + s[Pte.CACHED_ZERO]! + s[Pte.CACHED_DATA]!;
  return (anon + shmem + ksmPagesShared(s[Pte.KSM]!)) * PAGE_SIZE + pageTableBytes(mm);
}
