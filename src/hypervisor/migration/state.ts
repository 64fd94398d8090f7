/**
 * Migration state and QEMU's version-dependent choices (migration/ram.c, options.c,
 * multifd-zero-page.c, postcopy-ram.c of the versions named below).
 *
 * Page sets: "mig.dirty" on the source (1 = still to be sent: the bulk stage starts with every
 * page dirty, ram_block_add sets DIRTY_CLIENTS_ALL), "mig.received" on the destination (QEMU's
 * receive bitmap: 1 = placed, never requested again).
 *
 * Zero pages on the destination, by QEMU version and settings:
 *   zero-page-detection none           no zero pages exist: every page is sent and written in full
 *   no multifd, or detection legacy    RAM_SAVE_FLAG_ZERO → ram_handle_zero(): read, write if non-zero
 *   multifd + detection multifd, 9.0   multifd receiver reads every zero page (buffer_is_zero)
 *   multifd + detection multifd, ≥9.1  not yet received → only the receive bit, no memory access
 *                                      (5ef7e26bdb); already received → memset (a write)
 *   … ≥10.1 with postcopy-ram          zero pages are written (249543d0c02d); multifd with
 *                                      postcopy-ram is refused before 10.1 (migrate_caps_check)
 * zero-page-detection appeared in QEMU 9.0 with default "multifd"; before 9.0 detection is legacy.
 */
import type { Machine, QemuConfig } from "../machine.ts";

export const DIRTY_SET = "mig.dirty";
export const RECEIVED_SET = "mig.received";
/**
 * Destination pages the multifd receiver (QEMU 9.1 up to 249543d0c02d) marked received without
 * writing them: their PTE was never populated. 1 = marked only; cleared once the page is written.
 */
export const UNTOUCHED_ZERO_SET = "mig.untouched-zero";

export interface MigrationState {
  mode: "precopy" | "postcopy";
  phase: "precopy" | "postcopy" | "done";
  pagemapCheck: boolean;
  /** Pages of the bulk stage still to send, from this cursor on (address order). */
  cursor: number;
}

export function migrationOf(m: Machine): MigrationState | null {
  return m.migration as MigrationState | null;
}

/** The destination is in an incoming postcopy (balloon inhibited, uffd registered). */
export function postcopyIncomingActive(m: Machine): boolean {
  const s = migrationOf(m);
  return s !== null && s.phase === "postcopy";
}

/** Whether QEMU `version` ("9.2") is at least major.minor. */
export function qemuAtLeast(version: string, major: number, minor: number): boolean {
  const [a, b] = version.split(".").map(Number) as [number, number];
  return a > major || (a === major && b >= minor);
}

export type ZeroHandling = "no-zero-pages" | "read" | "mark-only" | "write";

/** What the destination does with a zero page that has not been received before. */
export function zeroPageHandling(q: QemuConfig): ZeroHandling {
  if (q.zeroPageDetection === "none") return "no-zero-pages";
  if (!q.multifd || q.zeroPageDetection === "legacy") return "read";
  // multifd with detection in the sender threads
  // 249543d0c02d (10.1): multifd_recv_zero_page_process() memsets a zero page when
  // migrate_postcopy_ram() || the page was received before; it sets the receive bit either way.
  // (Read from the v10 patch, merged unchanged in the "Migration 20250520" pull.)
  if (qemuAtLeast(q.version, 10, 1) && q.postcopyRam) return "write";
  if (qemuAtLeast(q.version, 9, 1)) return "mark-only";
  return "read";
}

/** The QEMU call path that checks a page for zeros on the source. */
export function sourceZeroCheckCause(q: QemuConfig): string {
  if (q.zeroPageDetection === "none")
    return "qemu: ram_save_target_page → ram_save_page → qemu_put_buffer (zero-page-detection=none: every page is read and sent in full)";
  if (q.multifd && q.zeroPageDetection === "multifd" && qemuAtLeast(q.version, 9, 0))
    return "qemu: multifd_send_thread → multifd_send_zero_page_detect → buffer_is_zero";
  // Multifd with legacy detection (or any multifd before 9.0) still checks for zeros in the
  // migration thread; only the pages found non-zero are queued for the multifd senders.
  if (q.multifd)
    return "qemu: ram_save_iterate → ram_find_and_save_block → save_zero_page → buffer_is_zero (migration thread; non-zero pages go to the multifd senders: ram_save_multifd_page)";
  return "qemu: ram_save_iterate → ram_find_and_save_block → ram_save_target_page_legacy → save_zero_page → buffer_is_zero";
}

