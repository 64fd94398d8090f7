/**
 * Guest RAM backed by a memfd mapped shared (QEMU's memory-backend-memfd with share=on, as
 * vhost-user needs): the pages live in the memfd's shmem page cache (mm/shmem.c), not in anonymous
 * memory, so the zeropage question never arises.
 *
 * - A fault on a hole allocates a zero-filled page-cache folio (shmem_fault() →
 *   shmem_get_folio_gfp()) and maps it (finish_fault()): RssShmem +4 KiB, on every kernel and
 *   architecture, read or write alike. mm_forbids_zeropage() is never asked: do_anonymous_page()
 *   is not on this path. A page the cache still holds is mapped back without allocating.
 * - A zap (MADV_DONTNEED, gmap_discard()) only unmaps: the page stays in the page cache and keeps
 *   costing memory (RssShmem −4 KiB, Shmem unchanged). Freeing takes fallocate(PUNCH_HOLE)
 *   (shmem_fallocate() → shmem_truncate_range()), which QEMU's ram_block_discard_range() calls
 *   for a RAM block with an fd before its MADV_DONTNEED.
 * - UFFDIO_ZEROPAGE and UFFDIO_COPY allocate a page-cache folio (shmem_mfill_atomic_pte()); the
 *   ZEROPAGE branch zero-fills it, never maps the zeropage, so 90a7592da149 does not apply.
 *   -EEXIST if the cache already holds the page.
 * - KSM merges anonymous pages only: MADV_MERGEABLE leaves a shared mapping alone.
 * - No THP: shmem huge pages follow shmem_enabled (default never), not the anonymous THP setting,
 *   and the model does not model them.
 */
import { STOP } from "../base/chunked.ts";
import { type Errno, identityPlan, mapRanges, type Plan, type Ranges, type Recorder } from "./apply.ts";
import type { Content } from "./events.ts";
import { type Mm, type Vma, VmFlag } from "./mm.ts";
import { Pte, shmemState } from "./pte.ts";
import { defineRule, fr, step } from "./rules.ts";

const SHMEM = "mm/shmem.c";
const MEMORY = "mm/memory.c";

const fileFault = [fr(MEMORY, "handle_mm_fault"), fr(MEMORY, "do_fault")];

export const R_SHMEM_READ = defineRule({
  id: "shmem_fault.alloc",
  title: "read fault on a memfd hole allocates a page-cache page (no zeropage for shared memory)",
  vmstat: { pgfault: "pte" },
  path: [
    ...fileFault,
    fr(MEMORY, "do_read_fault"),
    fr(SHMEM, "shmem_fault"),
    fr(SHMEM, "shmem_get_folio_gfp", "SGP_CACHE: allocate, zero, add to the page cache"),
    fr(MEMORY, "finish_fault"),
    step("add_mm_counter(MM_SHMEMPAGES)"),
  ],
  explain:
    "Guest RAM is a memfd mapped shared, so a read of a page never written gets a real zero-filled page of the memfd's page cache, on every kernel and architecture: RssShmem +4 KiB. The shared zeropage is only for private anonymous memory; mm_forbids_zeropage() is never asked here, so 06201e00 and fa41ba0d behave the same.",
});

export const R_SHMEM_WRITE = defineRule({
  id: "shmem_fault.write_alloc",
  title: "write fault on a memfd hole allocates a page-cache page",
  vmstat: { pgfault: "pte" },
  path: [
    ...fileFault,
    fr(MEMORY, "do_shared_fault"),
    fr(SHMEM, "shmem_fault"),
    fr(SHMEM, "shmem_get_folio_gfp", "SGP_CACHE"),
    fr(MEMORY, "finish_fault"),
    step("add_mm_counter(MM_SHMEMPAGES)"),
  ],
  explain:
    "A write to a page of the memfd that is not in its page cache allocates one, mapped writable (a shared mapping needs no copy-on-write): RssShmem +4 KiB.",
});

