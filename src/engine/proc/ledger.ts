/**
 * What a real machine would print: the model's state of one host, under the names and in the
 * formats of the files a reviewer reads (/proc/<pid>/status, smaps_rollup, /proc/meminfo, memcg
 * memory.stat, /proc/vmstat, /sys/kernel/mm/ksm, pagemap), each with the command that prints it.
 *
 * Every value is derived here from the mm's counters (proc/status.ts) and vmstat deltas
 * (proc/vmstat.ts), so the kernel's accounting rules live in the engine, not in a view:
 *   - RssAnon counts MM_ANONPAGES (fs/proc/task_mmu.c task_mem());
 *   - smaps_rollup counts what vm_normal_page() returns a page for (smaps_pte_entry()): the shared
 *     zeropage and the huge zero page are never counted, KSM pages are, once per mapping;
 *   - PageTables and memcg `pagetables` count NR_PAGETABLE: a page per table
 *     (pagetable_pte_ctor()), 4 KiB per s390 PTE table where VmPTE counts 2 KiB (mm_inc_nr_ptes());
 *   - pagemap's zero pages are the PTEs mapping the zero pfn and every 4 KiB of a huge zero PMD
 *     (PAGE_IS_PFNZERO in pagemap_page_category(), KPF_ZERO_PAGE in stable_page_flags()).
 *
 * The model holds guest RAM only. A real QEMU adds its heap, libraries and device memory to the
 * per-process files, and host-wide files add every other process: each section's note says which.
 */
import { MiB, PAGE_SIZE } from "../../base/units.ts";
import type { Arch } from "../geometry.ts";
import { KERNEL_FEATURES, type KernelFeature, kernelHas } from "../variants.ts";
import type { MmCounters } from "./status.ts";
import type { VmstatDeltas } from "./vmstat.ts";

export interface LedgerLine {
  /** The field's name as the file prints it, e.g. "RssAnon", "pagetables", "pgfault". */
  readonly name: string;
  /** The value in the file's own unit (`unit`). */
  readonly value: number;
  readonly unit: "kB" | "MiB" | "bytes" | "pages" | "events";
  /** The line as the file prints it; "" where this kernel has no such field (see `missing`). */
  readonly printed: string;
  /** Why this kernel prints nothing here (the field came later), or null. */
  readonly missing: string | null;
}

export interface LedgerSection {
  /** The file or tool, e.g. "/proc/<pid>/status". */
  readonly source: string;
  /** A command that prints these lines on a real host. */
  readonly command: string;
  readonly lines: readonly LedgerLine[];
  /** What the value covers, and where a real machine's figure differs from the model's. */
  readonly note: string;
}

export interface KernelLedgerInput {
  readonly counters: MmCounters;
  readonly vmstat: VmstatDeltas;
  readonly arch: Arch;
  readonly kernelVersion: string;
  /** The host's THP setting: the THP vmstat lines are shown only where THP can be used. */
  readonly thp: boolean;
}
/** Pages under one x86_64 huge PMD. */
const PMD_PAGES = 512;

function missingText(feature: KernelFeature, version: string): string {
  return `not in Linux ${version}: it came in v${KERNEL_FEATURES[feature].since}`;
}

/** A line of a `Name:   value kB` file (status, smaps_rollup, meminfo), padded as the kernel does. */
function kbLine(name: string, bytes: number, pad: number, width = 8): LedgerLine {
  const kb = Math.round(bytes / 1024);
  return {
    name,
    value: kb,
    unit: "kB",
    printed: `${`${name}:`.padEnd(pad)}${String(kb).padStart(width)} kB`,
    missing: null,
  };
}

/** A `name value` line (vmstat, memory.stat) or a bare sysfs value, if the kernel has it. */
function plainLine(
  name: string,
  value: number,
  unit: LedgerLine["unit"],
  printed: string,
  version: string,
  feature?: KernelFeature,
): LedgerLine {
  if (feature && !kernelHas(version, feature))
    return { name, value, unit, printed: "", missing: missingText(feature, version) };
  return { name, value, unit, printed, missing: null };
}

/** The QEMU binary that runs the guest on this architecture (for pidof). */
export function qemuBinary(arch: Arch): string {
  return arch === "s390x" ? "qemu-system-s390x" : "qemu-system-x86_64";
}

