/**
 * Every function a variant's call paths name exists at the kernel tag the narration links it to
 * (kernel-names.ts). The lists below hold only names checked against source for that version;
 * where a name was read:
 *   v4.12  (variant A) as v4.18 below, with madvise_dontneed() (madvise_dontneed_single_vma() is v4.13);
 *          the other names on A's paths are the same at v4.13 and v4.18 (research of v4.13 sources).
 *   v4.18  DepSurf/function per-version symbol tables (4.18 column: do_pte_missing, alloc_anon_folio,
 *          folio_prealloc, wp_can_reuse_anon_folio, mfill_atomic_install_pte, madvise_update_vma,
 *          ksm_del_vmas absent; reuse_swap_page called from do_wp_page; madvise_dontneed_single_vma
 *          present), a 2014..2018 arch/s390/mm/gmap.c (s390_enable_sie, __s390_enable_skey,
 *          mm_use_skey, ksm_madvise loop, ptep_xchg_direct, ptep_zap_key, thp_split_mm), the pre-6.x
 *          do_anonymous_page() (alloc_zeroed_user_highpage_movable, inc_mm_counter_fast,
 *          set_pte_at) and mm/userfaultfd.c (mcopy_atomic_pte, mfill_zeropage_pte, mfill_zeropage).
 *   v6.9   the 6.8 column of DepSurf (alloc_anon_folio, folio_prealloc, wp_can_reuse_anon_folio,
 *          do_pte_missing, ksm_disable → ksm_del_vmas, mfill_atomic_install_pte, madvise_update_vma)
 *          plus the fact sheet's v6.10 reading; fa41ba0d's gmap.c (__zap_zero_pages,
 *          gmap_mark_unmergeable, enable_skey_walk_ops); zap_present_ptes (v6.9 zap batching).
 *   v6.10  as v6.9, plus 06201e00 (__s390_disable_cow_sharing, __s390_unshare_zeropages,
 *          find_zeropage_pte_entry, walk_page_range_vma) and 90a7592da149.
 *          try_to_merge_with_zero_page() and ksm_map_zero_page() are later (posted May 2024, v6.11).
 *   v6.18  the current torvalds/linux tree and tools/kernel-check runs on 6.18 (x86_64 only).
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { applyEvent } from "./kernel.ts";
import { pathAt, variantPath } from "./kernel-names.ts";
import { formatPath, ruleAt, ruleById } from "./rules.ts";
import { setupArb } from "./test-support/arbitraries.ts";
import { VARIANT_IDS, VARIANTS, type VariantId } from "./variants.ts";
import { World } from "./world.ts";
import "./index.ts";

const COMMON = [
  // memfd-backed guest RAM (mm/shmem.c, mm/memory.c's file fault path), present at every tag used.
  "do_fault",
  "do_read_fault",
  "do_shared_fault",
  "finish_fault",
  "shmem_fault",
  "shmem_add_to_page_cache",
  "shmem_fallocate",
  "shmem_truncate_range",
  "shmem_undo_range",
  "unmap_mapping_range",
  "vfs_fallocate",
  "ksm_madvise",
  "follow_page_pte",
  // UFFDIO_MOVE's absence (fs/userfaultfd.c) and fork (kernel/fork.c, mm/memory.c), at every tag.
  "userfaultfd_ioctl",
  "dup_mmap",
  "copy_page_range",
  "copy_pte_range",
  "VM_DONTCOPY",
  "handle_mm_fault",
  "__handle_mm_fault",
  "handle_pte_fault",
  "do_anonymous_page",
  "pte_alloc",
  "mm_forbids_zeropage",
  "pte_mkspecial",
  "pte_mkwrite",
  "pte_none",
  "FAULT_FLAG_WRITE",
  "VM_UFFD_MISSING",
  "userfaultfd_missing",
  "handle_userfault",
  "do_wp_page",
  "wp_page_copy",
  "wp_page_reuse",
  "vm_normal_page",
  "dax_iomap_pte_fault",
  "dax_load_hole",
  "madvise_dontneed_single_vma",
  "unmap_page_range",
  "zap_pte_range",
  "userfaultfd_register",
  "userfaultfd_unregister",
  "userfaultfd_zeropage",
  "userfaultfd_copy",
  "ksm_do_scan",
  "cmp_and_merge_page",
  "try_to_merge_one_page",
  "try_to_merge_two_pages",
  "unstable_tree_search_insert",
  "stable_tree_insert",
  "replace_page",
  "dec_mm_counter",
  "unmerge_ksm_pages",
  "break_ksm",
  "vma_can_userfault",
  "__get_user_pages",
  "faultin_page",
  "process_vm_rw_core",
  "KVM_CREATE_VM",
  "VM_FAULT_OOM",
];

const S390 = [
  "diag_release_pages",
  "gmap_discard",
  "do_exception",
  "kvm_arch_init_vm",
  "s390_enable_sie",
  "s390_enable_skey",
  "thp_split_mm",
  "mm_has_pgste",
];

const V6 = [
  "gup_must_unshare",
  "shmem_get_folio_gfp",
  "shmem_mfill_atomic_pte",
  "vma_ksm_compatible",
  // UFFDIO_MOVE (v6.8, adef440691ba; move_zeropage_pte() v6.9) and fork's batched copy (v6.9).
  "userfaultfd_move",
  "move_pages",
  "validate_move_areas",
  "move_zeropage_pte",
  "vm_normal_folio",
  "folio_move_anon_rmap",
  "ptep_clear_flush",
  "set_pte_at",
  "vma_needs_copy",
  "copy_present_ptes",
  "pin_user_pages_remote",
  "madvise_populate",
  "kvm_s390_pv_is_protected",
  "do_pte_missing",
  "alloc_anon_folio",
  "add_mm_counter",
  "inc_mm_counter",
  "set_ptes",
  "folio_prealloc",
  "folio_test_ksm",
  "wp_can_reuse_anon_folio",
  "ksm_might_unmap_zero_page",
  "is_ksm_zero_pte",
  "zap_page_range_single",
  "zap_present_ptes",
  "madvise_vma_behavior",
  "madvise_update_vma",
  "mfill_atomic",
  "mfill_atomic_zeropage",
  "mfill_atomic_copy",
  "mfill_atomic_pte_zeropage",
  "mfill_atomic_pte_copy",
  "mfill_atomic_install_pte",
  "ksm_disable",
  "ksm_del_vmas",
];

const PV = ["kvm_s390_handle_pv", "kvm_s390_pv_init_vm", "mm_uses_skeys", "ptep_zap_key", "walk_page_range"];

const KNOWN: Record<string, readonly string[]> = {
  // Variant A: v4.12, the newest tag that certainly predates fa41ba0d. madvise_dontneed() was
  // split into madvise_dontneed_single_vma() in v4.13.
  "v4.12": [
    ...COMMON.filter((n) => n !== "madvise_dontneed_single_vma"),
    "madvise_dontneed",
    "unmap_single_vma",
    "get_user_pages_remote",
    "madvise_behavior_valid",
    ...S390,
    "alloc_zeroed_user_highpage_movable",
    "inc_mm_counter_fast",
    "set_pte_at",
    "reuse_swap_page",
    "PageKsm",
    "vmf_insert_mixed",
    "zap_page_range",
    "madvise_behavior",
    "copy_one_pte",
    "__mcopy_atomic",
    "mcopy_atomic",
    "mcopy_atomic_pte",
    "mfill_zeropage",
    "mfill_zeropage_pte",
    "ksm_madvise",
    "shmem_getpage_gfp",
    "shmem_mcopy_atomic_pte",
    "mm_use_skey",
    "walk_page_range",
    "__s390_enable_skey",
    "is_zero_pfn",
  ],
  "v6.9": [
    ...COMMON,
    ...S390,
    ...V6,
    ...PV,
    "vmf_insert_mixed",
    "__zap_zero_pages",
    "ptep_xchg_direct",
    "gmap_mark_unmergeable",
    "move_pages_pte",
    "move_present_pte",
    "unmap_single_vma",
  ],
  // s390-fa41ba0d-90a7592d reads 90a7592da149's function at the stable release that has it.
  "v6.9.3": ["mfill_atomic_pte_zeroed_folio"],
  "v6.10": [
    ...COMMON,
    ...S390,
    ...V6,
    ...PV,
    "vmf_insert_mixed",
    "mfill_atomic_pte_zeroed_folio",
    "s390_disable_cow_sharing",
    "__s390_disable_cow_sharing",
    "__s390_unshare_zeropages",
    "move_pages_pte",
    "move_present_pte",
    "find_zeropage_pte_entry",
    "walk_page_range_vma",
    "allow_cow_sharing",
    "unmap_single_vma",
    // c2dc78b86e08 "mm/ksm: fix ksm_zero_pages accounting" (v6.10-rc3).
    "ksm_map_zero_page",
  ],
  "v6.18": [
    "unmap_single_vma",
    "zap_page_range_single_batched",
    ...COMMON,
    ...V6,
    "access_error",
    "kvm_create_vm",
    "KVM_PV_ENABLE",
    "vmf_insert_page_mkwrite",
    "try_to_merge_with_zero_page",
    "ksm_map_zero_page",
    "do_huge_pmd_anonymous_page",
    "__do_huge_pmd_anonymous_page",
    "transparent_hugepage_use_zero_page",
    "mfill_atomic_pte_zeroed_folio",
    "set_huge_zero_folio",
    "map_anon_folio_pmd",
    "do_huge_pmd_wp_page",
    "do_huge_zero_wp_pmd",
    "pgtable_trans_huge_deposit",
    "pgtable_trans_huge_withdraw",
    "mm_inc_nr_ptes",
    "mm_dec_nr_ptes",
    "pte_alloc_one",
    "pte_free",
    "__split_huge_pmd",
    "__split_huge_pmd_locked",
    "split_huge_pmd_if_needed",
    "vma_adjust_trans_huge",
    "__split_vma",
    "split_huge_page",
    "__split_huge_page",
    "remap_page",
    "try_to_map_unused_to_zeropage",
    "zap_pmd_range",
    "zap_huge_pmd",
    "zap_deposited_table",
    "move_pages_ptes",
    "move_present_ptes",
    "move_pages_huge_pmd",
    "split_huge_pmd",
    "reclaim_pt_is_enabled",
    "try_get_and_clear_pmd",
    "free_pte",
  ],
};

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*/;

