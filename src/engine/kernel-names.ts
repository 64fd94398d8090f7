/**
 * Kernel names by version. Rule paths (rules.ts) are written with the names of the newest kernel
 * the model links to (v6.18, x86_64). A variant links its call paths to its own kernel tag
 * (Variant.sourceTag: A v4.12, B v6.9, C v6.10, X v6.18), and functions come and go between
 * those: do_pte_missing() appeared in v6.4, alloc_anon_folio() in v6.8 (mTHP), the mfill_atomic_*
 * names in v6.4 (a734991ccaec, before: mcopy_atomic / mfill_zeropage_pte / mcopy_atomic_pte),
 * ksm_disable() in v6.4, try_to_merge_with_zero_page() in v6.11. pathAt() rewrites a path for one
 * tag so that every function it names exists there, and puts arch-defined macros in their file.
 *
 * HISTORY maps a name as written in a rule to what stood there before: entries are ordered by
 * `before` (a version, exclusive); the first entry whose `before` is later than the tag applies.
 * `to: null` drops the frame (the step did not exist as a function of its own then); `fn`
 * replaces the whole frame text (for steps such as "folio_prealloc(need_zero = pfn_is_zero)").
 * Sources are listed with the per-version name lists in kernel-names.test.ts.
 */
import type { Arch } from "./geometry.ts";
import type { Frame, Rule } from "./rules.ts";
import { parseKernelVersion, VARIANTS, type VariantId } from "./variants.ts";

interface Rename {
  /** The first version that has the rule's name; older tags get `to`. */
  readonly before: string;
  /** The name at older tags, or null when the frame has no counterpart there. */
  readonly to: string | null;
  /** Replaces the whole frame text (fn) instead of only the leading identifier. */
  readonly fn?: string;
  readonly file?: string;
}

