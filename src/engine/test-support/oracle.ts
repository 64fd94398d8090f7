/**
 * The naive per-page oracle: the kernel's rules written out directly, one array entry per page and
 * per page table, no run-length tricks, no lookup tables, no cost pre-pass. Property tests drive it
 * and the compact engine with the same events and compare full dumps (dump.ts format) after each.
 *
 * Tests only, and small sizes only (a few page tables): every event walks every page.
 *
 * It shares nothing with the engine but the input and output vocabulary (events, PTE state
 * numbers, VMA flag bits, MmConfig) and the geometry constants. Every rule below is written from
 * the kernel functions its comments name, not from the engine code.
 *
 * Transactions: an event that fails leaves the oracle exactly as before (it restores a copy).
 * Memory: host memory = (anon pages + KSM pages_shared) × 4 KiB + page-table memory. Each
 * allocation is checked against the host limit, in the order the kernel allocates: page tables
 * before the page.
 * ASSUMPTION (model accounting): within one event, memory that the event frees is not credited
 * until the event ends. Only a KSM mapping that is unshared or written frees anything during an
 * allocating event (pages_shared = ceil(n/256) may drop), and which KSM page of a chain the kernel
 * frees first is not modelled, so the check charges every new page in full.
 */
import { PAGE_SIZE } from "../../base/units.ts";
import type { Errno } from "../apply.ts";
import type { Content, KernelEvent } from "../events.ts";
import { type Geometry, geometryOf } from "../geometry.ts";
import { type MmConfig, VmFlag } from "../mm.ts";
import { Pte } from "../pte.ts";
import type { VariantId } from "../variants.ts";
import { flagsText, stateChar } from "./dump.ts";

/** ksm_max_page_sharing default: one KSM page per 256 mappings (research Q3). */
const MAX_SHARING = 256;

export interface OracleResult {
  ok: boolean;
  errno: Errno | null;
  /** Page that failed (-EFAULT of a fault, -ENOMEM of a fault or uffd ioctl, -ENOENT/-EEXIST of uffd), else -1. */
  failedAt: number;
  /** Page where a MISSING userfault stopped the access, else -1. */
  userfaultAt: number;
}

class Fail {
  constructor(
    readonly errno: Errno,
    readonly failedAt = -1,
  ) {}
}

/** Pages of `ranges` in event order. */
function* pagesOf(ranges: readonly number[]): Generator<number> {
  for (let i = 0; i < ranges.length; i += 2) {
    for (let p = ranges[i]!; p < ranges[i]! + ranges[i + 1]!; p++) yield p;
  }
}

function isZero(s: number): boolean {
  return s === Pte.ZERO || s === Pte.ZERO_UFFD || s === Pte.ZERO_KSM;
}

function isAnon(s: number): boolean {
  return s === Pte.ANON_RO_ZERO || s === Pte.ANON_RO_DATA || s === Pte.ANON_RW_ZERO || s === Pte.ANON_RW_DATA;
}

/** A memfd page mapped by a PTE. */
function isShmemMapped(s: number): boolean {
  return s === Pte.SHMEM_ZERO || s === Pte.SHMEM_DATA;
}

/** Not mapped, but in the memfd's page cache. */
function isCachedOnly(s: number): boolean {
  return s === Pte.CACHED_ZERO || s === Pte.CACHED_DATA;
}

/** A memfd page in the page cache (mapped or not): memory in use. */
function isShmemPage(s: number): boolean {
  return isShmemMapped(s) || isCachedOnly(s);
}

function major(v: string): [number, number] {
  const m = /^(\d+)\.(\d+)/.exec(v);
  return m ? [Number(m[1]), Number(m[2])] : [0, 0];
}

function atLeast(v: string, a: number, b: number): boolean {
  const [x, y] = major(v);
  return x > a || (x === a && y >= b);
}

interface State {
  ptes: Uint8Array;
  present: Uint8Array;
  huge: Uint8Array;
  /** The table's anon pages are one THP folio (huge-mapped, or PTE-mapped after a split). */
  folio: Uint8Array;
  flags: Uint8Array;
  upper: Set<number>[];
  hasPgste: boolean;
  usesSkeys: boolean;
  allowCow: boolean;
  pv: boolean;
  /** ksm_zero_pages the kernel still counts for KSM zeropages B's __zap_zero_pages() removed. */
  ksmZeroLeaked: number;
  /** Pages RssAnon still counts after ksmd replaced them by the zeropage (before v4.17). */
  rssKept: number;
  sets: Map<string, Uint8Array>;
}

export class Oracle {
  readonly pages: number;
  readonly baseVpn: number;
  readonly geometry: Geometry;
  readonly variant: VariantId;
  readonly limit: number;
  private readonly cfg: MmConfig;
  s: State;

  // Per-variant behaviour: mm_forbids_zeropage() and the s390 gmap.c code of each variant.
  private readonly A: boolean;
  private readonly B: boolean;
  private readonly C: boolean;
  private readonly X: boolean;
  private readonly shadowed: boolean;

  constructor(cfg: MmConfig) {
    this.cfg = cfg;
    this.variant = cfg.variant;
    this.A = cfg.variant === "s390-2faee8ff";
    this.B = cfg.variant === "s390-fa41ba0d" || cfg.variant === "s390-fa41ba0d-90a7592d";
    // 06201e00 as posted in v2 runs C's s390 code; its generic mm sees mm_forbids_zeropage() = 0.
    this.C = cfg.variant === "s390-06201e00" || cfg.variant === "s390-06201e00-v2";
    this.shadowed = cfg.variant === "s390-06201e00-v2";
    this.X = cfg.variant === "x86_64";
    this.geometry = geometryOf(this.X ? "x86_64" : "s390x");
    const top = this.geometry.upper[this.geometry.upper.length - 1]!;
    this.baseVpn = cfg.baseVpn ?? 2 ** top.spanShift;
    this.pages = cfg.pages;
    this.limit = cfg.host.memLimitBytes;
    const tables = this.tableOf(this.pages - 1) + 1;
    this.s = {
      ptes: new Uint8Array(this.pages),
      present: new Uint8Array(Math.max(0, tables)),
      huge: new Uint8Array(Math.max(0, tables)),
      folio: new Uint8Array(Math.max(0, tables)),
      flags: new Uint8Array(this.pages).fill(cfg.vmaFlags ?? VmFlag.WRITE | VmFlag.COW),
      upper: this.geometry.upper.map(() => new Set<number>()),
      hasPgste: false,
      usesSkeys: false,
      allowCow: true,
      pv: false,
      ksmZeroLeaked: 0,
      rssKept: 0,
      sets: new Map(),
    };
  }

