/**
 * One address space (mm_struct) holding guest RAM, and the host it runs on.
 *
 * An Mm has:
 * - its page tables over the guest-RAM range (pgtable.ts);
 * - VMAs over that range with the flags the rules read (VM_WRITE, COW or not, VM_MERGEABLE,
 *   userfaultfd MISSING registration, MADV_HUGEPAGE / MADV_NOHUGEPAGE);
 * - the s390 mm_context_t flags (arch/s390/include/asm/mmu.h): has_pgste, uses_skeys, allow_cow_sharing, and PV
 *   (protected_count > 0);
 * - the kernel variant it runs under.
 *
 * A Host has a memory limit and the KSM sysfs knobs (run, use_zero_pages), which are per host,
 * not per mm.
 */
import { type Geometry, geometryOf } from "./geometry.ts";
import { PageTables } from "./pgtable.ts";
import {
  hasPtReclaim,
  type KernelFeature,
  kernelHas,
  VARIANTS,
  type Variant,
  type VariantId,
} from "./variants.ts";

/** VMA flags the model reads. Bit values are the model's own, names are the kernel's. */
export const VmFlag = {
  /** VM_WRITE: PTEs of new anon pages are made writable (and dirty) even on read faults. */
  WRITE: 1,
  /** is_cow_mapping(): private and may-write. Guest RAM is; a DAX-like shared mapping is not. */
  COW: 2,
  /** VM_MERGEABLE (MADV_MERGEABLE, or PR_SET_MEMORY_MERGE / MMF_VM_MERGE_ANY). */
  MERGEABLE: 4,
  /** VM_UFFD_MISSING: registered with UFFDIO_REGISTER_MODE_MISSING. */
  UFFD_MISSING: 8,
  /** VM_HUGEPAGE (MADV_HUGEPAGE). */
  HUGEPAGE: 16,
  /** VM_NOHUGEPAGE (MADV_NOHUGEPAGE, or thp_split_mm() on s390 KVM processes). */
  NOHUGEPAGE: 32,
  /**
   * VM_DONTCOPY (MADV_DONTFORK): fork()'s dup_mmap() does not copy the VMA into the child. QEMU
   * sets it on all guest RAM (qemu_ram_apply_settings() → qemu_madvise(QEMU_MADV_DONTFORK)).
   */
  DONTCOPY: 64,
  /**
   * A shared mapping of shmem (a memfd mapped MAP_SHARED, QEMU's memory-backend-memfd share=on):
   * VM_SHARED with vma_is_shmem(). Not COW; pages live in the memfd's page cache (engine/shmem.ts).
   */
  SHMEM: 128,
} as const;

export interface Vma {
  first: number;
  count: number;
  flags: number;
}

export interface MmContext {
  /** mm->context.has_pgste: set by s390_enable_sie() at KVM_CREATE_VM. */
  hasPgste: boolean;
  /** mm->context.uses_skeys: set by s390_enable_skey(). */
  usesSkeys: boolean;
  /** mm->context.allow_cow_sharing (C only; 1 from init_new_context() until keys or PV). */
  allowCowSharing: boolean;
  /** KVM_PV_ENABLE succeeded. */
  pv: boolean;
}

export type ThpMode = "always" | "madvise" | "never";

/**
 * Which paths of the host's kernel map the shared zeropage where mm_forbids_zeropage() allows it.
 * Upstream kernels do on all four. A host may not: a boot option of its own (pvm_no_zero_page=1
 * has been seen on x86_64 hosts: read faults and THP reads allocate while UFFDIO_ZEROPAGE still
 * maps the zero page), or transparent_hugepage/use_zero_page = 0 for the huge zero page. A path
 * whose switch is off takes the branch its kernel function takes when the zero page may not be
 * used. tools/kernel-check measures the running host's policy path by path.
 */
export interface HostZeropagePolicy {
  /** do_anonymous_page(): a read fault on a none PTE maps the zero page. */
  readonly readFault: boolean;
  /** do_huge_pmd_anonymous_page(): a read fault on a none PMD maps the huge zero page. */
  readonly hugeZeroPage: boolean;
  /** mfill_atomic_pte_zeropage(): UFFDIO_ZEROPAGE maps the zero page. */
  readonly uffdZeropage: boolean;
  /** try_to_merge_with_zero_page(): ksmd with use_zero_pages maps the zero page. */
  readonly ksm: boolean;
}

