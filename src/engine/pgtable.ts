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
  /**
   * Per upper level (lowest first): 1 where that table exists. upper, huge and folio are shared
   * copy-on-write with clones (checkpoints): read them freely, change them only through this
   * class (allocUpper, setHuge, setFolio), which copies them first if they are shared.
   */
  upper: Uint8Array[];
  /** Offset of page 0 inside its table of each upper level. */
  private readonly upperOffset: number[];
  /** Pages one table of each upper level spans (2 ** spanShift, computed once: allocTable is hot). */
  private readonly upperSpan: number[];
  /** 1 where a PTE table's range is mapped by a huge PMD (x86_64 THP or huge zero page): setHuge(). */
  huge: Uint8Array;
  /**
   * 1 where the table's anonymous pages are the subpages of one THP folio: mapped by a huge PMD, or
   * by PTEs after the PMD was split (a partial MADV_DONTNEED). KSM must split such a folio before it
   * can merge a subpage (ksm.ts). ASSUMPTION: every anon page in such a table belongs to the folio.
   * Changed through setFolio().
   */
  folio: Uint8Array;
  /** How many copies hold upper, huge and folio (clones share them): more than one, copy first. */
  private upperHolders = { n: 1 };
  private hugeHolders = { n: 1 };
  private folioHolders = { n: 1 };
  /** Pages per PTE state, over the whole range. */
  stateCounts: Float64Array;
  pteTables = 0;
  upperTables: number[];
  hugePmds = 0;
  /**
   * hugePmdKinds()'s bookkeeping: per table 0 (no huge PMD), 1 (huge zero page) or 2 (THP) as last
   * counted, the counts, and the tables whose huge flag changed since (first, one past the last).
   */
  private kindOf: Uint8Array | null = null;
  private kindCounts = { zero: 0, thp: 0 };
  private hugeChangedLo = 0;
  private hugeChangedHi = 0;

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
    this.allocTables(table, 1);
  }

  /** allocTable() for tables [first, first + count), all absent (a walk allocating as it goes). */
  allocTables(first: number, count: number): void {
    this.allocUpper(first, count);
    this.ptes.materialize(first, Pte.NONE, count);
    this.pteTables += count;
  }

  /**
   * pud_alloc()/pmd_alloc() only: the upper-level tables above `table` (__handle_mm_fault), or
   * above each of tables [table, table + count).
   */
  allocUpper(table: number, count = 1): void {
    const firstPage = this.ptes.chunkStart(table);
    const lastPage = this.ptes.chunkStart(table + count - 1);
    for (let i = 0; i < this.upper.length; i++) {
      const last = this.upperIndex(i, lastPage);
      for (let idx = this.upperIndex(i, firstPage); idx <= last; idx++) {
        if (!this.upper[i]![idx]) {
          if (this.upperHolders.n > 1) {
            this.upperHolders.n--;
            this.upperHolders = { n: 1 };
            this.upper = this.upper.map((u) => u.slice());
          }
          this.upper[i]![idx] = 1;
          this.upperTables[i]! += 1;
        }
      }
    }
  }

  /** Frees an empty PTE table (PT reclaim) or a huge PMD's deposited table. */
  freeTable(table: number): void {
    if (this.ptes.tags[table] === ABSENT) return;
    this.ptes.drop(table);
    this.pteTables -= 1;
    this.setFolio(table, false);
    if (this.huge[table]) this.setHuge(table, false);
  }

  /**
   * Marks `table`'s anonymous pages (or those of each of tables [table, table + count)) as the
   * subpages of one THP folio (true) or not (false).
   */
  setFolio(table: number, on: boolean, count = 1): void {
    const v = on ? 1 : 0;
    if (count === 1 && this.folio[table] === v) return;
    if (this.folioHolders.n > 1) {
      this.folioHolders.n--;
      this.folioHolders = { n: 1 };
      this.folio = this.folio.slice();
    }
    this.folio.fill(v, table, table + count);
  }

  /**
   * Maps `table`'s range (or that of each of tables [table, table + count)) by a huge PMD (true)
   * or not (false): the flags and hugePmds.
   */
  setHuge(table: number, on: boolean, count = 1): void {
    const v = on ? 1 : 0;
    const end = table + count;
    let flips = 0;
    if (count > 1 && this.huge.subarray(table, end).indexOf(v) < 0) flips = count;
    else for (let t = table; t < end; t++) if (this.huge[t] !== v) flips++;
    if (flips === 0) return;
    if (this.hugeHolders.n > 1) {
      this.hugeHolders.n--;
      this.hugeHolders = { n: 1 };
      this.huge = this.huge.slice();
    }
    this.huge.fill(v, table, end);
    this.hugePmds += on ? flips : -flips;
    if (this.hugeChangedLo === this.hugeChangedHi) {
      this.hugeChangedLo = table;
      this.hugeChangedHi = end;
    } else {
      this.hugeChangedLo = Math.min(this.hugeChangedLo, table);
      this.hugeChangedHi = Math.max(this.hugeChangedHi, end);
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

  /**
   * Huge PMDs by what they map: the huge zero page (the table's PTE states are all ZERO) or a THP.
   * The trace reads this after every event, so it is kept up to date incrementally: only tables
   * whose PTE states were written (ptes.takeWritten()) or whose huge flag changed (setHuge) since
   * the last call are looked at again.
   */
  hugePmdKinds(): { readonly zero: number; readonly thp: number } {
    const [wLo, wHi] = this.ptes.takeWritten();
    let lo = wLo;
    let hi = wHi;
    if (this.hugeChangedLo !== this.hugeChangedHi) {
      lo = lo === hi ? this.hugeChangedLo : Math.min(lo, this.hugeChangedLo);
      hi = Math.max(hi, this.hugeChangedHi);
      this.hugeChangedLo = this.hugeChangedHi = 0;
    }
    let kindOf = this.kindOf;
    if (kindOf === null) {
      if (this.hugePmds === 0) return this.kindCounts;
      kindOf = this.kindOf = new Uint8Array(this.huge.length);
      lo = 0;
      hi = this.huge.length;
    }
    recountKinds(kindOf, this.huge, this.ptes.tags, lo, hi, this.kindCounts);
    return this.kindCounts;
  }

  clone(): PageTables {
    const copy = Object.create(PageTables.prototype) as PageTables;
    Object.assign(copy, this);
    copy.ptes = this.ptes.clone();
    this.upperHolders.n++;
    this.hugeHolders.n++;
    this.folioHolders.n++;
    copy.stateCounts = this.stateCounts.slice();
    copy.upperTables = this.upperTables.slice();
    // The copy counts its huge PMDs afresh when first asked.
    copy.kindOf = null;
    copy.kindCounts = { zero: 0, thp: 0 };
    return copy;
  }
  /** This copy will not be used again (an undo copy no longer needed): the others write in place. */
  release(): void {
    this.ptes.release();
    this.upperHolders.n--;
    this.hugeHolders.n--;
    this.folioHolders.n--;
  }
}

/**
 * Tables [lo, hi) counted again for hugePmdKinds(): kindOf[t] is 0 (no huge PMD), 1 (the huge
 * zero page: the table's PTEs are all ZERO) or 2 (a THP), and `counts` follows the changes.
 */
function recountKinds(
  kindOf: Uint8Array,
  huge: Uint8Array,
  tags: Uint8Array,
  lo: number,
  hi: number,
  counts: { zero: number; thp: number },
): void {
  for (let t = lo; t < hi; t++) {
    const now = huge[t] === 0 ? 0 : tags[t] === Pte.ZERO ? 1 : 2;
    const was = kindOf[t]!;
    if (now === was) continue;
    if (was === 1) counts.zero--;
    else if (was === 2) counts.thp--;
    if (now === 1) counts.zero++;
    else if (now === 2) counts.thp++;
    kindOf[t] = now;
  }
}
