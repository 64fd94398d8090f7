/**
 * The machine a scenario runs on: QEMU with one guest on a source host and, once a migration
 * starts, a second QEMU on a destination host. It owns the Simulation (the kernel model) and the
 * state that lives outside the kernel: where the guest runs, its balloon, the migration, and the
 * outcome. Actors (guest.ts, balloon.ts, kvm.ts, migration/) act through it.
 *
 * Every kernel event goes through `apply()`, which records the QEMU or guest call path that caused
 * it, so narration can show both halves: "virtio_balloon_handle_output → ... → madvise" then the
 * kernel's "madvise_dontneed_single_vma → ...".
 *
 * Guest-side page sets live on mm 0 (the guest's physical memory is one thing, wherever it runs):
 *   "guest.used"  pages the guest has allocated and written
 *   "balloon"     pages the balloon holds
 * Migration page sets: "mig.dirty" on the source, "mig.received" on the destination.
 */
import { Prng } from "../base/prng.ts";
import { positionInRuns, truncateRuns } from "../base/runs.ts";
import { MiB, PAGE_SIZE } from "../base/units.ts";
import type { EventResult, HostZeropagePolicy, KernelEvent, MmConfig, VariantId } from "../engine/index.ts";
import { Simulation, VARIANTS, VmFlag } from "../engine/index.ts";

export const SOURCE = 0;
export const DESTINATION = 1;

/** Hypervisor counters recorded with every event (trace "extra" columns). */
export const EXTRA_KEYS = [
  "balloonPages",
  "guestOn",
  "migPhase",
  "migDuplicate",
  "migNormal",
  "migTransferredBytes",
  "migRequests",
  "migUffdZeropage",
  "migUffdCopy",
  "hung",
] as const;
export type ExtraKey = (typeof EXTRA_KEYS)[number];

/** migPhase values. */
export const PHASE = { none: 0, precopy: 1, postcopy: 2, done: 3, failed: 4 } as const;

export type Outcome = "completed" | "hung" | "failed";

export interface QemuConfig {
  readonly version: string;
  readonly multifd: boolean;
  readonly zeroPageDetection: "legacy" | "multifd" | "none";
  readonly postcopyRam: boolean;
  readonly memMerge: boolean;
  /** virtio-balloon free-page-reporting=on (free-page.ts). */
  readonly freePageReporting?: boolean;
  /** virtio-balloon free-page-hint=on (free-page.ts). */
  readonly freePageHinting?: boolean;
  /**
   * Guest RAM's backend: "ram" (memory-backend-ram: anonymous private memory, the default) or
   * "memfd" (memory-backend-memfd with share=on: a memfd mapped shared, engine/shmem.ts).
   */
  readonly memoryBackend?: "ram" | "memfd";
}

export interface MachineConfig {
  readonly kernel: VariantId;
  readonly kernelVersion: string;
  readonly guestPages: number;
  readonly sourceLimitBytes: number;
  readonly destinationLimitBytes: number;
  readonly thp: "always" | "madvise" | "never";
  readonly ksmEnabled: boolean;
  readonly ksmUseZeroPages: boolean;
  /** Both hosts' kernel zeropage policy (x86_64 only; s390 hosts always run upstream's). */
  readonly hostZeropage?: HostZeropagePolicy;
  readonly qemu: QemuConfig;
  /** Whether the scenario ever migrates: then the world has a destination mm. */
  readonly withDestination: boolean;
  /** false: the run keeps no checkpoints for seeking (Simulation), for a caller that never seeks. */
  readonly checkpoints?: boolean;
  readonly seed: number;
}

export class Machine {
  readonly sim: Simulation;
  readonly prng: Prng;
  readonly cfg: MachineConfig;
  /** mm index the guest runs on. */
  guestOn = SOURCE;
  outcome: Outcome = "completed";
  outcomeReason = "";
  /** Set after a hang or a failure: later actions do not run. */
  halted = false;
  /** QEMU on the destination has started (created its VM and RAM). */
  destinationStarted = false;
  /** Migration state, owned by migration/. */
  migration: unknown = null;
  /**
   * Who answers a userfault on the guest's mm (QEMU's postcopy fault thread while postcopy runs).
   * Returns true once the page is placed, false if it never will be (the vCPU hangs).
   */
  onUserfault: ((page: number) => boolean) | null = null;