/** The identifiers Narration links (ui/narration/source-links.ts): a frame with a file, or code-like steps. */
function linkedNames(path: readonly { fn: string; file?: string }[]): string[] {
  return linkedFrames(path).map((f) => f.name);
}

/** As linkedNames(), with the tag each name is linked at (the frame's own, if it has one). */
function linkedFrames(path: readonly { fn: string; file?: string; tag?: string }[]) {
  const out: { name: string; tag?: string }[] = [];
  for (const f of path) {
    const m = IDENT.exec(f.fn)?.[0];
    if (!m) continue;
    if (f.file || m.includes("_") || f.fn.slice(m.length).startsWith("(")) out.push({ name: m, tag: f.tag });
  }
  return out;
}

/** The rules each variant reaches under random event sequences (the same exploration as rules.test.ts). */
function reachable(variant: VariantId): Set<number> {
  const seen = new Set<number>();
  fc.assert(
    fc.property(setupArb(variant), ({ cfg, events }) => {
      const w = new World([cfg]);
      for (const e of events) {
        const r = applyEvent(w, e);
        for (const ef of r.rec.effects) seen.add(ef.rule);
        for (const s of r.rec.steps) seen.add(s);
      }
    }),
    { numRuns: 300, seed: 20240411 },
  );
  return seen;
}

