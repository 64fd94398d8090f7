/**
 * Kernel variants as sets of patch toggles (the mm_forbids_zeropage() definitions in
 * arch/s390/include/asm/pgtable.h and include/linux/mm.h, and the s390 gmap.c code of each
 * commit). The ids are part of the interface: links, the CLI and presets use them.
 *
 *   s390-2faee8ff          A  2014 (2faee8ff9dc6, ~v3.19) until fa41ba0d (2017, ~v4.14):
 *                            zeropage forbidden once storage keys are used; enabling keys zaps
 *                            zeropage PTEs (the 2017 postcopy hang). Linked at v4.12.
 *   s390-fa41ba0d          B  fa41ba0d (2017) .. v6.9: forbidden for every KVM process
 *                            (has_pgste); zeropages zapped at KVM_CREATE_VM; UFFDIO_ZEROPAGE
 *                            still maps the zeropage
 *   s390-fa41ba0d-90a7592d B' B + 90a7592da149: UFFDIO_ZEROPAGE honours mm_forbids_zeropage().
 *                            No release has exactly this pair (the stable trees took 90a7592da149
 *                            together with 06201e00: 6.9.3, 6.8.12, 6.6.33); it shows patch 1 of
 *                            the series on its own.
 *   s390-06201e00          C  v6.10+: allowed until storage keys or PV; then zeropages are
 *                            unshared (__s390_unshare_zeropages) and KSM is disabled
 *   s390-06201e00-v2       C as posted in v2 (27 Mar 2024), never released: without the
 *                            self-referential #define the generic mm_forbids_zeropage(X) (0)
 *                            macro shadows s390's function, so keys/PV unshare the zeropages but
 *                            later faults and UFFDIO_ZEROPAGE map new ones (caught in review)
 *   x86_64                 X  never forbidden; PT reclaim on MADV_DONTNEED from v6.14
 *
 * What changed in generic mm between those kernels (KSM, FAULT_FLAG_UNSHARE) is not a variant
 * toggle but a function of the mm's kernel version: KERNEL_FEATURES below.
 */
import type { Arch } from "./geometry.ts";

export const VARIANT_IDS = [
  "s390-2faee8ff",
  "s390-fa41ba0d",
  "s390-fa41ba0d-90a7592d",
  "s390-06201e00",
  "s390-06201e00-v2",
  "x86_64",
] as const;
export type VariantId = (typeof VARIANT_IDS)[number];

/** What mm_forbids_zeropage() tests, per variant (arch/s390/include/asm/pgtable.h of each commit). */
export type ForbidsRule = "never" | "uses_skeys" | "has_pgste" | "no_cow_sharing";

export interface Variant {
  readonly id: VariantId;
  /** Short letter used in the fact sheet: A, B, B', C, X. */
  readonly letter: string;
  readonly title: string;
  readonly arch: Arch;
  readonly commit: string | null;
  /** Kernel tag whose source the narration links to (Elixir). For x86_64 the scenario's version. */
  readonly sourceTag: string;
  readonly forbids: ForbidsRule;
  /** B: s390_enable_sie() walks the mm and zaps zeropage PTEs (__zap_zero_pages). */
  readonly zapZeroOnCreateVm: boolean;
  /** A: the skey-enable walk (__s390_enable_skey) replaces zeropage PTEs by invalid ones. */
  readonly zapZeroOnSkeys: boolean;
  /** C: __s390_disable_cow_sharing(): allow_cow_sharing = 0, unshare zeropages, ksm_disable(). */
  readonly unshareOnCowDisable: boolean;
  /** 90a7592da149: mfill_atomic_pte_zeropage() falls back to a zeroed folio when forbidden. */
  readonly uffdZeropageHonoursForbids: boolean;
  /** Protected virtualization exists (KVM_PV_ENABLE): not in A (PV came ~v5.7). */
  readonly hasPv: boolean;
  /**
   * 06201e00 v2: s390's mm_forbids_zeropage() is shadowed by the generic always-0 macro in
   * include/linux/mm.h, so generic mm never sees allow_cow_sharing = 0.
   */
  readonly forbidsShadowed?: boolean;
  /**
   * Source links for single functions at another tag than sourceTag: B' links
   * mfill_atomic_pte_zeroed_folio() (90a7592da149) at the 6.9.y stable release that has it, while
   * the rest of B' (fa41ba0d's gmap.c) is read at v6.9.
   */
  readonly tagOverrides?: Readonly<Record<string, string>>;
}