/** What upstream kernels do: the zero page on every path. */
export const UPSTREAM_ZEROPAGE: HostZeropagePolicy = {
  readFault: true,
  hugeZeroPage: true,
  uffdZeropage: true,
  ksm: true,
};

/** True where `p` differs from upstream on some path. */
export function isHostPolicyNonDefault(p: HostZeropagePolicy): boolean {
  return !p.readFault || !p.hugeZeroPage || !p.uffdZeropage || !p.ksm;
}

/**
 * The policy in words, one clause per path, e.g. "read faults allocate (no zeropage), huge zero
 * page off, UFFDIO_ZEROPAGE maps the zeropage, KSM maps the zeropage".
 */
export function describeHostPolicy(p: HostZeropagePolicy): string {
  return [
    p.readFault ? "read faults map the zeropage" : "read faults allocate (no zeropage)",
    p.hugeZeroPage ? "huge zero page on" : "huge zero page off",
    p.uffdZeropage ? "UFFDIO_ZEROPAGE maps the zeropage" : "UFFDIO_ZEROPAGE allocates (no zeropage)",
    p.ksm ? "KSM maps the zeropage" : "KSM merges zero pages without the zeropage",
  ].join(", ");
}

export interface HostConfig {
  readonly name: string;
  /** Memory available to this process's anon pages and page tables; Infinity for none. */
  readonly memLimitBytes: number;
  /** /sys/kernel/mm/ksm/run = 1: ksmd scans VM_MERGEABLE areas. */
  readonly ksmRun: boolean;
  /** /sys/kernel/mm/ksm/use_zero_pages. */
  readonly ksmUseZeroPages: boolean;
  /** /sys/kernel/mm/transparent_hugepage/enabled (x86_64 only; s390 KVM processes never use THP). */
  readonly thp: ThpMode;
  /** The host kernel's zeropage policy per path; default UPSTREAM_ZEROPAGE. */
  readonly zeropage?: HostZeropagePolicy;
}

export interface MmConfig {
  readonly name: string;
  readonly host: HostConfig;
  readonly variant: VariantId;
  /** The running kernel's version (x86_64: decides PT reclaim). */
  readonly kernelVersion: string;
  readonly pages: number;
  /**
   * Virtual page number where guest RAM starts. Default: aligned to the largest counted upper
   * level, so the first touch allocates one table at every level (a fresh area of the address
   * space, as a large mmap gets). ASSUMPTION (geometry): QEMU's guest RAM sits in its own area.
   */
  readonly baseVpn?: number;
  /** Initial VMA flags; default: anonymous private guest RAM, writable, COW. */
  readonly vmaFlags?: number;
}

export class Mm {
  readonly name: string;
  readonly host: HostConfig;
  readonly variant: Variant;
  readonly geometry: Geometry;
  readonly kernelVersion: string;
  readonly ptReclaim: boolean;
  pt: PageTables;
  vmas: Vma[];
  ctx: MmContext;
  /**
   * KSM zeropages that left the page tables without ksm_might_unmap_zero_page(), so the kernel's
   * ksm_zero_pages still counts them: fa41ba0d's __zap_zero_pages() exchanges the PTEs directly.
   */
  ksmZeroLeaked = 0;
  /**
   * Pages MM_ANONPAGES still counts although a zeropage maps them: ksmd's use_zero_pages on
   * kernels before a38c015f3156 freed the page without dec_mm_counter(). RssAnon includes them.
   */
  rssAnonKept = 0;
  /**
   * /proc/vmstat events this mm's faults caused since the scenario began (proc/vmstat.ts):
   * PGFAULT, THP_FAULT_ALLOC, and whether it mapped the huge zero page (THP_ZERO_PAGE_ALLOC).
   */
  pgfault = 0;
  thpFaultAlloc = 0;
  hugeZeroUsed = false;