describe("kernel-names: call paths name functions of the linked kernel version", () => {
  test.each(VARIANT_IDS.map((v) => [v]))(
    "%s: every linked name on every reachable rule path exists at its tag",
    (variant) => {
      const tag = VARIANTS[variant].sourceTag;
      const known = new Set(KNOWN[tag] ?? []);
      expect(known.size, `no name list for ${tag}`).toBeGreaterThan(0);
      const unknown: string[] = [];
      const rules = reachable(variant);
      expect(rules.size).toBeGreaterThan(30);
      for (const i of rules) {
        for (const { name, tag: own } of linkedFrames(variantPath(ruleAt(i), variant))) {
          const names = own ? new Set(KNOWN[own] ?? []) : known;
          if (!names.has(name)) unknown.push(`${ruleAt(i).id}: ${name}${own ? ` (at ${own})` : ""}`);
        }
      }
      expect([...new Set(unknown)]).toEqual([]);
    },
  );

  test("A (v4.12): the read fault of a forbidding mm takes the pre-mTHP, pre-do_pte_missing path", () => {
    const r = ruleById("do_anonymous_page.forbidden")!;
    expect(formatPath(variantPath(r, "s390-2faee8ff"))).toBe(
      "handle_mm_fault → __handle_mm_fault → handle_pte_fault → do_anonymous_page → pte_alloc → mm_forbids_zeropage = true → alloc_zeroed_user_highpage_movable → pte_mkwrite(pte_mkdirty(entry)) VM_WRITE → inc_mm_counter_fast MM_ANONPAGES +1",
    );
    expect(formatPath(variantPath(r, "s390-06201e00"))).toBe(formatPath(r.path));
  });

  test("mfill_atomic_* names before a734991ccaec (v6.4) are mcopy_atomic / mfill_zeropage_pte", () => {
    const copy = ruleById("mfill_atomic_pte_copy")!;
    expect(formatPath(pathAt(copy.path, "v4.18", "s390x"))).toBe(
      "userfaultfd_copy → mcopy_atomic → __mcopy_atomic → mcopy_atomic_pte → inc_mm_counter_fast(MM_ANONPAGES)",
    );
    const zero = ruleById("mfill_atomic_pte_zeropage")!;
    expect(linkedNames(pathAt(zero.path, "v4.18", "s390x"))).toEqual([
      "userfaultfd_zeropage",
      "mfill_zeropage",
      "__mcopy_atomic",
      "mfill_zeropage_pte",
      "pte_mkspecial",
    ]);
  });

  test("ksm_disable() (v6.4) is MADV_UNMERGEABLE per VMA before; ksm_del_vmas() disappears", () => {
    const r = ruleById("ksm_disable")!;
    expect(formatPath(variantPath(r, "s390-2faee8ff"))).toBe(
      "ksm_madvise(MADV_UNMERGEABLE) per VMA → unmerge_ksm_pages",
    );
    expect(linkedNames(variantPath(r, "s390-fa41ba0d"))).toEqual([
      "ksm_disable",
      "ksm_del_vmas",
      "unmerge_ksm_pages",
    ]);
  });

  test("mm_forbids_zeropage is s390's own macro in its pgtable.h, the generic fallback in linux/mm.h", () => {
    const r = ruleById("do_anonymous_page.zeropage")!;
    const file = (v: VariantId) => variantPath(r, v).find((f) => f.fn === "mm_forbids_zeropage")?.file;
    expect(file("s390-06201e00")).toBe("arch/s390/include/asm/pgtable.h");
    expect(file("s390-2faee8ff")).toBe("arch/s390/include/asm/pgtable.h");
    expect(file("x86_64")).toBe("include/linux/mm.h");
  });
});
