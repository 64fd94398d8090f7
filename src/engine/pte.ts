/**
 * The state of one PTE in guest RAM, one byte per page in mixed page tables.
 *
 *   NONE           pte_none(): nothing mapped (the page table itself may or may not exist)
 *   ZERO           the shared zeropage, special PTE, mapped by a read fault (do_anonymous_page)
 *   ZERO_UFFD      the shared zeropage, mapped by UFFDIO_ZEROPAGE (mfill_atomic_pte_zeropage)
 *   ZERO_KSM       the shared zeropage, mapped by KSM use_zero_pages (replace_page sets the dirty
 *                  bit: is_ksm_zero_pte()); counted in ksm_zero_pages
 *   ANON_RO_*      an exclusive anonymous page, PTE read-only (after FAULT_FLAG_UNSHARE, wp_page_copy)
 *   ANON_RW_*      an exclusive anonymous page, PTE writable (write fault, forbidden-zeropage read
 *                  fault in a VM_WRITE VMA, UFFDIO_COPY)
 *   KSM            mapped to a KSM stable page (read-only, counted in RSS per mapping)
 *   SHMEM_*        a page of the guest's memfd (shmem page cache) mapped by a shared mapping
 *                  (QEMU memory-backend-memfd, share=on): RssShmem, not RssAnon
 *   CACHED_*       pte_none(), but the memfd still holds the page in its page cache (a zap unmapped
 *                  it, nothing freed it): no PTE maps it, yet it costs memory and a fault maps it
 *                  back without allocating. The model keeps page-cache residency of shared memory
 *                  in the PTE byte, since a page of a shared mapping is cached wherever it is mapped.
 *
 * *_ZERO / *_DATA record the page's content: whether every byte is zero. QEMU's zero-page detection
 * (buffer_is_zero) and KSM merging look at content, not at the PTE.
 *
 * ASSUMPTION (modelling choice, not in the fact sheet): guest data pages are pairwise distinct, so
 * KSM only ever finds zero-filled pages identical. A KSM page therefore always holds zeros.
 */

export const Pte = {
  NONE: 0,
  ZERO: 1,
  ZERO_UFFD: 2,
  ZERO_KSM: 3,
  ANON_RO_ZERO: 4,
  ANON_RO_DATA: 5,
  ANON_RW_ZERO: 6,
  ANON_RW_DATA: 7,
  KSM: 8,
  SHMEM_ZERO: 9,
  SHMEM_DATA: 10,
  CACHED_ZERO: 11,
  CACHED_DATA: 12,
} as const;
export type Pte = (typeof Pte)[keyof typeof Pte];

export const PTE_STATES = 13;

export const PTE_NAMES: readonly string[] = [
  "none",
  "zeropage",
  "zeropage (uffd)",
  "zeropage (ksm)",
  "anon r/o, zero",
  "anon r/o, data",
  "anon r/w, zero",
  "anon r/w, data",
  "ksm",
  "shmem, zero",
  "shmem, data",
  "not mapped, in page cache (zero)",
  "not mapped, in page cache (data)",
];

/** Short machine names, used in trace JSON and CLI output. */
export const PTE_KEYS: readonly string[] = [
  "none",
  "zero",
  "zero_uffd",
  "zero_ksm",
  "anon_ro_zero",
  "anon_ro_data",
  "anon_rw_zero",
  "anon_rw_data",
  "ksm",
  "shmem_zero",
  "shmem_data",
  "cached_zero",
  "cached_data",
];

export function isZeropage(s: number): boolean {
  return s === Pte.ZERO || s === Pte.ZERO_UFFD || s === Pte.ZERO_KSM;
}

export function isAnon(s: number): boolean {
  return s >= Pte.ANON_RO_ZERO && s <= Pte.ANON_RW_DATA;
}

/** pte_none(), with the page still in the memfd's page cache. */
export function isCached(s: number): boolean {
  return s === Pte.CACHED_ZERO || s === Pte.CACHED_DATA;
}

/** A PTE maps something (pagemap's PM_PRESENT): not none, and not a page only the cache holds. */
export function isPresent(s: number): boolean {
  return s !== Pte.NONE && !isCached(s);
}

/**
 * Whether the page holds a frame of memory of its own: an exclusive anonymous page, or a memfd
 * page in the page cache, mapped or not (KSM pages are counted per stable page, elsewhere).
 */
export function ownsFrame(s: number): boolean {
  return isAnon(s) || (s >= Pte.SHMEM_ZERO && s <= Pte.CACHED_DATA);
}

/** Whether every byte of the page reads as zero (a none PTE reads as zero once faulted in). */
export function hasZeroContent(s: number): boolean {
  return s !== Pte.ANON_RO_DATA && s !== Pte.ANON_RW_DATA && s !== Pte.SHMEM_DATA && s !== Pte.CACHED_DATA;
}

/** The shmem state with the content of `s` (any state with content: anon, shmem or cached). */
export function shmemState(data: boolean): Pte {
  return data ? Pte.SHMEM_DATA : Pte.SHMEM_ZERO;
}

export function anonState(writable: boolean, data: boolean): Pte {
  if (writable) return data ? Pte.ANON_RW_DATA : Pte.ANON_RW_ZERO;
  return data ? Pte.ANON_RO_DATA : Pte.ANON_RO_ZERO;
}