const HISTORY: Readonly<Record<string, readonly Rename[]>> = {
  // mm/memory.c: the fault path
  do_pte_missing: [{ before: "6.4", to: null }],
  alloc_anon_folio: [
    { before: "6.3", to: "alloc_zeroed_user_highpage_movable" },
    { before: "6.8", to: "vma_alloc_zeroed_movable_folio" },
  ],
  add_mm_counter: [
    { before: "6.2", to: "inc_mm_counter_fast" },
    { before: "6.8", to: "inc_mm_counter" },
  ],
  inc_mm_counter: [{ before: "6.2", to: "inc_mm_counter_fast" }],
  set_ptes: [{ before: "6.8", to: "set_pte_at" }],
  folio_prealloc: [
    { before: "6.3", to: "alloc_zeroed_user_highpage_movable", fn: "alloc_zeroed_user_highpage_movable()" },
    { before: "6.8", to: "vma_alloc_zeroed_movable_folio", fn: "vma_alloc_zeroed_movable_folio()" },
  ],
  wp_can_reuse_anon_folio: [{ before: "5.19", to: "reuse_swap_page" }],
  folio_test_ksm: [{ before: "6.0", to: "PageKsm", fn: "PageKsm()" }],
  // 79271476b336 / e2942062e01d (v6.6): KSM zeropages marked and counted.
  ksm_might_unmap_zero_page: [{ before: "6.6", to: null }],
  is_ksm_zero_pte: [{ before: "6.6", to: null }],
  vmf_insert_page_mkwrite: [{ before: "6.15", to: "vmf_insert_mixed" }],
  // mm/madvise.c, mm/memory.c: MADV_DONTNEED. zap_page_range_single_batched() is SeongJae Park's
  // "mm/madvise: batch tlb flushes for MADV_DONTNEED and MADV_FREE" (v6.16).
  madvise_dontneed_single_vma: [{ before: "4.13", to: "madvise_dontneed" }],
  zap_page_range_single_batched: [
    { before: "6.3", to: "zap_page_range" },
    { before: "6.16", to: "zap_page_range_single" },
  ],
  zap_page_range_single: [{ before: "6.3", to: "zap_page_range" }],
  zap_present_ptes: [{ before: "6.9", to: null }],
  madvise_vma_behavior: [{ before: "5.17", to: "madvise_behavior" }],
  madvise_update_vma: [{ before: "5.17", to: null }],
  // mm/userfaultfd.c: renamed in v6.4 (a734991ccaec)
  mfill_atomic_zeropage: [{ before: "6.4", to: "mfill_zeropage" }],
  mfill_atomic_copy: [{ before: "6.4", to: "mcopy_atomic" }],
  mfill_atomic: [{ before: "6.4", to: "__mcopy_atomic" }],
  mfill_atomic_pte_zeropage: [{ before: "6.4", to: "mfill_zeropage_pte" }],
  mfill_atomic_pte_copy: [{ before: "6.4", to: "mcopy_atomic_pte" }],
  mfill_atomic_install_pte: [{ before: "5.13", to: null }],
  // mm/gup.c, mm/process_vm_access.c: FOLL_PIN (pin_user_pages_remote) for process_vm_readv came
  // with John Hubbard's FOLL_PIN conversions (≈ v5.7); before, get_user_pages_remote().
  pin_user_pages_remote: [{ before: "5.7", to: "get_user_pages_remote" }],
  // mm/userfaultfd.c: UFFDIO_MOVE's PTE path became batched ("userfaultfd: opportunistic TLB-flush
  // batching for present pages in MOVE", posted August 2025, taken as v6.18): move_pages_ptes()
  // and move_present_ptes(); v6.8 to v6.17 name them in the singular.
  move_pages_ptes: [{ before: "6.18", to: "move_pages_pte" }],
  move_present_ptes: [{ before: "6.18", to: "move_present_pte" }],
  // fork: dup_mmap() moved from kernel/fork.c to mm/mmap.c ("mm: move dup_mmap() to mm", posted
  // April 2025, v6.16); copy_present_ptes() is the v6.9 batched copy_present_pte(), which split
  // out of copy_one_pte() in v5.9; vma_needs_copy() came with the uffd-wp PTE markers (v5.19),
  // before which copy_page_range() made the same test inline.
  dup_mmap: [{ before: "6.16", to: "dup_mmap", file: "kernel/fork.c" }],
  copy_present_ptes: [
    { before: "5.9", to: "copy_one_pte" },
    { before: "6.9", to: "copy_present_pte" },
  ],
  vma_needs_copy: [{ before: "5.19", to: null }],
  // mm/ksm.c
  try_to_merge_with_zero_page: [{ before: "6.11", to: "try_to_merge_one_page" }],
  // c2dc78b86e08 "mm/ksm: fix ksm_zero_pages accounting" (v6.10-rc3).
  ksm_map_zero_page: [{ before: "6.10", to: null }],
  ksm_disable: [{ before: "6.4", to: "ksm_madvise", fn: "ksm_madvise(MADV_UNMERGEABLE) per VMA" }],
  ksm_del_vmas: [{ before: "6.4", to: null }],
  // vma_ksm_compatible() came with d21077fbc2fc's series (v6.4); before, ksm_madvise() tested
  // VM_SHARED and the other flags itself.
  vma_ksm_compatible: [{ before: "6.4", to: null }],
  // mm/shmem.c: the folio conversion renamed the page-cache lookup (v6.0); Axel Rasmussen's
  // "userfaultfd/shmem: combine shmem_{mcopy_atomic,mfill_zeropage}_pte" (v5.14) merged the two
  // userfaultfd fill functions (shmem_mfill_zeropage_pte() itself arrived in v4.14).
  shmem_get_folio_gfp: [{ before: "6.0", to: "shmem_getpage_gfp" }],
  // mm/gup.c: gup_must_unshare() came with FAULT_FLAG_UNSHARE (v5.19) in include/linux/mm.h and
  // moved to mm/internal.h later (≈ v6.5; only the side of each linked tag was checked).
  gup_must_unshare: [{ before: "6.5", to: "gup_must_unshare", file: "include/linux/mm.h" }],
  shmem_mfill_atomic_pte: [
    {
      before: "5.14",
      to: "shmem_mcopy_atomic_pte",
      fn: "shmem_mcopy_atomic_pte() / shmem_mfill_zeropage_pte()",
    },
  ],
  // arch/s390: mm_use_skey() was renamed mm_uses_skeys() between v4.12 and v6.9 (≈ below: only
  // the side each linked tag falls on was checked); PV (KVM_PV_ENABLE) arrived ≈ v5.7.
  mm_uses_skeys: [{ before: "5.0", to: "mm_use_skey", fn: "mm_use_skey()" }],
  KVM_PV_ENABLE: [{ before: "5.7", to: null, fn: "no PV ioctls before v5.7" }],
};