  // ---- geometry -------------------------------------------------------------------------------

  private get ptes(): number {
    return this.geometry.ptesPerTable;
  }

  /** PTE table of page p: its virtual page number / PTEs per table, counted from the first. */
  tableOf(p: number): number {
    return Math.floor((this.baseVpn + p) / this.ptes) - Math.floor(this.baseVpn / this.ptes);
  }

  /** Guest pages of table t: [lo, hi). */
  private tablePages(t: number): [number, number] {
    const lo = (Math.floor(this.baseVpn / this.ptes) + t) * this.ptes - this.baseVpn;
    return [Math.max(0, lo), Math.min(this.pages, lo + this.ptes)];
  }

  /** The table's whole 2 MiB / 1 MiB lies inside guest RAM. */
  private tableWhole(t: number): boolean {
    const [lo, hi] = this.tablePages(t);
    return hi - lo === this.ptes;
  }

  // ---- memory ---------------------------------------------------------------------------------

  private count(pred: (s: number) => boolean): number {
    let n = 0;
    for (const s of this.s.ptes) if (pred(s)) n++;
    return n;
  }

  private anon = 0;
  private shmem = 0;
  private ksm = 0;
  private tables = 0;

  private recount(): void {
    this.anon = this.count(isAnon);
    this.shmem = this.count(isShmemPage);
    this.ksm = this.count((s) => s === Pte.KSM);
    this.tables = this.s.present.reduce((a, b) => a + b, 0);
  }

  /** Host memory in use now: anon pages + KSM pages kept + page tables. */
  memNow(): number {
    let upper = 0;
    this.geometry.upper.forEach((l, i) => {
      upper += this.s.upper[i]!.size * l.memBytes;
    });
    return (
      (this.anon + this.shmem + Math.ceil(this.ksm / MAX_SHARING)) * PAGE_SIZE +
      this.tables * this.geometry.pteTableMemBytes +
      upper
    );
  }

  /** What allocating table t (and the upper tables above it) costs now. */
  private tableCost(t: number): number {
    if (this.s.present[t]) return 0;
    let cost = this.geometry.pteTableMemBytes;
    const vpn = this.baseVpn + this.tablePages(t)[0];
    this.geometry.upper.forEach((l, i) => {
      if (!this.s.upper[i]!.has(Math.floor(vpn / 2 ** l.spanShift))) cost += l.memBytes;
    });
    return cost;
  }

  /** Memory in use when the current event started, and what it has allocated since. */
  private memStart = 0;
  private allocated = 0;

  private fits(bytes: number): boolean {
    return this.memStart + this.allocated + bytes <= this.limit;
  }

  /** Takes `bytes` from the host for page p, or fails the event with -ENOMEM at p. */
  private charge(bytes: number, p: number): void {
    if (!this.fits(bytes)) throw new Fail("ENOMEM", p);
    this.allocated += bytes;
  }

  /** pud_alloc/pmd_alloc/pte_alloc for page p's table; -ENOMEM if the host has no room. */
  private allocTable(p: number): void {
    const t = this.tableOf(p);
    if (this.s.present[t]) return;
    this.charge(this.tableCost(t), p);
    this.addUpper(t);
    this.s.present[t] = 1;
    this.tables++;
  }

  /** pud_alloc/pmd_alloc only (__handle_mm_fault before the huge-PMD path). */
  private allocUpper(p: number): void {
    const t = this.tableOf(p);
    this.charge(this.tableCost(t) - this.geometry.pteTableMemBytes, p);
    this.addUpper(t);
  }

  private addUpper(t: number): void {
    const vpn = this.baseVpn + this.tablePages(t)[0];
    this.geometry.upper.forEach((l, i) => {
      this.s.upper[i]!.add(Math.floor(vpn / 2 ** l.spanShift));
    });
  }

  private freeTable(t: number): void {
    this.s.present[t] = 0;
    this.s.huge[t] = 0;
    this.s.folio[t] = 0;
    this.tables--;
  }

  /** Sets page p to `to`; `allocates` = a new page is needed first (checked against the host limit). */
  private set(p: number, to: number, allocates: boolean): void {
    const from = this.s.ptes[p]!;
    if (allocates) this.charge(PAGE_SIZE, p);
    this.s.ptes[p] = to;
    this.anon += (isAnon(to) ? 1 : 0) - (isAnon(from) ? 1 : 0);
    this.shmem += (isShmemPage(to) ? 1 : 0) - (isShmemPage(from) ? 1 : 0);
    this.ksm += (to === Pte.KSM ? 1 : 0) - (from === Pte.KSM ? 1 : 0);
  }

  // ---- mm_forbids_zeropage and friends ---------------------------------------------------------

  /** forbids(mm). */
  forbids(): boolean {
    if (this.X) return false;
    if (this.A) return this.s.usesSkeys;
    if (this.B) return this.s.hasPgste;
    return !this.shadowed && !this.s.allowCow;
  }

  /** Whether the mm's kernel is at least `version` ("6.6"). */
  private since(version: string): boolean {
    const [a, b] = version.split(".").map(Number) as [number, number];
    const m = /^(\d+)\.(\d+)/.exec(this.cfg.kernelVersion);
    const [x, y] = m ? [Number(m[1]), Number(m[2])] : [0, 0];
    return x > a || (x === a && y >= b);
  }

  /** The host's zeropage policy (HostConfig.zeropage), upstream's when unset. */
  private get policy() {
    return this.cfg.host.zeropage ?? { readFault: true, hugeZeroPage: true, uffdZeropage: true, ksm: true };
  }

  private thpEligible(p: number): boolean {
    const thp = this.cfg.host.thp;
    if (!this.X || thp === "never") return false;
    const f = this.s.flags[p]!;
    if (f & VmFlag.NOHUGEPAGE) return false;
    if (!(f & VmFlag.COW)) return false;
    return thp === "always" || (f & VmFlag.HUGEPAGE) !== 0;
  }