export const VARIANTS: Record<VariantId, Variant> = {
  "s390-2faee8ff": {
    id: "s390-2faee8ff",
    letter: "A",
    title: "s390 before fa41ba0d (2faee8ff: zeropage forbidden once storage keys are used)",
    arch: "s390x",
    commit: "2faee8ff9dc6",
    // fa41ba0d was written in August 2017 and reached mainline at v4.13 or v4.14 (not pinned), and
    // stable trees took it (4.9.y has it): v4.12 is the newest tag that certainly runs A's code.
    sourceTag: "v4.12",
    forbids: "uses_skeys",
    zapZeroOnCreateVm: false,
    zapZeroOnSkeys: true,
    unshareOnCowDisable: false,
    uffdZeropageHonoursForbids: false,
    hasPv: false,
  },
  "s390-fa41ba0d": {
    id: "s390-fa41ba0d",
    letter: "B",
    title: "s390 with fa41ba0d (zeropage forbidden for every KVM guest)",
    arch: "s390x",
    commit: "fa41ba0d08de",
    sourceTag: "v6.9",
    forbids: "has_pgste",
    zapZeroOnCreateVm: true,
    zapZeroOnSkeys: false,
    unshareOnCowDisable: false,
    uffdZeropageHonoursForbids: false,
    hasPv: true,
  },
  "s390-fa41ba0d-90a7592d": {
    id: "s390-fa41ba0d-90a7592d",
    letter: "B'",
    title: "s390 with fa41ba0d and the userfaultfd fix 90a7592da149",
    arch: "s390x",
    commit: "90a7592da149",
    sourceTag: "v6.9",
    forbids: "has_pgste",
    zapZeroOnCreateVm: true,
    zapZeroOnSkeys: false,
    unshareOnCowDisable: false,
    uffdZeropageHonoursForbids: true,
    hasPv: true,
    tagOverrides: { mfill_atomic_pte_zeroed_folio: "v6.9.3" },
  },
  "s390-06201e00": {
    id: "s390-06201e00",
    letter: "C",
    title: "s390 with 06201e00 (zeropage allowed until storage keys or PV, then unshared)",
    arch: "s390x",
    commit: "06201e00ee3e",
    sourceTag: "v6.10",
    forbids: "no_cow_sharing",
    zapZeroOnCreateVm: false,
    zapZeroOnSkeys: false,
    unshareOnCowDisable: true,
    uffdZeropageHonoursForbids: true,
    hasPv: true,
  },
  "s390-06201e00-v2": {
    id: "s390-06201e00-v2",
    letter: "C-v2",
    title: "s390 with 06201e00 as posted in v2 (missing #define: new zeropages still mapped after keys/PV)",
    arch: "s390x",
    commit: "06201e00 v2",
    // Never merged: the functions are read in v6.10, where v3 landed.
    sourceTag: "v6.10",
    // mm_forbids_zeropage(X) expands to (0) in every generic caller: never forbidden there.
    forbids: "never",
    forbidsShadowed: true,
    zapZeroOnCreateVm: false,
    zapZeroOnSkeys: false,
    unshareOnCowDisable: true,
    uffdZeropageHonoursForbids: true,
    hasPv: true,
  },
  x86_64: {
    id: "x86_64",
    letter: "X",
    title: "x86_64 (the zeropage is never forbidden)",
    arch: "x86_64",
    commit: null,
    sourceTag: "v6.18",
    forbids: "never",
    zapZeroOnCreateVm: false,
    zapZeroOnSkeys: false,
    unshareOnCowDisable: false,
    uffdZeropageHonoursForbids: true,
    hasPv: false,
  },
};

export function isVariantId(id: string): id is VariantId {
  return (VARIANT_IDS as readonly string[]).includes(id);
}

/** "6.18" → [6, 18]; a malformed version gives null. */
export function parseKernelVersion(v: string): [number, number] | null {
  const m = /^(\d+)\.(\d+)/.exec(v);
  return m ? [Number(m[1]), Number(m[2])] : null;
}

export function versionAtLeast(v: string, major: number, minor: number): boolean {
  const p = parseKernelVersion(v);
  if (!p) return false;
  return p[0] > major || (p[0] === major && p[1] >= minor);
}

/**
 * Generic mm changes the model follows by kernel version (the mm's kernelVersion: a scenario's
 * machine.kernelVersion, else the variant's sourceTag). `since` is the first release that has it.
 */