export const R_SHMEM_CACHED = defineRule({
  id: "shmem_fault.cached",
  title: "fault maps a page the memfd's page cache still holds (no allocation)",
  vmstat: { pgfault: "pte" },
  path: [
    ...fileFault,
    fr(SHMEM, "shmem_fault"),
    fr(SHMEM, "shmem_get_folio_gfp", "found in the page cache"),
    fr(MEMORY, "finish_fault"),
  ],
  explain:
    "An earlier zap removed only the mapping; the page stayed in the memfd's page cache with its content. The fault maps it again: RssShmem +4 KiB, but no memory is allocated.",
});

export const R_SHMEM_USERFAULT = defineRule({
  id: "shmem_fault.userfault",
  title: "missing-page userfault on the memfd: the access blocks until user space places a page",
  path: [
    ...fileFault,
    fr(SHMEM, "shmem_fault"),
    fr(SHMEM, "shmem_get_folio_gfp", "not in the page cache"),
    fr("include/linux/userfaultfd_k.h", "userfaultfd_missing", "= true"),
    fr("fs/userfaultfd.c", "handle_userfault", "VM_UFFD_MISSING"),
  ],
  explain:
    "The range is registered with userfaultfd in MISSING mode. For shared memory 'missing' means not in the page cache: the fault goes to user space (QEMU's postcopy fault thread) until it places the page. A page the cache still holds is mapped without a userfault.",
});

export const R_ZAP_SHMEM = defineRule({
  id: "zap_pte_range.shmem",
  title: "zap unmaps a memfd page; the page cache keeps it",
  path: [
    fr(MEMORY, "unmap_single_vma"),
    fr(MEMORY, "zap_pte_range"),
    fr(MEMORY, "zap_present_ptes"),
    step("rss[MM_SHMEMPAGES]--"),
    step("folio stays in the page cache"),
  ],
  explain:
    "The PTE is cleared (RssShmem −4 KiB), but the page belongs to the memfd, which still holds it: no memory comes back. Only fallocate(FALLOC_FL_PUNCH_HOLE) on the memfd frees it, which is why QEMU punches a hole before it calls MADV_DONTNEED for RAM with an fd.",
  assumption:
    "The model keeps a page's page-cache residency in its PTE byte, so a page table whose entries are all none but whose pages the cache still holds counts as in use: x86_64's PT reclaim (v6.14+) would free such a table after a MADV_DONTNEED covering it; the model keeps it. QEMU's discards punch the hole first, so the case does not arise from them.",
});

export const R_PUNCH_HOLE = defineRule({
  id: "shmem_fallocate.punch_hole",
  title: "fallocate(PUNCH_HOLE) on the memfd frees the page (and unmaps it)",
  path: [
    fr("fs/open.c", "vfs_fallocate", "FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE"),
    fr(SHMEM, "shmem_fallocate"),
    fr("mm/truncate.c", "unmap_mapping_range"),
    fr(SHMEM, "shmem_truncate_range"),
    fr(SHMEM, "shmem_undo_range"),
  ],
  explain:
    "QEMU discards RAM that has an fd with fallocate(FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE) on the memfd (ram_block_discard_range()): every mapping of the page is zapped and the page leaves the page cache, so its memory is freed. The page table stays.",
});

export const R_PUNCH_NONE = defineRule({
  id: "shmem_fallocate.hole",
  title: "punching a hole where there is one already: nothing to free",
  path: [fr(SHMEM, "shmem_fallocate"), fr(SHMEM, "shmem_undo_range"), step("no folio at this index")],
  explain: "The memfd holds no page here, so the hole punch has nothing to free.",
});

export const R_PUNCH_NOT_SHMEM = defineRule({
  id: "shmem_fallocate.not_memfd",
  title: "no memfd behind this memory: fallocate() has no file to punch",
  path: [step("anonymous private memory has no file", "-EINVAL")],
  explain:
    "Only RAM backed by a file (a memfd here) can have a hole punched in it. QEMU calls fallocate() only for RAM blocks with an fd; the model refuses the event and changes nothing.",
});