  /** The table lies in guest RAM and in one VMA (all its pages have equal flags). */
  private tableInOneVma(t: number): boolean {
    if (!this.tableWhole(t)) return false;
    const [lo, hi] = this.tablePages(t);
    for (let p = lo + 1; p < hi; p++) if (this.s.flags[p] !== this.s.flags[lo]) return false;
    return true;
  }

  // ---- transactions ---------------------------------------------------------------------------

  private copyState(): State {
    const s = this.s;
    return {
      ...s,
      ptes: s.ptes.slice(),
      present: s.present.slice(),
      huge: s.huge.slice(),
      folio: s.folio.slice(),
      flags: s.flags.slice(),
      upper: s.upper.map((u) => new Set(u)),
      sets: new Map([...s.sets].map(([k, v]) => [k, v.slice()])),
    };
  }

  apply(e: KernelEvent): OracleResult {
    const saved = this.copyState();
    this.recount();
    this.memStart = this.memNow();
    this.allocated = 0;
    try {
      const uf = this.dispatch(e);
      return { ok: true, errno: uf.errno, failedAt: -1, userfaultAt: uf.userfaultAt };
    } catch (x) {
      if (!(x instanceof Fail)) throw x;
      this.s = saved;
      this.recount();
      return { ok: false, errno: x.errno, failedAt: x.failedAt, userfaultAt: -1 };
    }
  }

  private validRanges(r: readonly number[]): boolean {
    if (r.length % 2) return false;
    for (let i = 0; i < r.length; i += 2) {
      const a = r[i]!;
      const n = r[i + 1]!;
      if (!Number.isInteger(a) || !Number.isInteger(n) || a < 0 || n < 0 || a + n > this.pages) return false;
    }
    return true;
  }

  private dispatch(e: KernelEvent): { errno: Errno | null; userfaultAt: number } {
    const none = { errno: null, userfaultAt: -1 };
    if (e.mm !== 0) throw new Fail("EINVAL");
    switch (e.kind) {
      case "fault":
        if (!this.validRanges(e.ranges)) throw new Fail("EINVAL");
        // MADV_POPULATE_READ exists from v5.14; otherwise a via-read is a read fault like any other.
        if (e.access === "read" && e.via === "populate_read" && !this.since("5.14")) throw new Fail("EINVAL");
        return {
          errno: null,
          userfaultAt: this.fault(
            e.access,
            e.ranges,
            e.access === "write" ? e.content : "zero",
            e.access === "read" && e.via === "gup",
          ),
        };
      case "madvise":
        if (!this.validRanges(e.ranges)) throw new Fail("EINVAL");
        if (e.advice === "dontneed") this.dontneed(e.ranges, e.callPages);
        else this.advise(e.advice, e.ranges);
        return none;
      case "gmap_discard":
        // diag_release_pages() → gmap_discard() → zap_page_range_single(..., NULL): s390 only, no PT reclaim.
        if (!this.validRanges(e.ranges)) throw new Fail("EINVAL");
        if (this.X) throw new Fail("EINVAL");
        this.dontneed(e.ranges, undefined, false);
        return none;
      case "punch_hole":
        // fallocate(PUNCH_HOLE) on the memfd: only memfd-backed pages; unmaps and frees them.
        if (!this.validRanges(e.ranges)) throw new Fail("EINVAL");
        for (const p of pagesOf(e.ranges))
          if (!(this.s.flags[p]! & VmFlag.SHMEM)) throw new Fail("EINVAL", p);
        for (const p of pagesOf(e.ranges)) if (isShmemPage(this.s.ptes[p]!)) this.set(p, Pte.NONE, false);
        return none;
      case "uffd_register":
      case "uffd_unregister":
        if (!this.validRanges(e.ranges)) throw new Fail("EINVAL");
        // vma_can_userfault(): anonymous or shmem; the non-COW (DAX-like) mapping cannot be registered.
        if (e.kind === "uffd_register")
          for (const p of pagesOf(e.ranges))
            if (!(this.s.flags[p]! & (VmFlag.COW | VmFlag.SHMEM))) throw new Fail("EINVAL", p);
        for (let i = 0; i < e.ranges.length; i += 2) {
          const set = e.kind === "uffd_register" ? VmFlag.UFFD_MISSING : 0;
          const clear = e.kind === "uffd_register" ? 0 : VmFlag.UFFD_MISSING;
          this.changeFlags(e.ranges[i]!, e.ranges[i + 1]!, set, clear);
        }
        return none;
      case "uffd_zeropage":
      case "uffd_copy":
        if (!this.validRanges([e.first, e.count])) throw new Fail("EINVAL");
        return {
          errno: this.mfill(e.first, e.count, e.kind === "uffd_copy" ? e.content : null),
          userfaultAt: -1,
        };
      case "uffd_move":
        if (!this.validRanges([e.src, e.count, e.dst, e.count])) throw new Fail("EINVAL");
        return { errno: this.move(e.src, e.dst, e.count), userfaultAt: -1 };
      case "fork":
        // dup_mmap(): only VM_DONTCOPY memory, which the child does not get; the model has no child.
        for (let p = 0; p < this.pages; p++)
          if (!(this.s.flags[p]! & VmFlag.DONTCOPY)) throw new Fail("EINVAL");
        return none;
      case "ksm_scan":
        this.ksmScan();
        return none;
      case "ksm_disable":
        this.ksmDisable();
        return none;
      case "kvm_create_vm":
        this.createVm();
        return none;
      case "enable_skeys":
        this.enableSkeys();
        return none;
      case "enable_pv":
        this.enablePv();
        return none;
      case "pageset": {
        if (!this.validRanges(e.ranges)) throw new Fail("EINVAL");
        let set = this.s.sets.get(e.set);
        if (!set) {
          set = new Uint8Array(this.pages);
          this.s.sets.set(e.set, set);
        }
        for (const p of pagesOf(e.ranges)) set[p] = e.value;
        return none;
      }
      default:
        throw new Error(`oracle: no event kind ${(e as { kind: string }).kind}`);
    }
  }

  // ---- faults ----------------------------------------------------------------