/**
 * Names whose definition depends on the architecture rather than on the version:
 * mm_forbids_zeropage() is s390's own (arch/s390/include/asm/pgtable.h) and the generic
 * always-0 fallback elsewhere (include/linux/mm.h); a bad access is reported by
 * arch/s390/mm/fault.c's do_exception() on s390 and by access_error() on x86.
 */
const BY_ARCH: Readonly<Record<string, Readonly<Record<Arch, Frame>>>> = {
  mm_forbids_zeropage: {
    s390x: { fn: "mm_forbids_zeropage", file: "arch/s390/include/asm/pgtable.h" },
    x86_64: { fn: "mm_forbids_zeropage", file: "include/linux/mm.h" },
  },
  access_error: {
    s390x: { fn: "do_exception", file: "arch/s390/mm/fault.c" },
    x86_64: { fn: "access_error", file: "arch/x86/mm/fault.c" },
  },
};

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*/;

function older(tag: [number, number], before: string): boolean {
  const b = parseKernelVersion(before);
  if (!b) throw new Error(`bad version ${before}`);
  return tag[0] < b[0] || (tag[0] === b[0] && tag[1] < b[1]);
}

function frameAt(f: Frame, tag: [number, number], arch: Arch): Frame | null {
  const ident = IDENT.exec(f.fn)?.[0];
  if (!ident) return f;
  const byArch = BY_ARCH[ident]?.[arch];
  let out: Frame = f;
  if (byArch)
    out = { ...f, fn: byArch.fn + f.fn.slice(ident.length), ...(byArch.file ? { file: byArch.file } : {}) };
  const r = HISTORY[ident]?.find((x) => older(tag, x.before));
  if (!r) return out;
  const file = r.file ?? (r.to === null ? undefined : out.file);
  const fn = r.fn ?? (r.to === null ? null : r.to + out.fn.slice(ident.length));
  if (fn === null) return null;
  return stripUndefined({ fn, ...(file ? { file } : {}), ...(out.note ? { note: out.note } : {}) });
}

/** `path` as the kernel at `tag` ("v4.12", "6.10") on `arch` names it. */
export function pathAt(path: readonly Frame[], tag: string, arch: Arch): Frame[] {
  const v = parseKernelVersion(tag.replace(/^v/, ""));
  if (!v) throw new Error(`bad kernel tag ${tag}`);
  const out: Frame[] = [];
  for (const f of path) {
    const g = frameAt(f, v, arch);
    if (g) out.push(g);
  }
  return out;
}

function stripUndefined(f: Frame): Frame {
  const o: { fn: string; file?: string; note?: string } = { fn: f.fn };
  if (f.file !== undefined) o.file = f.file;
  if (f.note !== undefined) o.note = f.note;
  return o;
}

const cache = new Map<string, readonly Frame[]>();

/**
 * A rule's call path at the kernel tag `variant` links to (what Narration shows). A function the
 * variant reads at another tag (Variant.tagOverrides) carries that tag.
 */
export function variantPath(rule: Rule, variant: VariantId): readonly Frame[] {
  const key = `${variant}:${rule.index}`;
  let p = cache.get(key);
  if (!p) {
    const v = VARIANTS[variant];
    const overrides = v.tagOverrides ?? {};
    p = pathAt(rule.path, v.sourceTag, v.arch).map((f) => {
      const tag = overrides[IDENT.exec(f.fn)?.[0] ?? ""];
      return tag ? { ...f, tag } : f;
    });
    cache.set(key, p);
  }
  return p;
}