export const R_SHMEM_MFILL_ZERO = defineRule({
  id: "shmem_mfill_atomic_pte.zeropage",
  title: "UFFDIO_ZEROPAGE on the memfd allocates a zero-filled page-cache page",
  path: [
    fr("fs/userfaultfd.c", "userfaultfd_zeropage"),
    fr("mm/userfaultfd.c", "mfill_atomic"),
    fr(SHMEM, "shmem_mfill_atomic_pte", "ZEROPAGE: clear_user_highpage()"),
    fr(SHMEM, "shmem_add_to_page_cache"),
    fr("mm/userfaultfd.c", "mfill_atomic_install_pte"),
  ],
  explain:
    "For shared memory UFFDIO_ZEROPAGE has no zeropage to map: it allocates a page, zero-fills it and adds it to the memfd's page cache (RssShmem +4 KiB). 90a7592da149's mm_forbids_zeropage() check is on the anonymous path only and does not matter here.",
});

export const R_SHMEM_MFILL_COPY = defineRule({
  id: "shmem_mfill_atomic_pte.copy",
  title: "UFFDIO_COPY on the memfd allocates a page-cache page with the given content",
  path: [
    fr("fs/userfaultfd.c", "userfaultfd_copy"),
    fr("mm/userfaultfd.c", "mfill_atomic"),
    fr(SHMEM, "shmem_mfill_atomic_pte", "COPY"),
    fr(SHMEM, "shmem_add_to_page_cache"),
    fr("mm/userfaultfd.c", "mfill_atomic_install_pte"),
  ],
  explain: "A new page-cache page is allocated, filled from user space's buffer and mapped: RssShmem +4 KiB.",
});

export const R_SHMEM_NO_UFFD_ZEROPAGE = defineRule({
  id: "userfaultfd_zeropage.shmem_unsupported",
  title: "no UFFDIO_ZEROPAGE for shared memory before v4.14: -EINVAL",
  path: [fr("fs/userfaultfd.c", "userfaultfd_zeropage"), step("shmem VMA", "-EINVAL")],
  explain:
    "UFFDIO_ZEROPAGE learnt shared memory with shmem_mfill_zeropage_pte() in v4.14; an older kernel refuses it, and QEMU places a zero page with UFFDIO_COPY of a zeroed buffer instead (it checks the ioctls the registration reports).",
});

export const R_KSM_SHARED = defineRule({
  id: "ksm_madvise.shared_mapping",
  title: "MADV_MERGEABLE leaves the shared memfd mapping alone: KSM merges anonymous pages only",
  path: [fr("mm/ksm.c", "ksm_madvise"), fr("mm/ksm.c", "vma_ksm_compatible", "VM_SHARED = false")],
  explain:
    "KSM only merges private anonymous pages. For a shared mapping (the memfd) MADV_MERGEABLE succeeds without setting VM_MERGEABLE, so ksmd never scans it.",
});

/** The per-state plan of a read fault in a shmem VMA. */
export function shmemReadPlan(vma: Vma, presentRule: number): Plan {
  const p = identityPlan(presentRule);
  if (vma.flags & VmFlag.UFFD_MISSING) {
    p.lut[Pte.NONE] = STOP;
    p.rules[Pte.NONE] = R_SHMEM_USERFAULT.index;
  } else {
    p.lut[Pte.NONE] = Pte.SHMEM_ZERO;
    p.rules[Pte.NONE] = R_SHMEM_READ.index;
  }
  p.lut[Pte.CACHED_ZERO] = Pte.SHMEM_ZERO;
  p.lut[Pte.CACHED_DATA] = Pte.SHMEM_DATA;
  p.rules[Pte.CACHED_ZERO] = R_SHMEM_CACHED.index;
  p.rules[Pte.CACHED_DATA] = R_SHMEM_CACHED.index;
  return p;
}

