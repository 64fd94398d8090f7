/**
 * Page-table geometry per architecture: how many PTEs a table holds, what the tables above it span,
 * and what each table costs, both in memory and in VmPTE.
 *
 * VmPTE (/proc/<pid>/status) prints mm_pgtables_bytes(mm), which mm_inc_nr_ptes()/_pmds()/_puds()
 * raise by PTRS_PER_xxx * sizeof(entry) per table. On s390 that is 256 × 8 B = 2 KiB for a PTE
 * table, although a KVM process's PTE table occupies a whole 4 KiB page (PTEs plus PGSTEs: page_table_alloc() in arch/s390/mm/pgalloc.c, a full page since v6.7).
 * So the model keeps two numbers: `vmPteBytes` (what /proc shows) and `memBytes` (what the host
 * loses). Host memory counts memBytes.
 *
 * Worked numbers: 40 GiB read with the zeropage allowed costs only page tables:
 *   s390x  40 GiB / 1 MiB = 40,960 tables × 4 KiB = 160 MiB
 *   x86_64 40 GiB / 2 MiB = 20,480 tables × 4 KiB =  80 MiB
 */

export type Arch = "s390x" | "x86_64";

export interface UpperLevel {
  /** Kernel name of the level, e.g. "segment table (pmd)". */
  readonly name: string;
  /** log2 of the pages one table of this level spans. */
  readonly spanShift: number;
  readonly memBytes: number;
  readonly vmPteBytes: number;
}

export interface Geometry {
  readonly arch: Arch;
  /** log2(PTEs per PTE table): 8 on s390 (_PAGE_ENTRIES 256), 9 on x86_64 (PTRS_PER_PTE 512). */
  readonly pteShift: number;
  readonly ptesPerTable: number;
  /** Memory one PTE table occupies. */
  readonly pteTableMemBytes: number;
  /** What one PTE table adds to VmPTE (PTRS_PER_PTE * sizeof(pte_t)). */
  readonly pteTableVmPteBytes: number;
  /** Levels above the PTE table that are allocated on demand and counted, lowest first. */
  readonly upper: readonly UpperLevel[];
  /** Name of a PTE table in this architecture's own words. */
  readonly pteTableName: string;
}

/**
 * s390x (arch/s390/include/asm/pgtable.h, arch/s390/mm/pgalloc.c):
 * - page table: _PAGE_ENTRIES 256 × 8 B, maps 1 MiB (one segment). Since d08d4e7cd6bf (v6.7)
 *   page_table_alloc() always takes a full 4 KiB page; before that, processes with alloc_pgste
 *   (QEMU is linked with the PT_S390_PGSTE ELF header) already got a full page. So 4 KiB for a KVM
 *   host process in every variant.
 * - segment table (pmd level): _CRST_ENTRIES 2048 × 8 B = 16 KiB (CRST_ALLOC_ORDER, 4 pages), spans
 *   2048 × 1 MiB = 2 GiB.
 * ASSUMPTION (geometry): guest RAM lies below 4 TiB, where the region-3 table is the top level
 * (the pgd, allocated with the mm and not counted), so only segment tables are allocated on demand.
 */
export const S390X: Geometry = {
  arch: "s390x",
  pteShift: 8,
  ptesPerTable: 256,
  pteTableMemBytes: 4096,
  pteTableVmPteBytes: 2048,
  upper: [{ name: "segment table (pmd)", spanShift: 19, memBytes: 16384, vmPteBytes: 16384 }],
  pteTableName: "page table",
};

/**
 * x86_64, 4-level paging (arch/x86/include/asm/pgtable_64_types.h): PTE, PMD and PUD tables are
 * 512 × 8 B = 4 KiB each and span 2 MiB, 1 GiB and 512 GiB. The PGD exists with the mm; P4D is
 * folded. mm_inc_nr_ptes/pmds/puds count all three.
 */
export const X86_64: Geometry = {
  arch: "x86_64",
  pteShift: 9,
  ptesPerTable: 512,
  pteTableMemBytes: 4096,
  pteTableVmPteBytes: 4096,
  upper: [
    { name: "pmd table", spanShift: 18, memBytes: 4096, vmPteBytes: 4096 },
    { name: "pud table", spanShift: 27, memBytes: 4096, vmPteBytes: 4096 },
  ],
  pteTableName: "PTE table",
};

export function geometryOf(arch: Arch): Geometry {
  return arch === "s390x" ? S390X : X86_64;
}