  /** Returns the page where a MISSING userfault stopped the access, or -1. */
  private fault(
    access: "read" | "write" | "unshare",
    ranges: readonly number[],
    content: Content,
    pin = false,
  ): number {
    // FAULT_FLAG_UNSHARE exists from v5.19 (c89357e27f20).
    if (access === "unshare" && !this.since("5.19")) throw new Fail("EINVAL", ranges[0] ?? 0);
    if (access === "write") {
      // A write to a VMA that is not writable private memory: SIGSEGV (the model's -EFAULT).
      for (const p of pagesOf(ranges)) {
        const f = this.s.flags[p]!;
        if (!(f & VmFlag.WRITE) || !(f & (VmFlag.COW | VmFlag.SHMEM))) throw new Fail("EFAULT", p);
      }
    }
    const data = content === "data";
    for (let i = 0; i < ranges.length; i += 2) {
      const end = ranges[i]! + ranges[i + 1]!;
      let p = ranges[i]!;
      while (p < end) {
        const t = this.tableOf(p);
        const pieceEnd = Math.min(end, this.tablePages(t)[1]);
        const huge = this.X ? this.hugeFault(access, t, p, pieceEnd, data) : "pte";
        if (huge === "userfault") return p;
        if (huge === "handled") {
          p = pieceEnd;
          continue;
        }
        if (this.pteFault(access, p, data, pin)) return p;
        p++;
      }
    }
    return -1;
  }

  /**
   * x86_64 huge-PMD paths for pages [p, pieceEnd) of table t: "handled" when
   * the PMD level handled them all, "pte" when the PTE level must (after a split, if any),
   * "userfault" when the access stops at p with a MISSING userfault.
   */
  private hugeFault(
    access: string,
    t: number,
    p: number,
    pieceEnd: number,
    data: boolean,
  ): "handled" | "pte" | "userfault" {
    const s = this.s;
    const n = this.ptes;
    const [lo, hi] = this.tablePages(t);
    if (s.huge[t]) {
      const hugeZero = s.ptes[lo] === Pte.ZERO;
      if (access === "read" || !hugeZero) return "pte"; // present PMD: no fault, or a writable THP
      // do_huge_pmd_wp_page() on the huge zero PMD: since 1ced09e0331f (v6.13) a write allocates a
      // THP (do_huge_zero_wp_pmd), falling back to a split if that allocation fails.
      // ASSUMPTION (engine): an unshare fault splits (the model's unshare is PTE-level).
      if (access === "write" && atLeast(this.cfg.kernelVersion, 6, 13) && this.fits(n * PAGE_SIZE)) {
        this.charge(n * PAGE_SIZE, p);
        for (let q = lo; q < hi; q++) this.set(q, Pte.ANON_RW_ZERO, false);
        if (data) for (let q = p; q < pieceEnd; q++) this.set(q, Pte.ANON_RW_DATA, false);
        s.folio[t] = 1;
        return "handled";
      }
      s.huge[t] = 0; // __split_huge_pmd: 512 zeropage PTEs in the deposited table
      return "pte";
    }
    if (s.present[t] || !this.thpEligible(p) || !this.tableInOneVma(t)) return "pte";
    const cost = this.tableCost(t);
    // userfaultfd_missing(vma) on the huge path: the table (and THP) it prepared are freed again,
    // the upper levels stay, and the access stops (research Q2).
    const uffd = (s.flags[p]! & VmFlag.UFFD_MISSING) !== 0;
    if (access === "write") {
      // __do_huge_pmd_anonymous_page: THP + deposited table; if the THP does not fit, fall back.
      if (!this.fits(cost + n * PAGE_SIZE)) return "pte";
      if (uffd) {
        this.allocUpper(p);
        return "userfault";
      }
      this.allocTable(p);
      this.charge(n * PAGE_SIZE, p);
      s.huge[t] = 1;
      s.folio[t] = 1;
      for (let q = lo; q < hi; q++) this.set(q, Pte.ANON_RW_ZERO, false);
      if (data) for (let q = p; q < pieceEnd; q++) this.set(q, Pte.ANON_RW_DATA, false);
      return "handled";
    }
    if (!this.policy.hugeZeroPage) {
      // No huge zero page on this host: a read allocates a THP as a write does (or falls back).
      if (!this.fits(cost + n * PAGE_SIZE)) return "pte";
      if (uffd) {
        this.allocUpper(p);
        return "userfault";
      }
      this.allocTable(p);
      this.charge(n * PAGE_SIZE, p);
      s.huge[t] = 1;
      s.folio[t] = 1;
      for (let q = lo; q < hi; q++) this.set(q, Pte.ANON_RW_ZERO, false);
      return "handled";
    }
    // Read (or unshare, which is a read on a none PTE): huge zero PMD + deposited table.
    if (!this.fits(cost)) throw new Fail("ENOMEM", p); // pte_alloc_one() fails: VM_FAULT_OOM
    if (uffd) {
      this.allocUpper(p);
      return "userfault";
    }
    this.allocTable(p);
    s.huge[t] = 1;
    for (let q = lo; q < hi; q++) this.set(q, Pte.ZERO, false);
    return "handled";
  }