export const KERNEL_FEATURES = {
  /**
   * replace_page() decrements MM_ANONPAGES when ksmd maps the zero page: a38c015f3156 "mm/ksm.c:
   * fix inconsistent accounting of zero pages" (April 2018). Before it, use_zero_pages freed the
   * page but RssAnon kept counting it.
   */
  ksmZeroPageRss: {
    since: "4.17",
    assumption:
      "a38c015f3156 was queued in the mm tree in April 2018 (Cc stable); its first mainline release is taken to be v4.17 (v4.18 at the latest). Variant A (v4.12) predates it either way.",
  },
  /** MADV_POPULATE_READ / _WRITE: 4ca9b3859dac "mm/madvise: introduce MADV_POPULATE_(READ|WRITE)". */
  populateRead: { since: "5.14" },
  /** FAULT_FLAG_UNSHARE: c89357e27f20 "mm: support GUP-triggered unsharing of anonymous pages". */
  unshareFault: { since: "5.19" },
  /** break_ksm() unshares instead of a fake write fault: 6cce3314b928. */
  breakKsmUnshare: { since: "6.2" },
  /**
   * KSM-placed zeropages are marked (pte_mkdirty in replace_page(), is_ksm_zero_pte()), counted
   * (ksm_zero_pages in sysfs and /proc/<pid>/ksm_stat) and unshared by KSM unmerge: 79271476b336,
   * e2942062e01d, 6080d19f0704 (v6.6). Before, they are plain zeropages nothing can tell apart.
   */
  ksmZeroTracking: { since: "6.6" },
  /** UFFDIO_ZEROPAGE on shared memory: shmem_mfill_zeropage_pte() (Mike Rapoport's series, v4.14). */
  shmemUffdZeropage: { since: "4.14" },
  /** /proc/<pid>/smaps_rollup: 493b0e9d945f "mm: add /proc/pid/smaps_rollup". */
  smapsRollup: { since: "4.14" },
  /**
   * memory.stat's `pagetables` (cgroup v2): f0c0c115fb81 "mm: memcontrol: account pagetables per
   * node".
   */
  memcgPagetables: {
    since: "5.11",
    assumption: "f0c0c115fb81 is dated to v5.11 from its posting (Nov 2020), not from a release tag.",
  },
  /** /sys/kernel/mm/ksm/general_profit and ksm_stat's ksm_process_profit: d21077fbc2fc. */
  ksmProfit: { since: "6.4" },
  /** PAGEMAP_SCAN with PAGE_IS_PFNZERO: 52526ca7fdb9 "fs/proc/task_mmu: implement IOCTL to get and optionally clear info about PTEs". */
  pagemapScan: { since: "6.7" },
  /** UFFDIO_MOVE: adef440691ba "userfaultfd: UFFDIO_MOVE uABI" (Andrea Arcangeli, Suren Baghdasaryan). */
  uffdMove: { since: "6.8" },
  /**
   * UFFDIO_MOVE of a zeropage PTE or the huge zero page (move_zeropage_pte(), and the huge zero
   * PMD in move_pages_huge_pmd()): eb1521dad8f3 "userfaultfd: handle zeropage moves by
   * UFFDIO_MOVE". Before it, both are -EBUSY.
   */
  uffdMoveZeropage: {
    since: "6.9",
    assumption:
      "eb1521dad8f3 is dated to v6.9 from its posting (v2, 31 January 2024, to the mm tree before the v6.9 merge window), not from a release tag.",
  },
} as const;

export type KernelFeature = keyof typeof KERNEL_FEATURES;

/** Whether a kernel of `version` ("6.10") has `feature`. */
export function kernelHas(version: string, feature: KernelFeature): boolean {
  const [major, minor] = KERNEL_FEATURES[feature].since.split(".").map(Number) as [number, number];
  return versionAtLeast(version, major, minor);
}

/**
 * CONFIG_PT_RECLAIM (6375e95f381e + 4817f70c25b6, v6.14): x86_64 only; s390 does not select
 * ARCH_SUPPORTS_PT_RECLAIM through at least v6.18 (a later series making PT_RECLAIM depend on
 * MMU_GATHER_RCU_TABLE_FREE would cover s390; its release is unconfirmed).
 */
export function hasPtReclaim(v: Variant, kernelVersion: string): boolean {
  return v.arch === "x86_64" && versionAtLeast(kernelVersion, 6, 14);
}
