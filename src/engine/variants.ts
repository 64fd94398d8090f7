/**
 * Kernel variants as sets of patch toggles (kernel-facts §0, §1.2, §10.2). The ids are part of
 * the interface: links, the CLI and presets use them.
 *
 *   s390-2faee8ff          A  2014..2018: zeropage forbidden once storage keys are used; enabling
 *                            keys zaps zeropage PTEs (the 2018 postcopy hang)
 *   s390-fa41ba0d          B  2018..v6.9: forbidden for every KVM process (has_pgste); zeropages
 *                            zapped at KVM_CREATE_VM; UFFDIO_ZEROPAGE still maps the zeropage
 *   s390-fa41ba0d-90a7592d B + 90a7592da149: UFFDIO_ZEROPAGE honours mm_forbids_zeropage()
 *   s390-06201e00          C  v6.10+: allowed until storage keys or PV; then zeropages are
 *                            unshared (__s390_unshare_zeropages) and KSM is disabled
 *   x86_64                 X  never forbidden; PT reclaim on MADV_DONTNEED from v6.14
 */
import type { Arch } from "./geometry.ts";

export const VARIANT_IDS = [
  "s390-2faee8ff",
  "s390-fa41ba0d",
  "s390-fa41ba0d-90a7592d",
  "s390-06201e00",
  "x86_64",
] as const;
export type VariantId = (typeof VARIANT_IDS)[number];

/** What mm_forbids_zeropage() tests, per variant (§1.2). */
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
   * break_ksm() also unshares KSM-placed zeropages (is_ksm_zero_pte), so KSM unmerge turns them
   * into anon pages. ASSUMPTION (§11.2, ~v6.5 unconfirmed): present in B as modelled (v6.9) and C,
   * absent in A.
   */
  readonly unmergeUnsharesKsmZero: boolean;
  /**
   * break_ksm() breaks COW with a fake write fault (FAULT_FLAG_WRITE | FAULT_FLAG_REMOTE), so the
   * copy is mapped writable and dirty; since 6cce3314b928 (v6.2, "mm/ksm: fix KSM COW breaking with
   * userfaultfd-wp via FAULT_FLAG_UNSHARE") it is an unshare fault and the copy stays read-only.
   * Only A (v4.18) predates that.
   */
  readonly breakKsmWriteFault: boolean;
}

export const VARIANTS: Record<VariantId, Variant> = {
  "s390-2faee8ff": {
    id: "s390-2faee8ff",
    letter: "A",
    title: "s390 before fa41ba0d (2faee8ff: zeropage forbidden once storage keys are used)",
    arch: "s390x",
    commit: "2faee8ff9dc6",
    sourceTag: "v4.18",
    forbids: "uses_skeys",
    zapZeroOnCreateVm: false,
    zapZeroOnSkeys: true,
    unshareOnCowDisable: false,
    uffdZeropageHonoursForbids: false,
    hasPv: false,
    unmergeUnsharesKsmZero: false,
    breakKsmWriteFault: true,
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
    unmergeUnsharesKsmZero: true,
    breakKsmWriteFault: false,
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
    unmergeUnsharesKsmZero: true,
    breakKsmWriteFault: false,
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
    unmergeUnsharesKsmZero: true,
    breakKsmWriteFault: false,
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
    unmergeUnsharesKsmZero: true,
    breakKsmWriteFault: false,
  },
};

export function isVariantId(id: string): id is VariantId {
  return (VARIANT_IDS as readonly string[]).includes(id);
}

export function getVariant(id: VariantId): Variant {
  return VARIANTS[id];
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
 * CONFIG_PT_RECLAIM (6375e95f381e + 4817f70c25b6, v6.14): x86_64 only; s390 does not select
 * ARCH_SUPPORTS_PT_RECLAIM through at least v6.18 (§6.1, §11.7).
 */
export function hasPtReclaim(v: Variant, kernelVersion: string): boolean {
  return v.arch === "x86_64" && versionAtLeast(kernelVersion, 6, 14);
}