  /** One page through handle_pte_fault(). Returns true if a MISSING userfault stops the access. */
  private pteFault(access: string, p: number, data: boolean, pin = false): boolean {
    const s = this.s;
    const f = s.flags[p]!;
    const cow = (f & VmFlag.COW) !== 0;
    const old = s.ptes[p]!;
    if (f & VmFlag.SHMEM) {
      // shmem_fault(): a page the cache holds is mapped back; a hole gets a new page-cache page
      // (none is a MISSING userfault when registered). Mapped pages: a write changes content only.
      const target = access === "write" ? (data ? Pte.SHMEM_DATA : Pte.SHMEM_ZERO) : -1;
      if (old === Pte.NONE) {
        this.allocTable(p);
        if (f & VmFlag.UFFD_MISSING) return true;
        this.set(p, target >= 0 ? target : Pte.SHMEM_ZERO, true);
      } else if (isCachedOnly(old)) {
        const back = old === Pte.CACHED_DATA ? Pte.SHMEM_DATA : Pte.SHMEM_ZERO;
        this.set(p, target >= 0 ? target : back, false);
      } else if (target >= 0) this.set(p, target, false);
      return false;
    }
    if (access !== "write" && old !== Pte.NONE) {
      // Present: a read needs no fault. FAULT_FLAG_UNSHARE (COW only, sanitize_fault_flags) makes
      // zeropages and KSM pages exclusive, read-only; exclusive anon pages stay.
      if (access === "unshare" && cow && (isZero(old) || old === Pte.KSM))
        this.set(p, Pte.ANON_RO_ZERO, true);
      // A read-only FOLL_PIN (process_vm_readv) of a KSM page unshares it first (gup_must_unshare(),
      // with FAULT_FLAG_UNSHARE from v5.19).
      if (pin && cow && old === Pte.KSM && this.since("5.19")) this.set(p, Pte.ANON_RO_ZERO, true);
      return false;
    }
    if (old === Pte.NONE) {
      this.allocTable(p); // pte_alloc() comes before everything else
      if (!cow) {
        // Non-COW mapping (a DAX-like stand-in): the hole maps the zeropage (engine modelling choice).
        this.set(p, Pte.ZERO, false);
        return false;
      }
      if (f & VmFlag.UFFD_MISSING) return true; // handle_userfault(VM_UFFD_MISSING)
      if (access === "write") this.set(p, data ? Pte.ANON_RW_DATA : Pte.ANON_RW_ZERO, true);
      else if (!this.forbids() && this.policy.readFault) this.set(p, Pte.ZERO, false);
      else this.set(p, f & VmFlag.WRITE ? Pte.ANON_RW_ZERO : Pte.ANON_RO_ZERO, true);
      return false;
    }
    // Write to a present page: zeropage/KSM → new page (wp_page_copy); r/o exclusive anon → reuse;
    // writable → just the content.
    const allocates = isZero(old) || old === Pte.KSM;
    this.set(p, data ? Pte.ANON_RW_DATA : Pte.ANON_RW_ZERO, allocates);
    return false;
  }

  // ---- MADV_DONTNEED -------------------------------------------------------------

  private dontneed(ranges: readonly number[], callPages: number | undefined, madvise = true): void {
    const reclaim = madvise && this.X && atLeast(this.cfg.kernelVersion, 6, 14);
    for (let i = 0; i < ranges.length; i += 2) {
      const first = ranges[i]!;
      const end = first + ranges[i + 1]!;
      const step = callPages && callPages > 0 ? callPages : end - first;
      for (let c = first; c < end; c += step) {
        const cEnd = Math.min(end, c + step);
        // madvise_walk_vmas(): one zap per VMA piece of the call.
        let a = c;
        while (a < cEnd) {
          let b = a + 1;
          while (b < cEnd && this.s.flags[b] === this.s.flags[a]) b++;
          this.zapPiece(a, b, reclaim);
          a = b;
        }
      }
    }
  }

  private zapPiece(a: number, b: number, reclaim: boolean): void {
    const s = this.s;
    for (let t = this.tableOf(a); t <= this.tableOf(b - 1); t++) {
      if (!s.huge[t]) continue;
      const [lo, hi] = this.tablePages(t);
      if (a <= lo && b >= hi) {
        // zap_huge_pmd + zap_deposited_table: the PMD and its table go in one step.
        for (let q = lo; q < hi; q++) this.set(q, Pte.NONE, false);
        this.freeTable(t);
      } else {
        s.huge[t] = 0; // partial: __split_huge_pmd, then the PTEs below
      }
    }
    for (let q = a; q < b; q++) {
      // A memfd page is only unmapped: the page cache keeps it.
      const st = s.ptes[q]!;
      const to =
        st === Pte.SHMEM_ZERO
          ? Pte.CACHED_ZERO
          : st === Pte.SHMEM_DATA
            ? Pte.CACHED_DATA
            : isCachedOnly(st)
              ? st
              : Pte.NONE;
      this.set(q, to, false);
    }
    // A THP folio none of whose subpages is mapped any more is freed.
    for (let t = this.tableOf(a); t <= this.tableOf(b - 1); t++) {
      if (!s.folio[t]) continue;
      const [lo, hi] = this.tablePages(t);
      let anon = false;
      for (let q = lo; q < hi; q++) if (isAnon(s.ptes[q]!)) anon = true;
      if (!anon) s.folio[t] = 0;
    }
    if (!reclaim) return;
    // PT reclaim (x86_64 >= 6.14): the zap covered the table's whole PMD range and all is none.
    for (let t = this.tableOf(a); t <= this.tableOf(b - 1); t++) {
      const [lo, hi] = this.tablePages(t);
      if (!s.present[t] || !this.tableWhole(t) || a > lo || b < hi) continue;
      let empty = true;
      for (let q = lo; q < hi; q++) if (s.ptes[q] !== Pte.NONE) empty = false;
      if (empty) this.freeTable(t);
    }
  }

  // ---- VMA flags ------------------------------------------------------------------------------

  /**
   * Sets/clears flags on [first, first+count). Where that splits a VMA inside a huge PMD's range,
   * the PMD is split (split_vma → vma_adjust_trans_huge). A VMA is a maximal run of equal flags.
   */
  private changeFlags(first: number, count: number, set: number, clear: number): void {
    if (count === 0) return;
    const s = this.s;
    const end = first + count;
    const splitAt = (b: number, inside: number, outside: number) => {
      // `inside` is the changed page next to boundary b, `outside` the unchanged neighbour.
      if (b <= 0 || b >= this.pages) return;
      const f = s.flags[inside]!;
      if (s.flags[outside] !== f || ((f | set) & ~clear) === f) return;
      const t = this.tableOf(b);
      if (s.huge[t] && this.tablePages(t)[0] !== b) s.huge[t] = 0;
    };
    splitAt(first, first, first - 1);
    splitAt(end, end - 1, end);
    for (let p = first; p < end; p++) s.flags[p] = (s.flags[p]! | set) & ~clear;
  }

