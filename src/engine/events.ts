/**
 * Kernel events: the things that happen to an mm, as the engine's input.
 * The hypervisor layer (QEMU, the guest, KVM) expands scenario actions into these.
 *
 * Ranges are flat [first, count, ...] page ranges relative to the start of guest RAM. A range
 * event visits its pages in the order given.
 */
import type { Ranges } from "./apply.ts";

export type Content = "zero" | "data";

/** Who reads, where it is not a CPU load: madvise(MADV_POPULATE_READ) or read-only remote GUP. */
export type ReadVia = "populate_read" | "gup";

export type KernelEvent =
  /**
   * A read of each page of `ranges`, in order: a CPU access (guest vCPU or a QEMU thread), or, with
   * `via`, a kernel path that faults pages in for reading on the process's behalf:
   * MADV_POPULATE_READ, or read-only GUP from another process (process_vm_readv(), /proc/pid/mem).
   * All of them end in handle_mm_fault() without FAULT_FLAG_WRITE, so the same rules decide.
   */
  | { kind: "fault"; mm: number; access: "read"; ranges: Ranges; via?: ReadVia }
  /** `content` is what the page holds afterwards: "zero" zero-fills it, "data" writes non-zero bytes. */
  | { kind: "fault"; mm: number; access: "write"; ranges: Ranges; content: Content }
  /** handle_mm_fault(FAULT_FLAG_UNSHARE | FAULT_FLAG_REMOTE) on each page (GUP R/O pin, break_ksm). */
  | { kind: "fault"; mm: number; access: "unshare"; ranges: Ranges }
  /**
   * madvise(MADV_DONTNEED). Each range is one madvise() call unless `callPages` splits it into calls
   * of that many pages (QEMU's balloon discards one 4 KiB page per call).
   */
  | { kind: "madvise"; mm: number; advice: "dontneed"; ranges: Ranges; callPages?: number }
  | {
      kind: "madvise";
      mm: number;
      advice: "hugepage" | "nohugepage" | "mergeable" | "unmergeable";
      ranges: Ranges;
    }
  /**
   * s390: the guest released these pages with DIAGNOSE 0x10 (its CMM driver); KVM's
   * diag_release_pages() → gmap_discard() zaps them in the kernel, QEMU is not involved.
   */
  | { kind: "gmap_discard"; mm: number; ranges: Ranges }
  /**
   * fallocate(FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE) on the memfd behind guest RAM (QEMU's
   * ram_block_discard_range() for a RAM block with an fd): unmaps and frees (engine/shmem.ts).
   */
  | { kind: "punch_hole"; mm: number; ranges: Ranges }
  /** UFFDIO_REGISTER with UFFDIO_REGISTER_MODE_MISSING (QEMU ram_block_enable_notify). */
  | { kind: "uffd_register"; mm: number; ranges: Ranges }
  | { kind: "uffd_unregister"; mm: number; ranges: Ranges }
  /** One UFFDIO_ZEROPAGE ioctl over [first, first+count). */
  | { kind: "uffd_zeropage"; mm: number; first: number; count: number }
  /** One UFFDIO_COPY ioctl over [first, first+count) from a buffer holding `content`. */
  | { kind: "uffd_copy"; mm: number; first: number; count: number; content: Content }
  /**
   * One UFFDIO_MOVE ioctl (mode 0) by a thread of this mm's own process: moves the pages mapped at
   * [src, src+count) to [dst, dst+count), which must be registered with the userfaultfd
   * (engine/uffd-move.ts).
   */
  | { kind: "uffd_move"; mm: number; src: number; dst: number; count: number }
  /**
   * fork() of the process that owns this mm: dup_mmap() gives the child a copy of every VMA not
   * marked VM_DONTCOPY (engine/fork.ts). The model has no child mm.
   */
  | { kind: "fork"; mm: number }
  /** ksmd scans until every candidate page was seen twice with a stable checksum (cmp_and_merge_page()). */
  | { kind: "ksm_scan"; mm: number }
  /** ksm_disable(mm) / unmerge of all mergeable areas (MADV_UNMERGEABLE over everything). */
  | { kind: "ksm_disable"; mm: number }
  /** KVM_CREATE_VM: kvm_arch_init_vm() → s390_enable_sie(). */
  | { kind: "kvm_create_vm"; mm: number }
  /** First storage-key instruction (kvm_s390_skey_check_enable) or KVM_S390_SET_SKEYS. */
  | { kind: "enable_skeys"; mm: number; via: "instruction" | "set_skeys" }
  /** KVM_PV_ENABLE (kvm_s390_handle_pv). */
  | { kind: "enable_pv"; mm: number }
  /**
   * Bookkeeping outside the kernel: sets a named per-page flag (the guest's balloon, QEMU's
   * receive bitmap, ...) so that it is replayed and checkpointed with the kernel state.
   */
  | { kind: "pageset"; mm: number; set: string; ranges: Ranges; value: number }
  /** A step outside the kernel that changes nothing here (the guest moves, QEMU gives up): for the record. */
  | {
      kind: "note";
      mm: number;
      label: string;
      /**
       * The rule the step records, by id, when a room above the engine defines one for what it does
       * (QEMU's balloon_deflate_page hint); without it, the generic "outside the kernel" rule.
       */
      rule?: string;
    };