/**
 * The destination's call paths for what arrives, by QEMU version and settings.
 *
 * Zero pages reach the multifd receiver only with multifd and detection "multifd" (QEMU >= 9.0:
 * multifd_send_zero_page_detect() sorts them into the packet). Otherwise (no multifd, detection
 * "legacy", or any multifd before 9.0, which had no zero-page detection of its own) the main
 * thread's save_zero_page() sends a RAM_SAVE_FLAG_ZERO record on the main channel, and
 * ram_load_precopy() hands it to ram_handle_zero(), called ram_handle_compressed() before 8.2.
 *
 * Normal pages travel on the multifd channels whenever multifd is on, whatever the detection:
 * multifd_recv_thread() → the nocomp method's recv hook reads them into guest RAM
 * (qio_channel_readv_all). The hook is multifd_nocomp_recv() in multifd-nocomp.c since 9.2
 * (40c9471e402c moved it there, 6f848dac4ac7 gave the ops their multifd_ prefix), nocomp_recv()
 * in multifd.c in 9.0 and 9.1, and nocomp_recv_pages() before.
 * ASSUMPTION (naming only): the 9.0 boundary of the nocomp_recv rename is inferred from the
 * mapped-ram series it came with, not read from a release tag.
 */
export interface LoadPaths {
  /** The zero check that reads a zero page (ram_handle_zero or the 9.0 multifd receiver). */
  readonly zeroRead: string;
  /** The write of a zero page that held data before (received earlier, sent again as zero). */
  readonly zeroMemset: string;
  /** A normal page: written in full. */
  readonly normal: string;
}

export function loadPaths(q: QemuConfig): LoadPaths {
  const multifdZero = q.multifd && q.zeroPageDetection === "multifd" && qemuAtLeast(q.version, 9, 0);
  const handleZero = qemuAtLeast(q.version, 8, 2) ? "ram_handle_zero" : "ram_handle_compressed";
  const recvHook = qemuAtLeast(q.version, 9, 2)
    ? "multifd_nocomp_recv"
    : qemuAtLeast(q.version, 9, 0)
      ? "nocomp_recv"
      : "nocomp_recv_pages";
  const mainChannel = !q.multifd
    ? ""
    : qemuAtLeast(q.version, 9, 0)
      ? " (multifd with zero-page-detection=legacy: zero pages go on the main channel)"
      : ` (multifd in QEMU ${q.version} has no zero-page detection of its own: zero pages go on the main channel)`;
  return {
    zeroRead: multifdZero
      ? "qemu (destination): multifd_recv_thread → multifd_recv_zero_page_process → buffer_is_zero (QEMU 9.0's multifd receiver reads every zero page; 5ef7e26bdb in 9.1 stops that)"
      : `qemu (destination): ram_load_precopy → RAM_SAVE_FLAG_ZERO → ${handleZero} → buffer_is_zero${mainChannel}`,
    zeroMemset: multifdZero
      ? "qemu (destination): multifd_recv_thread → multifd_recv_zero_page_process → memset(0)"
      : `qemu (destination): ${handleZero} → memset(0)`,
    normal: q.multifd
      ? `qemu (destination): multifd_recv_thread → ${recvHook} → qio_channel_readv_all (writes the page)`
      : "qemu (destination): ram_load_precopy → RAM_SAVE_FLAG_PAGE → qemu_get_buffer (writes the page)",
  };
}

/** The default zero-page-detection for a QEMU version (null before 9.0: the parameter did not exist). */
export function defaultZeroPageDetection(version: string): "multifd" | "legacy" {
  return qemuAtLeast(version, 9, 0) ? "multifd" : "legacy";
}

export function supportsZeroPageDetection(version: string): boolean {
  return qemuAtLeast(version, 9, 0);
}

/**
 * Whether QEMU accepts the multifd and postcopy-ram capabilities together. Until 10.1,
 * migrate_caps_check() (migration/options.c) refused the pair: "Postcopy is not yet compatible
 * with multifd". e27418861288 "migration: enable multifd and postcopy together" dropped that check
 * in the "Migration 20250520" pull, after 10.0 was released, together with 249543d0c02d (the
 * multifd receiver writes zero pages when postcopy-ram is on): both are in 10.1.
 */
export function allowsMultifdWithPostcopy(version: string): boolean {
  return qemuAtLeast(version, 10, 1);
}

/** The first QEMU release that accepts multifd with postcopy-ram (allowsMultifdWithPostcopy). */
export const MULTIFD_POSTCOPY_SINCE = "10.1";
