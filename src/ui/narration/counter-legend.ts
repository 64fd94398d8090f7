/**
 * What each counter means, for the counters table's legend: where a real machine shows it, what
 * it counts, and how VmPTE, page-table memory and host memory relate. Texts keyed by the
 * counter's key (engine/proc/status.ts COUNTERS), worded with the run's page-table geometry.
 */
import type { TableGeometry } from "../../worker/api.ts";
import { formatBytesShort, formatInt } from "../format.ts";

type Geometry = Pick<
  TableGeometry,
  "tableSpanBytes" | "pteTableMemBytes" | "pteTableVmPteBytes" | "pteTableName" | "ptesPerTable"
>;

/** The meaning of counter `key` in this run's geometry, or "" for a counter without one. */
export function counterMeaning(key: string, g: Geometry): string {
  const table = `${g.pteTableName} (${formatInt(g.ptesPerTable)} PTEs, ${formatBytesShort(g.tableSpanBytes)} of memory mapped)`;
  const half = g.pteTableVmPteBytes !== g.pteTableMemBytes;
  switch (key) {
    case "rssAnonBytes":
      return "RssAnon in /proc/<pid>/status: the process's anonymous pages, 4 KiB each (MM_ANONPAGES). A PTE that maps the shared zeropage adds nothing.";
    case "vmPteBytes":
      return half
        ? `VmPTE in /proc/<pid>/status: the page-table bytes the kernel counts (mm_pgtables_bytes()), ${formatBytesShort(g.pteTableVmPteBytes)} per ${table}: the PTEs only. A KVM ${g.pteTableName} on s390 occupies ${formatBytesShort(g.pteTableMemBytes)}, its PTEs plus their PGSTEs, so VmPTE shows half of what these tables cost.`
        : `VmPTE in /proc/<pid>/status: the page-table bytes the kernel counts (mm_pgtables_bytes()), ${formatBytesShort(g.pteTableVmPteBytes)} per ${table}, the same as they occupy.`;
    case "pageTableBytes":
      return `Page-table memory: what the page tables occupy, ${formatBytesShort(g.pteTableMemBytes)} per ${g.pteTableName} and the tables above them.${half ? ` Not a /proc field: VmPTE counts only ${formatBytesShort(g.pteTableVmPteBytes)} of each ${g.pteTableName}.` : " Here it equals VmPTE."}`;
    case "pteTables":
      return `Last-level page tables in existence; one ${table}. Reading memory creates them even where the read maps the zeropage.`;
    case "zeropagePtes":
      return "PTEs that map the one shared zeropage: no page of their own, only the page table they sit in (huge zero PMDs are counted apart).";
    case "anonPages":
      return "Pages with a 4 KiB frame of their own (KSM mappings not included).";
    case "ksmPages":
      return "PTEs that map a page merged by KSM.";
    case "ksmPagesShared":
      return "/sys/kernel/mm/ksm/pages_shared: KSM pages in use.";
    case "ksmPagesSharing":
      return "/sys/kernel/mm/ksm/pages_sharing: further mappings of those pages, each a page saved.";
    case "ksmZeroPages":
      return "ksm_zero_pages: pages KSM replaced by the shared zeropage (use_zero_pages).";
    case "hugeZeroPmds":
      return "Huge PMDs that map the huge zero page (x86_64 THP): 2 MiB of zeros each, without a frame of their own.";
    case "thpPmds":
      return "Huge PMDs that map a transparent huge page of the process's own (2 MiB).";
    case "presentPages":
      return "Pages mapped at all (pagemap's present bit), whatever they map.";
    case "rssShmemBytes":
      return "RssShmem in /proc/<pid>/status: pages of a shared-memory file (guest RAM in a memfd) this process maps, 4 KiB each (MM_SHMEMPAGES).";
    case "shmemBytes":
      return "The memfd's pages in the page cache, mapped or not (its share of Shmem in /proc/meminfo): guest RAM that lives in a file costs memory here.";
    case "hostMemBytes":
      return `Host memory: what the host gives this process, its anonymous pages, the KSM pages it holds, the page cache of a memfd behind guest RAM, and its page-table memory${half ? ` (not VmPTE, which counts ${formatBytesShort(g.pteTableVmPteBytes)} of each ${g.pteTableName})` : ""}.`;
    default:
      return "";
  }
}

/** One sentence on how the memory counters relate, for the legend's head. */
export function countersRelation(g: Geometry): string {
  return g.pteTableVmPteBytes !== g.pteTableMemBytes
    ? `Host memory = anonymous pages + KSM pages (+ the page cache of a memfd behind guest RAM) + page-table memory. VmPTE is what /proc prints for the page tables: ${formatBytesShort(g.pteTableVmPteBytes)} of each ${formatBytesShort(g.pteTableMemBytes)} table here.`
    : "Host memory = anonymous pages + KSM pages (+ the page cache of a memfd behind guest RAM) + page-table memory; VmPTE is what /proc prints for the page tables, here the same as their memory.";
}