export type EventKind = KernelEvent["kind"];

export const EVENT_KINDS: readonly EventKind[] = [
  "fault",
  "madvise",
  "uffd_register",
  "uffd_unregister",
  "uffd_zeropage",
  "uffd_copy",
  "ksm_scan",
  "ksm_disable",
  "kvm_create_vm",
  "enable_skeys",
  "enable_pv",
  "pageset",
  "note",
  "gmap_discard",
  "uffd_move",
  "fork",
  "punch_hole",
];

/** A one-line name for an event, for lists and the CLI: "read fault", "MADV_DONTNEED", ... */
export function eventLabel(e: KernelEvent): string {
  switch (e.kind) {
    case "fault":
      if (e.access === "read") {
        return e.via === "populate_read"
          ? "MADV_POPULATE_READ"
          : e.via === "gup"
            ? "process_vm_readv (GUP read)"
            : "read fault";
      }
      return e.access === "write" ? "write fault" : "unshare fault";
    case "madvise":
      return `MADV_${e.advice.toUpperCase()}`;
    case "gmap_discard":
      return "DIAGNOSE 0x10 (gmap_discard)";
    case "punch_hole":
      return "fallocate(PUNCH_HOLE)";
    case "uffd_register":
      return "UFFDIO_REGISTER (MISSING)";
    case "uffd_unregister":
      return "UFFDIO_UNREGISTER";
    case "uffd_zeropage":
      return "UFFDIO_ZEROPAGE";
    case "uffd_copy":
      return "UFFDIO_COPY";
    case "uffd_move":
      return "UFFDIO_MOVE";
    case "fork":
      return "fork()";
    case "ksm_scan":
      return "ksmd merge pass";
    case "ksm_disable":
      return "KSM unmerge (ksm_disable)";
    case "kvm_create_vm":
      return "KVM_CREATE_VM";
    case "enable_skeys":
      return e.via === "instruction" ? "first storage-key instruction" : "KVM_S390_SET_SKEYS";
    case "enable_pv":
      return "KVM_PV_ENABLE";
    case "pageset":
      return `${e.set} = ${e.value}`;
    case "note":
      return e.label;
  }
}

/** The pages an event names up front (walks such as ksm_scan find theirs as they go). */
export function eventRanges(e: KernelEvent): Ranges {
  switch (e.kind) {
    case "fault":
    case "madvise":
    case "gmap_discard":
    case "punch_hole":
    case "uffd_register":
    case "uffd_unregister":
    case "pageset":
      return e.ranges;
    case "uffd_zeropage":
    case "uffd_copy":
      return [e.first, e.count];
    case "uffd_move":
      return [e.src, e.count, e.dst, e.count];
    default:
      return [];
  }
}