  private advise(
    advice: "hugepage" | "nohugepage" | "mergeable" | "unmergeable",
    ranges: readonly number[],
  ): void {
    if (advice === "unmergeable") this.unmerge([...pagesOf(ranges)]);
    for (let i = 0; i < ranges.length; i += 2) {
      const a = ranges[i]!;
      const n = ranges[i + 1]!;
      if (advice === "hugepage") this.changeFlags(a, n, VmFlag.HUGEPAGE, VmFlag.NOHUGEPAGE);
      else if (advice === "nohugepage") this.changeFlags(a, n, VmFlag.NOHUGEPAGE, VmFlag.HUGEPAGE);
      else if (advice === "mergeable") {
        // vma_ksm_compatible(): a shared (memfd) mapping never becomes VM_MERGEABLE.
        let p = a;
        while (p < a + n) {
          const shmem = this.s.flags[p]! & VmFlag.SHMEM;
          let q = p + 1;
          while (q < a + n && (this.s.flags[q]! & VmFlag.SHMEM) === shmem) q++;
          if (!shmem) this.changeFlags(p, q - p, VmFlag.MERGEABLE, 0);
          p = q;
        }
      } else this.changeFlags(a, n, 0, VmFlag.MERGEABLE);
    }
  }

  // ---- UFFDIO_ZEROPAGE / UFFDIO_COPY -----------------------------------------

  /** Returns EAGAIN for partial progress, null for all done; throws for no progress. */
  private mfill(first: number, count: number, content: Content | null): Errno | null {
    const s = this.s;
    if (count === 0) throw new Fail("EINVAL", first); // validate_range(): len 0
    for (let p = first; p < first + count; p++) {
      if (!(s.flags[p]! & VmFlag.UFFD_MISSING)) throw new Fail("ENOENT", p);
    }
    // UFFDIO_ZEROPAGE on shared memory came in v4.14.
    if (content === null && !this.since("4.14"))
      for (let p = first; p < first + count; p++) if (s.flags[p]! & VmFlag.SHMEM) throw new Fail("EINVAL", p);
    let done = 0;
    for (let p = first; p < first + count; p++) {
      if (s.ptes[p] !== Pte.NONE || s.huge[this.tableOf(p)]) {
        if (done === 0) throw new Fail("EEXIST", p);
        return "EAGAIN";
      }
      // mfill_atomic(): the page's table first, then the page. ASSUMPTION (transactions): when the
      // page does not fit, the table allocated for it is not kept either (the kernel keeps it).
      const shmem = (s.flags[p]! & VmFlag.SHMEM) !== 0;
      const placesZeropage =
        !shmem &&
        content === null &&
        !(this.forbids() && (this.C || this.variant === "s390-fa41ba0d-90a7592d")) &&
        (this.forbids() || this.policy.uffdZeropage);
      if (!this.fits(this.tableCost(this.tableOf(p)) + (placesZeropage ? 0 : PAGE_SIZE))) {
        if (done === 0) throw new Fail("ENOMEM", p);
        return "EAGAIN"; // out of memory after some progress: -EAGAIN with the bytes done
      }
      this.allocTable(p);
      // mfill_atomic_install_pte(): writable only with VM_WRITE.
      const w = (s.flags[p]! & VmFlag.WRITE) !== 0;
      const zero = w ? Pte.ANON_RW_ZERO : Pte.ANON_RO_ZERO;
      if (shmem) this.set(p, content === "data" ? Pte.SHMEM_DATA : Pte.SHMEM_ZERO, true);
      else if (content !== null)
        this.set(p, content === "data" ? (w ? Pte.ANON_RW_DATA : Pte.ANON_RO_DATA) : zero, true);
      else if (!placesZeropage)
        this.set(p, zero, true); // 90a7592da149: zeroed folio
      else this.set(p, Pte.ZERO_UFFD, false); // before 90a7592da149 even where forbidden (B)
      done++;
    }
    return null;
  }

  // ---- UFFDIO_MOVE ----------------------------------------------------------

  /** Whether the PMD table (lowest upper level) above page p's PTE table exists (mm_find_pmd()). */
  private pmdTable(p: number): boolean {
    const l = this.geometry.upper[0]!;
    const vpn = this.baseVpn + this.tablePages(this.tableOf(p))[0];
    return this.s.upper[0]!.has(Math.floor(vpn / 2 ** l.spanShift));
  }