  constructor(cfg: MmConfig) {
    this.name = cfg.name;
    this.host = cfg.host;
    this.variant = VARIANTS[cfg.variant];
    this.geometry = geometryOf(this.variant.arch);
    this.kernelVersion = cfg.kernelVersion;
    this.ptReclaim = hasPtReclaim(this.variant, cfg.kernelVersion);
    const top = this.geometry.upper[this.geometry.upper.length - 1]!;
    const base = cfg.baseVpn ?? 2 ** top.spanShift;
    this.pt = new PageTables(this.geometry, cfg.pages, base);
    this.vmas = [{ first: 0, count: cfg.pages, flags: cfg.vmaFlags ?? VmFlag.WRITE | VmFlag.COW }];
    // init_new_context(): all flags clear, allow_cow_sharing = 1 (C; harmless elsewhere).
    this.ctx = { hasPgste: false, usesSkeys: false, allowCowSharing: true, pv: false };
  }

  get pages(): number {
    return this.pt.pages;
  }

  /**
   * mm_forbids_zeropage(): X never; A uses_skeys; B has_pgste; C !allow_cow_sharing.
   */
  forbidsZeropage(): boolean {
    switch (this.variant.forbids) {
      case "never":
        return false;
      case "uses_skeys":
        return this.ctx.usesSkeys;
      case "has_pgste":
        return this.ctx.hasPgste;
      case "no_cow_sharing":
        return !this.ctx.allowCowSharing;
    }
  }

  /** Whether this mm's kernel version has a generic mm change (variants.ts KERNEL_FEATURES). */
  has(feature: KernelFeature): boolean {
    return kernelHas(this.kernelVersion, feature);
  }

  /** The host kernel's zeropage policy (HostConfig.zeropage, upstream by default). */
  get hostZeropage(): HostZeropagePolicy {
    return this.host.zeropage ?? UPSTREAM_ZEROPAGE;
  }

  /** The VMA containing `page`, or undefined in a hole. */
  vmaAt(page: number): Vma | undefined {
    for (const v of this.vmas) if (page >= v.first && page < v.first + v.count) return v;
    return undefined;
  }

  /**
   * Calls fn for each piece of [first, first+count) that lies in one VMA, in address order.
   * Returns false if some page of the range is in no VMA.
   */
  forEachVmaPiece(
    first: number,
    count: number,
    fn: (vma: Vma, first: number, count: number) => void,
  ): boolean {
    const end = first + count;
    let page = first;
    while (page < end) {
      const vma = this.vmaAt(page);
      if (!vma) return false;
      const pieceEnd = Math.min(end, vma.first + vma.count);
      fn(vma, page, pieceEnd - page);
      page = pieceEnd;
    }
    return true;
  }

  /** Whether every page of the range lies in a VMA. */
  covers(first: number, count: number): boolean {
    if (first < 0 || count < 0 || first + count > this.pages) return false;
    return this.forEachVmaPiece(first, count, () => {});
  }

  /**
   * Sets and clears flags on [first, first+count), splitting VMAs at the edges and merging
   * neighbours with equal flags afterwards (as split_vma()/vma_merge() would).
   */
  updateVmaFlags(first: number, count: number, set: number, clear: number): void {
    const end = first + count;
    const out: Vma[] = [];
    for (const v of this.vmas) {
      const vEnd = v.first + v.count;
      const lo = Math.max(v.first, first);
      const hi = Math.min(vEnd, end);
      if (lo >= hi) {
        out.push({ ...v });
        continue;
      }
      if (v.first < lo) out.push({ first: v.first, count: lo - v.first, flags: v.flags });
      out.push({ first: lo, count: hi - lo, flags: (v.flags | set) & ~clear });
      if (hi < vEnd) out.push({ first: hi, count: vEnd - hi, flags: v.flags });
    }
    const merged: Vma[] = [];
    for (const v of out) {
      const prev = merged[merged.length - 1];
      if (prev && prev.flags === v.flags && prev.first + prev.count === v.first) prev.count += v.count;
      else merged.push(v);
    }
    this.vmas = merged;
  }

  /** Sets or clears a flag on every VMA (mm->def_flags style changes such as thp_split_mm()). */
  updateAllVmaFlags(set: number, clear: number): void {
    this.updateVmaFlags(0, this.pages, set, clear);
  }

  clone(): Mm {
    const copy = Object.create(Mm.prototype) as Mm;
    Object.assign(copy, this);
    copy.pt = this.pt.clone();
    copy.vmas = this.vmas.map((v) => ({ ...v }));
    copy.ctx = { ...this.ctx };
    return copy;
  }
}
