/**
 * What the two kernels decide from the same mm context flags: mm_forbids_zeropage() per variant,
 * read from the trace's recorded flags (trace.ts FLAG_*), so that compare can tell "the flags are
 * the same but the kernels read them differently" without rebuilding a world.
 *
 * This restates Mm.forbidsZeropage() (mm.ts) over flag bits; policy.test.ts checks the two agree
 * for every variant and flag combination.
 */
import {
  FLAG_ALLOW_COW_SHARING,
  FLAG_HAS_PGSTE,
  FLAG_PV,
  FLAG_USES_SKEYS,
  VARIANTS,
  type VariantId,
} from "../engine/index.ts";

/** mm_forbids_zeropage() for a variant, from the recorded context flags. */
export function forbidsFromFlags(kernel: VariantId, flags: number): boolean {
  switch (VARIANTS[kernel].forbids) {
    case "never":
      return false;
    case "uses_skeys":
      return (flags & FLAG_USES_SKEYS) !== 0;
    case "has_pgste":
      return (flags & FLAG_HAS_PGSTE) !== 0;
    case "no_cow_sharing":
      return (flags & FLAG_ALLOW_COW_SHARING) === 0;
  }
}

/** When a variant forbids the zeropage, in words, with the flag it tests. */
export function forbidsRuleText(kernel: VariantId): string {
  switch (VARIANTS[kernel].forbids) {
    case "never":
      return "never forbids it";
    case "uses_skeys":
      return "forbids it once the guest uses storage keys: uses_skeys";
    case "has_pgste":
      return "forbids it for every KVM guest: has_pgste, set at KVM_CREATE_VM";
    case "no_cow_sharing":
      return "forbids it only once storage keys or PV disable COW sharing: !allow_cow_sharing";
  }
}

/** Whether the kernel has mm->context.allow_cow_sharing (06201e00 and later). */
export function hasCowSharingFlag(kernel: VariantId): boolean {
  return VARIANTS[kernel].forbids === "no_cow_sharing";
}

/**
 * The set flags by their kernel names. allow_cow_sharing exists only from 06201e00 on (the model
 * keeps it at 1 elsewhere), so it is named only when `withCowSharing` (both compared kernels have it).
 */
export function flagNames(flags: number, withCowSharing: boolean): string[] {
  const out: string[] = [];
  if (flags & FLAG_HAS_PGSTE) out.push("has_pgste");
  if (flags & FLAG_USES_SKEYS) out.push("uses_skeys");
  if (withCowSharing && flags & FLAG_ALLOW_COW_SHARING) out.push("allow_cow_sharing");
  if (flags & FLAG_PV) out.push("pv");
  return out;
}