/** The per-state plan of a write fault in a shmem VMA: a mapped page only changes content. */
export function shmemWritePlan(vma: Vma, content: Content, presentRule: number): Plan {
  const target = shmemState(content === "data");
  const p = identityPlan(presentRule);
  p.lut[Pte.SHMEM_ZERO] = target;
  p.lut[Pte.SHMEM_DATA] = target;
  if (vma.flags & VmFlag.UFFD_MISSING) {
    p.lut[Pte.NONE] = STOP;
    p.rules[Pte.NONE] = R_SHMEM_USERFAULT.index;
  } else {
    p.lut[Pte.NONE] = target;
    p.rules[Pte.NONE] = R_SHMEM_WRITE.index;
  }
  for (const c of [Pte.CACHED_ZERO, Pte.CACHED_DATA]) {
    p.lut[c] = target;
    p.rules[c] = R_SHMEM_CACHED.index;
  }
  return p;
}

/** What a zap does to memfd pages (added to MADV_DONTNEED's plan): unmap, keep in the cache. */
export function addShmemZap(p: Plan, noneRule: number): void {
  p.lut[Pte.SHMEM_ZERO] = Pte.CACHED_ZERO;
  p.lut[Pte.SHMEM_DATA] = Pte.CACHED_DATA;
  p.rules[Pte.SHMEM_ZERO] = R_ZAP_SHMEM.index;
  p.rules[Pte.SHMEM_DATA] = R_ZAP_SHMEM.index;
  p.rules[Pte.CACHED_ZERO] = noneRule;
  p.rules[Pte.CACHED_DATA] = noneRule;
}

/** UFFDIO_ZEROPAGE (content null) or UFFDIO_COPY's per-state plan in a shmem VMA (none only). */
export function shmemFillPlan(content: Content | null): Plan {
  const p = identityPlan();
  for (let s = 1; s < 256; s++) p.lut[s] = STOP; // never reached: the range ends before them
  p.lut[Pte.NONE] = shmemState(content === "data");
  p.rules[Pte.NONE] = content === null ? R_SHMEM_MFILL_ZERO.index : R_SHMEM_MFILL_COPY.index;
  return p;
}

export interface PunchOutcome {
  ok: boolean;
  errno: Errno | null;
  message: string | null;
}

const PUNCH_PLAN: Plan = (() => {
  const p = identityPlan(R_PUNCH_NONE.index);
  for (const s of [Pte.SHMEM_ZERO, Pte.SHMEM_DATA, Pte.CACHED_ZERO, Pte.CACHED_DATA]) {
    p.lut[s] = Pte.NONE;
    p.rules[s] = R_PUNCH_HOLE.index;
  }
  return p;
})();

/**
 * fallocate(FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE) over `ranges` of the memfd behind guest
 * RAM: every page there is unmapped and leaves the page cache. -EINVAL (nothing changes) if any
 * page lies in a mapping that is not the memfd's.
 */
export function punchHole(mm: Mm, ranges: Ranges, rec: Recorder, limit: number): PunchOutcome {
  for (let i = 0; i < ranges.length; i += 2) {
    let bad = -1;
    if (!mm.covers(ranges[i]!, ranges[i + 1]!)) bad = ranges[i]!;
    else
      mm.forEachVmaPiece(ranges[i]!, ranges[i + 1]!, (vma, f) => {
        if (bad < 0 && !(vma.flags & VmFlag.SHMEM)) bad = f;
      });
    if (bad >= 0) {
      rec.step(R_PUNCH_NOT_SHMEM.index);
      return { ok: false, errno: "EINVAL", message: `page ${bad} is not backed by the memfd` };
    }
  }
  // shmem_truncate_range() unmaps and frees; no page table is freed (unmap_mapping_range() does
  // not reclaim tables), and nothing is allocated.
  mapRanges(mm, ranges, () => PUNCH_PLAN, rec, { alloc: false, limit });
  return { ok: true, errno: null, message: null };
}