  /**
   * move_pages(), page by page from the start: EAGAIN after partial progress, null when all moved;
   * throws when nothing moved. The page where it stops gets nothing (no table either).
   */
  private move(src: number, dst: number, count: number): Errno | null {
    const s = this.s;
    if (!this.since("6.8")) throw new Fail("EINVAL"); // userfaultfd_ioctl(): unknown command
    if (count === 0) throw new Fail("EINVAL"); // validate_range()
    // Each range inside one VMA (a maximal run of equal flags); validate_move_areas(): private
    // anonymous, VM_WRITE, the destination registered.
    const oneVma = (a: number) => {
      for (let p = a + 1; p < a + count; p++) if (s.flags[p] !== s.flags[a]) return false;
      return true;
    };
    if (!oneVma(src) || !oneVma(dst)) throw new Fail("EINVAL");
    for (const a of [src, dst])
      if (!(s.flags[a]! & VmFlag.COW) || !(s.flags[a]! & VmFlag.WRITE)) throw new Fail("EINVAL");
    if (!(s.flags[dst]! & VmFlag.UFFD_MISSING)) throw new Fail("EINVAL");
    const zeroMoves = this.since("6.9"); // eb1521dad8f3
    // Engine modelling choice: a THP the call would split (split_huge_pmd, split_folio) is refused
    // up front, judged on the state before the call.
    const n = this.ptes;
    const overlap = src < dst + count && dst < src + count;
    for (let p = src; p < src + count; p++) {
      const t = this.tableOf(p);
      if (!s.present[t]) continue;
      const [lo, hi] = this.tablePages(t);
      if (s.huge[t]) {
        if (p !== Math.max(lo, src)) continue;
        if (s.huge[this.tableOf(p + dst - src)]) continue; // -EEXIST comes first
        if (s.ptes[lo] === Pte.ZERO && !zeroMoves) continue; // -EBUSY, no split
        const q = lo + dst - src;
        const [dlo, dhi] = this.tablePages(this.tableOf(q));
        const whole =
          !overlap &&
          this.tableWhole(t) &&
          lo >= src &&
          hi <= src + count &&
          dlo === q &&
          dhi - dlo === n &&
          !s.present[this.tableOf(q)];
        if (!whole) throw new Fail("EINVAL");
      } else if (s.folio[t] && isAnon(s.ptes[p]!)) throw new Fail("EINVAL");
    }
    for (let q = dst; q < dst + count; q++) {
      const t = this.tableOf(q);
      if (s.folio[t] && !s.huge[t]) throw new Fail("EINVAL");
    }
    let done = 0;
    const stop = (errno: Errno, at: number): Errno => {
      if (done === 0) throw new Fail(errno, at);
      return "EAGAIN";
    };
    for (let i = 0; i < count; ) {
      const p = src + i;
      const q = dst + i;
      const ts = this.tableOf(p);
      const td = this.tableOf(q);
      if (!s.present[ts] && !this.pmdTable(p)) return stop("ENOENT", p);
      if (s.huge[td]) return stop("EEXIST", q);
      if (!s.present[ts]) return stop("ENOENT", p);
      if (s.huge[ts]) {
        // move_pages_huge_pmd(): the PMD and its deposited table; upper tables at the destination.
        const [lo, hi] = this.tablePages(ts);
        if (s.ptes[lo] === Pte.ZERO && !zeroMoves) return stop("EBUSY", p);
        const upper = this.tableCost(td) - this.geometry.pteTableMemBytes;
        if (!this.fits(upper)) return stop("ENOMEM", q);
        this.charge(upper, q);
        this.addUpper(td);
        for (let k = 0; k < hi - lo; k++) {
          this.set(q + k, s.ptes[lo + k]!, false);
          this.set(lo + k, Pte.NONE, false);
        }
        s.present[td] = 1;
        s.huge[td] = 1;
        s.folio[td] = s.folio[ts]!;
        this.tables++;
        this.freeTable(ts);
        i += hi - lo;
        done += hi - lo;
        continue;
      }
      // move_pages_ptes(): pte_alloc(dst), then the destination PTE, then the source's.
      if (!s.present[td] && !this.fits(this.tableCost(td))) return stop("ENOMEM", q);
      if (s.ptes[q] !== Pte.NONE) return stop("EEXIST", q);
      const v = s.ptes[p]!;
      if (v === Pte.NONE) return stop("ENOENT", p);
      if (isZero(v) ? !zeroMoves : !isAnon(v)) return stop("EBUSY", p);
      this.allocTable(q);
      // move_zeropage_pte(): a fresh zero-pfn PTE (a KSM one loses its mark, ksm_zero_pages keeps
      // counting it); move_present_ptes(): the page, writable at its new address.
      if (v === Pte.ZERO_KSM) s.ksmZeroLeaked++;
      const to =
        v === Pte.ZERO_KSM
          ? Pte.ZERO
          : v === Pte.ANON_RO_ZERO
            ? Pte.ANON_RW_ZERO
            : v === Pte.ANON_RO_DATA
              ? Pte.ANON_RW_DATA
              : v;
      this.set(q, to, false);
      this.set(p, Pte.NONE, false);
      i++;
      done++;
    }
    return null;
  }

  // ---- KSM ---------------------------------------------------------------------

  private ksmScan(): void {
    const s = this.s;
    if (!this.cfg.host.ksmRun) return;
    const useZero = this.cfg.host.ksmUseZeroPages && this.policy.ksm;
    const zeroAnon = (st: number) => st === Pte.ANON_RO_ZERO || st === Pte.ANON_RW_ZERO;
    const candidates = () => {
      const out: number[] = [];
      for (let p = 0; p < this.pages; p++)
        if (s.flags[p]! & VmFlag.MERGEABLE && zeroAnon(s.ptes[p]!)) out.push(p);
      return out;
    };
    let cands = candidates();
    // With use_zero_pages = 0 a zero-filled page needs a twin to merge with.
    if (cands.length === 0 || (!useZero && cands.length < 2)) return;
    // try_to_merge_one_page → split_huge_page: a THP holding a candidate is split first; since
    // b1f202060afe (v6.12) the split maps its zero-filled subpages to the shared zeropage.
    const split = new Set(cands.map((p) => this.tableOf(p)).filter((t) => s.folio[t]));
    for (const t of split) {
      s.huge[t] = 0;
      s.folio[t] = 0;
      if (!atLeast(this.cfg.kernelVersion, 6, 12)) continue;
      const [lo, hi] = this.tablePages(t);
      for (let q = lo; q < hi; q++) if (zeroAnon(s.ptes[q]!)) this.set(q, Pte.ZERO, false);
    }
    cands = candidates();
    if (!useZero && cands.length < 2) return;
    // Before v6.6 ksmd's zeropage is unmarked; before a38c015f3156 (taken as v4.17) RssAnon keeps it.
    for (const p of cands) {
      this.set(p, useZero ? (this.since("6.6") ? Pte.ZERO_KSM : Pte.ZERO) : Pte.KSM, false);
      if (useZero && !this.since("4.17")) this.s.rssKept++;
    }
  }

  /**
   * break_ksm() on each page: KSM pages, and (not in A) KSM-placed zeropages → anon r/o; in A
   * (before v6.2) a fake write fault, so KSM pages → anon writable.
   */
  private unmerge(pages: readonly number[]): void {
    for (const p of pages) {
      const st = this.s.ptes[p]!;
      // break_ksm(): a fake write fault before v6.2, an unshare fault since; KSM-placed zeropages
      // are marked and unshared only from v6.6.
      if (st === Pte.KSM && !this.since("6.2")) this.set(p, Pte.ANON_RW_ZERO, true);
      else if (st === Pte.KSM || (st === Pte.ZERO_KSM && this.since("6.6")))
        this.set(p, Pte.ANON_RO_ZERO, true);
    }
  }

  private ksmDisable(): void {
    this.unmerge([...Array(this.pages).keys()]);
    for (let p = 0; p < this.pages; p++) this.s.flags[p]! &= ~VmFlag.MERGEABLE;
  }

  // ---- s390 ----------------------------------------------------------------

  private createVm(): void {
    const s = this.s;
    if (this.X || s.hasPgste) return;
    s.hasPgste = true;
    for (let p = 0; p < this.pages; p++) s.flags[p] = (s.flags[p]! | VmFlag.NOHUGEPAGE) & ~VmFlag.HUGEPAGE;
    if (!this.B) return;
    for (let p = 0; p < this.pages; p++) {
      if (!isZero(s.ptes[p]!)) continue;
      // __zap_zero_pages() exchanges the PTE without ksm_might_unmap_zero_page(): still counted.
      if (s.ptes[p] === Pte.ZERO_KSM) s.ksmZeroLeaked++;
      this.set(p, Pte.NONE, false);
    }
  }

