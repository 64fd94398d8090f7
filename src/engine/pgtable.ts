/**
 * The page tables of one mm over its guest-RAM address range: PTE tables stored compactly
 * (base/chunked.ts: a uniform table is one tag byte, a mixed one 256 or 512 bytes), the upper
 * levels as presence flags, and running counts of PTE states and tables.
 *
 * Index spaces: `page` is a page index from the start of the range (page 0 = the first guest RAM
 * page). `table` is a PTE-table index (a chunk of ChunkedBytes). The range starts at virtual page
 * number `baseVpn`, so the first table may be partial: table = (page + baseVpn % ptes) >> pteShift.
 *
 * Allocation follows __handle_mm_fault(): upper levels (pud_alloc, pmd_alloc) then the PTE table
 * (pte_alloc in do_anonymous_page) on first touch, before the zeropage decision (do_anonymous_page(): pte_alloc() comes first).
 * Nothing here frees upper levels; only PT reclaim (madvise.ts) frees PTE tables.
 */
import { ABSENT, ChunkedBytes, MIXED } from "../base/chunked.ts";
import type { Geometry } from "./geometry.ts";
import { PTE_STATES, Pte } from "./pte.ts";

export class PageTables {
  readonly geometry: Geometry;
  readonly pages: number;
  readonly baseVpn: number;
  /** PTE state per page; a table is ABSENT when its PMD entry is none. */
  ptes: ChunkedBytes;
  /** Per upper level (lowest first): 1 where that table exists. */
  upper: Uint8Array[];
  /** Offset of page 0 inside its table of each upper level. */
  private readonly upperOffset: number[];
  /** Pages one table of each upper level spans (2 ** spanShift, computed once: allocTable is hot). */
  private readonly upperSpan: number[];
  /** 1 where a PTE table's range is mapped by a huge PMD (x86_64 THP or huge zero page). */
  huge: Uint8Array;
  /**
   * 1 where the table's anonymous pages are the subpages of one THP folio: mapped by a huge PMD, or
   * by PTEs after the PMD was split (a partial MADV_DONTNEED). KSM must split such a folio before it
   * can merge a subpage (ksm.ts). ASSUMPTION: every anon page in such a table belongs to the folio.
   */
  folio: Uint8Array;
  /** Pages per PTE state, over the whole range. */
  stateCounts: Float64Array;
  pteTables = 0;
  upperTables: number[];
  hugePmds = 0;

  constructor(geometry: Geometry, pages: number, baseVpn: number) {
    this.geometry = geometry;
    this.pages = pages;
    this.baseVpn = baseVpn;
    const mask = geometry.ptesPerTable - 1;
    this.ptes = new ChunkedBytes(pages, geometry.pteShift, baseVpn & mask, ABSENT);
    this.upperSpan = geometry.upper.map((l) => 2 ** l.spanShift);
    this.upperOffset = this.upperSpan.map((span) => baseVpn % span);
    this.upper = geometry.upper.map((l, i) => {
      const off = this.upperOffset[i]!;
      const n = pages === 0 ? 0 : Math.floor((pages - 1 + off) / 2 ** l.spanShift) + 1;
      return new Uint8Array(n);
    });
    this.upperTables = geometry.upper.map(() => 0);
    this.huge = new Uint8Array(this.ptes.chunks);
    this.folio = new Uint8Array(this.ptes.chunks);
    this.stateCounts = new Float64Array(PTE_STATES);
    this.stateCounts[Pte.NONE] = pages;
  }

  get tables(): number {
    return this.ptes.chunks;
  }

  tableOf(page: number): number {
    return this.ptes.chunkOf(page);
  }

  hasTable(table: number): boolean {
    return this.ptes.tags[table] !== ABSENT;
  }

  /** Upper-level tables that allocating `table` would add, per level (for costing before acting). */
  missingUpperFor(table: number, out: number[]): void {
    const firstPage = this.ptes.chunkStart(table);
    for (let i = 0; i < this.upper.length; i++) {
      const idx = this.upperIndex(i, firstPage);
      out[i] = this.upper[i]![idx] ? 0 : 1;
    }
  }

  private upperIndex(level: number, page: number): number {
    return Math.floor((page + this.upperOffset[level]!) / this.upperSpan[level]!);
  }

  /**
   * pmd_alloc()/pud_alloc() then pte_alloc(): makes `table` present with all PTEs none.
   * Returns the number of tables allocated at each level: [pte, ...upper].
   */
  allocTable(table: number): void {
    if (this.ptes.tags[table] !== ABSENT) return;
    this.allocUpper(table);
    this.ptes.materialize(table, Pte.NONE);
    this.pteTables += 1;
  }

  /** pud_alloc()/pmd_alloc() only: the upper-level tables above `table` (__handle_mm_fault). */
  allocUpper(table: number): void {
    const firstPage = this.ptes.chunkStart(table);
    for (let i = 0; i < this.upper.length; i++) {
      const idx = this.upperIndex(i, firstPage);
      if (!this.upper[i]![idx]) {
        this.upper[i]![idx] = 1;
        this.upperTables[i]! += 1;
      }
    }
  }

  /** Frees an empty PTE table (PT reclaim) or a huge PMD's deposited table. */
  freeTable(table: number): void {
    if (this.ptes.tags[table] === ABSENT) return;
    this.ptes.drop(table);
    this.pteTables -= 1;
    this.folio[table] = 0;
    if (this.huge[table]) {
      this.huge[table] = 0;
      this.hugePmds -= 1;
    }
  }

  /** Applies a tally of visited pages (by old state) through `lut` to the state counts. */
  account(tally: Float64Array, lut: Uint8Array): void {
    for (let s = 0; s < PTE_STATES; s++) {
      const n = tally[s]!;
      if (n === 0) continue;
      const to = lut[s]!;
      if (to === s) continue;
      this.stateCounts[s]! -= n;
      this.stateCounts[to]! += n;
    }
  }

  /** Whether every PTE of a present table is none. */
  tableIsEmpty(table: number): boolean {
    return this.ptes.tags[table] === Pte.NONE;
  }

  /** The table's tag: a uniform state, MIXED, or ABSENT (for views and tests). */
  tableTag(table: number): number {
    return this.ptes.tags[table]!;
  }

  isMixed(table: number): boolean {
    return this.ptes.tags[table] === MIXED;
  }

  clone(): PageTables {
    const copy = Object.create(PageTables.prototype) as PageTables;
    Object.assign(copy, this);
    copy.ptes = this.ptes.clone();
    copy.upper = this.upper.map((u) => u.slice());
    copy.huge = this.huge.slice();
    copy.folio = this.folio.slice();
    copy.stateCounts = this.stateCounts.slice();
    copy.upperTables = this.upperTables.slice();
    return copy;
  }
}