/** The kernel's side of one host's ledger, section by section. */
export function kernelLedger(input: KernelLedgerInput): LedgerSection[] {
  const { counters: c, vmstat, arch, kernelVersion: v } = input;
  const pid = `$(pidof ${qemuBinary(arch)})`;
  const sections: LedgerSection[] = [];

  // fs/proc/task_mmu.c task_mem(): seq_put_decimal_ull_width(m, "RssAnon:\t", ..., 8) " kB".
  const tab = (name: string, bytes: number): LedgerLine => {
    const kb = Math.round(bytes / 1024);
    return { name, value: kb, unit: "kB", printed: `${name}:\t${String(kb).padStart(8)} kB`, missing: null };
  };
  sections.push({
    source: "/proc/<pid>/status",
    command: `grep -E '^(RssAnon|RssShmem|VmPTE):' /proc/${pid}/status`,
    lines: [tab("RssAnon", c.rssAnonBytes), tab("RssShmem", c.rssShmemBytes), tab("VmPTE", c.vmPteBytes)],
    note:
      arch === "s390x"
        ? "QEMU's guest RAM only; QEMU's own heap and libraries add some MiB on a real host. VmPTE counts 2 KiB per s390 page table (256 entries × 8 B), half of the 4 KiB page each KVM table occupies with its PGSTEs."
        : "QEMU's guest RAM only; QEMU's own heap and libraries add some MiB on a real host.",
  });

  // smaps_pte_entry(): vm_normal_page() is NULL for the zero pfn, so zeropages count nowhere; a
  // memfd page counts in Rss but is not anonymous.
  const anonymous = (c.anonPages + c.ksmPages) * PAGE_SIZE;
  const smaps = [
    kbLine("Rss", anonymous + c.rssShmemBytes, 16),
    kbLine("Anonymous", anonymous, 16),
    kbLine("AnonHugePages", c.thpPmds * PMD_PAGES * PAGE_SIZE, 16),
  ];
  const rollup = kernelHas(v, "smapsRollup");
  sections.push({
    source: rollup ? "/proc/<pid>/smaps_rollup" : "/proc/<pid>/smaps",
    command: rollup
      ? `grep -E '^(Rss|Anonymous|AnonHugePages):' /proc/${pid}/smaps_rollup`
      : `awk '/^(Rss|Anonymous|AnonHugePages):/ { kb[$1] += $2 } END { for (k in kb) print k, kb[k], "kB" }' /proc/${pid}/smaps`,
    lines: smaps,
    note: `The shared zeropage and the huge zero page count nowhere here (vm_normal_page() returns no page for them), unlike a page of the guest's own; a KSM page counts once per mapping.${c.zeropagePtes + c.hugeZeroPmds > 0 ? " So Rss stays below RssAnon + the zeropages this mm maps." : ""}${rollup ? "" : " smaps_rollup came in v4.14: this kernel's smaps is summed instead."}`,
  });

  sections.push({
    source: "/proc/meminfo",
    command: "grep -E '^(Shmem|PageTables):' /proc/meminfo",
    lines: [kbLine("Shmem", c.shmemBytes, 16), kbLine("PageTables", c.pageTableBytes, 16)],
    note:
      arch === "s390x"
        ? "Host-wide: the figure is this QEMU's share; every other process adds its own. Each s390 KVM page table is a whole 4 KiB page (the PTEs and their PGSTEs), so PageTables grows twice as fast as VmPTE."
        : "Host-wide: the figure is this QEMU's share; every other process adds its own. KVM's EPT tables are counted apart (SecPageTables) and are not modelled.",
  });

  const memcg = "/sys/fs/cgroup/machine.slice/machine-qemu*.scope/memory.stat";
  sections.push({
    source: "memory.stat (cgroup v2)",
    command: `grep -w pagetables ${memcg}`,
    lines: [
      plainLine(
        "pagetables",
        c.pageTableBytes,
        "bytes",
        `pagetables ${c.pageTableBytes}`,
        v,
        "memcgPagetables",
      ),
    ],
    note: "The VM's cgroup (libvirt: its machine.slice scope, vCPU threads included): page tables are charged to the cgroup of the task that allocates them (__GFP_ACCOUNT), in bytes.",
  });

  const vm = [
    plainLine("pgfault", vmstat.pgfault, "events", `pgfault ${vmstat.pgfault}`, v),
    plainLine(
      "thp_fault_alloc",
      vmstat.thp_fault_alloc,
      "events",
      `thp_fault_alloc ${vmstat.thp_fault_alloc}`,
      v,
    ),
    plainLine(
      "thp_zero_page_alloc",
      vmstat.thp_zero_page_alloc,
      "events",
      `thp_zero_page_alloc ${vmstat.thp_zero_page_alloc}`,
      v,
    ),
  ];
  sections.push({
    source: "/proc/vmstat",
    command: "grep -E '^(pgfault|thp_fault_alloc|thp_zero_page_alloc) ' /proc/vmstat",
    lines: input.thp ? vm : vm.slice(0, 1),
    note: `Host-wide counters that only grow: the values are what this QEMU adds since the scenario began (read the file before and after, and subtract). pgfault counts every handle_mm_fault(): the guest's faults through KVM, unsharing faults, MADV_POPULATE_READ and other processes' reads; UFFDIO_COPY and UFFDIO_ZEROPAGE fill pages without a fault. A fault that waited for a userfault counts only once its retry completes, and a vCPU's (through GUP) not at all: the retry finds the page placed (mm_account_fault()).${input.thp ? " thp_zero_page_alloc is 1 if this run first needed the huge zero page: a host that had it allocated already shows 0." : ""}`,
  });

  const ksmActive = c.ksmPagesShared + c.ksmPagesSharing + c.ksmZeroPages > 0;
  if (ksmActive) {
    const profit = (c.ksmPagesSharing + c.ksmZeroPages) * PAGE_SIZE;
    sections.push({
      source: "/sys/kernel/mm/ksm",
      command: "grep -H . /sys/kernel/mm/ksm/{pages_shared,pages_sharing,ksm_zero_pages,general_profit}",
      lines: [
        plainLine(
          "pages_shared",
          c.ksmPagesShared,
          "pages",
          `/sys/kernel/mm/ksm/pages_shared:${c.ksmPagesShared}`,
          v,
        ),
        plainLine(
          "pages_sharing",
          c.ksmPagesSharing,
          "pages",
          `/sys/kernel/mm/ksm/pages_sharing:${c.ksmPagesSharing}`,
          v,
        ),
        plainLine(
          "ksm_zero_pages",
          c.ksmZeroPages,
          "pages",
          `/sys/kernel/mm/ksm/ksm_zero_pages:${c.ksmZeroPages}`,
          v,
          "ksmZeroTracking",
        ),
        plainLine(
          "general_profit",
          profit,
          "bytes",
          `/sys/kernel/mm/ksm/general_profit:${profit}`,
          v,
          "ksmProfit",
        ),
      ],
      note: `Host-wide, this QEMU's share. general_profit is (pages_sharing${kernelHas(v, "ksmZeroTracking") ? " + ksm_zero_pages" : ""}) × 4 KiB minus 64 B per rmap item ksmd keeps; the model does not track rmap items (one per page ksmd has scanned), so the figure shown is the profit before their cost, an upper bound.`,
    });
  }

  // x86_64's huge zero PMD maps 512 zero pages (THP exists only there in the model).
  const zeroPages = c.zeropagePtes + c.hugeZeroPmds * PMD_PAGES;
  const scan = kernelHas(v, "pagemapScan");
  sections.push({
    source: "pagemap (page-types)",
    command: `page-types -p ${pid} -b zero_page`,
    lines: [
      {
        name: "zero_page",
        value: zeroPages,
        unit: "pages",
        printed: `zero_page: ${zeroPages} pages (${Math.floor((zeroPages * PAGE_SIZE) / MiB)} MB)`,
        missing: null,
      },
    ],
    note: `Pages of guest RAM mapped to the shared zeropage or the huge zero page (KPF_ZERO_PAGE). page-types (tools/mm/page-types.c) prints a table by page flags; the line here is its count for zero_page, not its layout. Neither RssAnon nor smaps counts these pages.${scan ? " The ioctl PAGEMAP_SCAN with PAGE_IS_PFNZERO returns the same pages as ranges." : ""}`,
  });
  return sections;
}