  /** C: __s390_disable_cow_sharing(). */
  private disableCowSharing(): void {
    const s = this.s;
    if (!s.allowCow) return;
    for (let p = 0; p < this.pages; p++) {
      if (isZero(s.ptes[p]!) && !(s.flags[p]! & VmFlag.COW)) throw new Fail("EFAULT");
    }
    s.allowCow = false;
    for (let p = 0; p < this.pages; p++) if (isZero(s.ptes[p]!)) this.set(p, Pte.ANON_RO_ZERO, true);
    this.ksmDisable();
  }

  private enableSkeys(): void {
    const s = this.s;
    if (this.X) throw new Fail("EINVAL");
    if (!s.hasPgste) throw new Fail("EINVAL"); // no KVM VM yet
    if (s.usesSkeys) return;
    s.usesSkeys = true;
    if (this.C) {
      this.disableCowSharing();
      return;
    }
    this.ksmDisable();
    if (this.A) for (let p = 0; p < this.pages; p++) if (isZero(s.ptes[p]!)) this.set(p, Pte.NONE, false);
  }

  private enablePv(): void {
    if (this.X || this.A) throw new Fail("EINVAL");
    if (!this.s.hasPgste) throw new Fail("EINVAL"); // no KVM VM yet
    if (this.s.pv) throw new Fail("EINVAL"); // kvm_s390_pv_is_protected(): already protected
    if (this.C) this.disableCowSharing();
    else this.ksmDisable();
    this.s.pv = true;
  }

  // ---- output ---------------------------------------------------------------------------------

  /** Same format as dump.ts dumpMm(), computed from the oracle's own arrays. */
  dump(): string {
    const s = this.s;
    const g = this.geometry;
    const lines: string[] = [];
    lines.push(
      `ctx has_pgste=${+s.hasPgste} uses_skeys=${+s.usesSkeys} allow_cow_sharing=${+s.allowCow} pv=${+s.pv}`,
    );
    const vmas: string[] = [];
    for (let a = 0; a < this.pages; ) {
      let b = a + 1;
      while (b < this.pages && s.flags[b] === s.flags[a]) b++;
      vmas.push(`[${a},+${b - a}):${flagsText(s.flags[a]!)}`);
      a = b;
    }
    lines.push(`vmas ${vmas.join(" ")}`);
    lines.push(
      `upper ${g.upper
        .map((l, i) => {
          const idx = [...s.upper[i]!].sort((x, y) => x - y);
          return `${l.name}: [${idx.join(",")}] x${idx.length}`;
        })
        .join("; ")}`,
    );
    for (let t = 0; t < s.present.length; t++) {
      const lo = (Math.floor(this.baseVpn / this.ptes) + t) * this.ptes - this.baseVpn;
      let row = "";
      for (let i = 0; i < this.ptes; i++) {
        const p = lo + i;
        if (p < 0 || p >= this.pages) row += " ";
        else row += s.present[t] ? stateChar(s.ptes[p]!) : "-";
      }
      lines.push(`t${t} ${s.present[t] ? (s.huge[t] ? "H" : "P") : "-"} |${row}|`);
    }
    const c = this.counters();
    lines.push(
      Object.entries(c)
        .map(([k, v]) => `${k}=${v}`)
        .join(" "),
    );
    return lines.join("\n");
  }

  /** The /proc counters (proc/status.ts names and order), from the per-page arrays. */
  counters(): Record<string, number> {
    const s = this.s;
    const g = this.geometry;
    let anon = 0;
    let ksm = 0;
    let zeroPtes = 0;
    let ksmZero = 0;
    let none = 0;
    let shmemMapped = 0;
    let cachedOnly = 0;
    for (let p = 0; p < this.pages; p++) {
      const st = s.ptes[p]!;
      if (isShmemMapped(st)) shmemMapped++;
      if (isCachedOnly(st)) cachedOnly++;
      if (isAnon(st)) anon++;
      if (st === Pte.KSM) ksm++;
      if (isZero(st) && !s.huge[this.tableOf(p)]) zeroPtes++;
      if (st === Pte.ZERO_KSM) ksmZero++;
      if (st === Pte.NONE) none++;
    }
    let tables = 0;
    let hugeZero = 0;
    let thp = 0;
    for (let t = 0; t < s.present.length; t++) {
      if (s.present[t]) tables++;
      if (s.huge[t]) {
        if (s.ptes[this.tablePages(t)[0]] === Pte.ZERO) hugeZero++;
        else thp++;
      }
    }
    let vmPte = tables * g.pteTableVmPteBytes;
    let ptMem = tables * g.pteTableMemBytes;
    g.upper.forEach((l, i) => {
      vmPte += s.upper[i]!.size * l.vmPteBytes;
      ptMem += s.upper[i]!.size * l.memBytes;
    });
    const shared = Math.ceil(ksm / MAX_SHARING);
    return {
      rssAnonBytes: (anon + ksm + s.rssKept) * PAGE_SIZE,
      vmPteBytes: vmPte,
      pageTableBytes: ptMem,
      pteTables: tables,
      zeropagePtes: zeroPtes,
      anonPages: anon,
      ksmPages: ksm,
      ksmPagesShared: shared,
      ksmPagesSharing: ksm - shared,
      ksmZeroPages: ksmZero + s.ksmZeroLeaked,
      hugeZeroPmds: hugeZero,
      thpPmds: thp,
      presentPages: this.pages - none - cachedOnly,
      hostMemBytes: (anon + shared + shmemMapped + cachedOnly) * PAGE_SIZE + ptMem,
      rssShmemBytes: shmemMapped * PAGE_SIZE,
      shmemBytes: (shmemMapped + cachedOnly) * PAGE_SIZE,
    };
  }

  /** Page sets as the dump prints them. */
  setsDump(): string[] {
    return [...this.s.sets.keys()].sort().map((k) => `set ${k} ${Array.from(this.s.sets.get(k)!).join("")}`);
  }
}