  constructor(cfg: MachineConfig) {
    this.cfg = cfg;
    this.prng = new Prng(cfg.seed);
    const base = (name: string, limit: number): MmConfig => ({
      name,
      host: {
        name,
        memLimitBytes: limit,
        ksmRun: cfg.ksmEnabled,
        ksmUseZeroPages: cfg.ksmUseZeroPages,
        thp: VARIANTS[cfg.kernel].arch === "x86_64" ? cfg.thp : "never",
        ...(cfg.hostZeropage && VARIANTS[cfg.kernel].arch === "x86_64" ? { zeropage: cfg.hostZeropage } : {}),
      },
      variant: cfg.kernel,
      kernelVersion: cfg.kernelVersion,
      pages: cfg.guestPages,
      // memory-backend-memfd,share=on: qemu_ram_mmap() maps the memfd MAP_SHARED; otherwise
      // private anonymous memory. Either way ram_block_add() → qemu_ram_apply_settings() marks it
      // QEMU_MADV_DONTFORK (VM_DONTCOPY, system/physmem.c): a fork of QEMU copies none of it.
      vmaFlags:
        (cfg.qemu.memoryBackend === "memfd" ? VmFlag.WRITE | VmFlag.SHMEM : VmFlag.WRITE | VmFlag.COW) |
        VmFlag.DONTCOPY,
    });
    const mms = [base("source", cfg.sourceLimitBytes)];
    if (cfg.withDestination) mms.push(base("destination", cfg.destinationLimitBytes));
    this.sim = new Simulation(mms, EXTRA_KEYS, { checkpoints: cfg.checkpoints ?? true });
  }

  get pages(): number {
    return this.cfg.guestPages;
  }

  get arch(): "s390x" | "x86_64" {
    return VARIANTS[this.cfg.kernel].arch;
  }

  /** Pages per migration/balloon work chunk: ~64 chunks per guest, at least one page table. */
  get chunkPages(): number {
    const ptes = this.arch === "s390x" ? 256 : 512;
    const target = Math.max(ptes, Math.ceil(this.pages / 64));
    return Math.min(this.pages, 2 ** Math.ceil(Math.log2(target)));
  }

  /** Extent sizes the PRNG draws for the guest's allocations and the balloon (pages). */
  get extentRange(): [number, number] {
    const min = Math.max(4, Math.floor(this.pages / 2 ** 17));
    const max = Math.max(min * 4, Math.floor(this.pages / 128), (2 * MiB) / PAGE_SIZE);
    return [min, max];
  }

  setExtra(key: ExtraKey, value: number): void {
    this.sim.setExtra(key, value);
  }

  addExtra(key: ExtraKey, delta: number): void {
    this.sim.setExtra(key, this.sim.getExtra(key) + delta);
  }

  extra(key: ExtraKey): number {
    return this.sim.getExtra(key);
  }

  /** Applies a kernel event caused by `cause` (a QEMU or guest call path). */
  apply(e: KernelEvent, cause: string, recordFailure = true): EventResult {
    return this.sim.apply(e, { cause, recordFailure });
  }

  /**
   * Faults `ranges` in order on behalf of a user-space access that cannot fail gracefully (a QEMU
   * thread or a vCPU). If the host runs out of memory, the pages before the failing one are
   * faulted (as the kernel would), the failing fault is recorded, and the process is OOM-killed:
   * the run ends with outcome "failed". Returns the result of the last event, or null on OOM.
   */
  access(mm: number, e: KernelEvent & { kind: "fault" }, cause: string): EventResult | null {
    const r = this.apply(e, cause, false);
    if (r.ok) return r;
    if (r.errno !== "ENOMEM") return this.apply(e, cause);
    // The event was all-or-nothing and left out of the trace: record the part that fits, then the
    // fault that fails.
    const before = positionInRuns(e.ranges, r.failedAt);
    if (before > 0) this.apply({ ...e, ranges: truncateRuns(e.ranges, before) }, cause);
    this.apply({ ...e, ranges: [r.failedAt, 1] }, cause);
    const who = mm === SOURCE ? "source" : "destination";
    this.fail(
      `QEMU on the ${who} host was killed by the OOM killer: a ${e.access} fault at guest page ${r.failedAt} could not allocate (VM_FAULT_OOM → pagefault_out_of_memory), the host's memory limit was reached`,
      mm,
    );
    return null;
  }

  fail(reason: string, mm = this.guestOn): void {
    this.outcome = "failed";
    this.outcomeReason = reason;
    this.halted = true;
    this.setExtra("migPhase", this.extra("migPhase") === PHASE.none ? PHASE.none : PHASE.failed);
    // Record an event so that the trace ends on the failure (and carries the last counters).
    this.apply({ kind: "note", mm, label: "the run stops here" }, `outcome: ${reason}`);
    this.sim.noteAction(reason);
  }

  hang(reason: string): void {
    this.outcome = "hung";
    this.outcomeReason = reason;
    this.halted = true;
    // Extra counters are recorded with the next event: record one, so the trace shows the hang.
    this.setExtra("hung", 1);
    this.apply(
      { kind: "note", mm: this.guestOn, label: "the vCPU hangs" },
      "guest: the vCPU waits for a userfault that nobody will resolve",
    );
    this.sim.noteAction(reason);
  }
}
