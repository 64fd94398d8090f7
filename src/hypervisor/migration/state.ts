/**
 * Migration state and QEMU's version-dependent choices (kernel-facts §7 and its review log §12).
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
 *   … ≥10.1 with postcopy-ram          zero pages are written (249543d0c02d)
 * zero-page-detection appeared in QEMU 9.0 with default "multifd"; before 9.0 detection is legacy.
 */
import type { Machine, QemuConfig } from "../machine.ts";

export const DIRTY_SET = "mig.dirty";
export const RECEIVED_SET = "mig.received";

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

function atLeast(version: string, major: number, minor: number): boolean {
  const [a, b] = version.split(".").map(Number) as [number, number];
  return a > major || (a === major && b >= minor);
}

export type ZeroHandling = "no-zero-pages" | "read" | "mark-only" | "write";

/** What the destination does with a zero page that has not been received before. */
export function zeroPageHandling(q: QemuConfig): ZeroHandling {
  if (q.zeroPageDetection === "none") return "no-zero-pages";
  if (!q.multifd || q.zeroPageDetection === "legacy") return "read";
  // multifd with detection in the sender threads
  // ASSUMPTION (§7.3, §12): 249543d0c02d's exact condition is unconfirmed; modelled as "multifd
  // receiver with the postcopy-ram capability on, QEMU >= 10.1".
  if (atLeast(q.version, 10, 1) && q.postcopyRam) return "write";
  if (atLeast(q.version, 9, 1)) return "mark-only";
  return "read";
}

/** The QEMU call path that checks a page for zeros on the source. */
export function sourceZeroCheckCause(q: QemuConfig): string {
  if (q.zeroPageDetection === "none")
    return "qemu: ram_save_target_page → ram_save_page → qemu_put_buffer (zero-page-detection=none: every page is read and sent in full)";
  if (q.multifd && q.zeroPageDetection === "multifd")
    return "qemu: multifd_send_thread → multifd_send_zero_page_detect → buffer_is_zero";
  return "qemu: ram_save_iterate → ram_find_and_save_block → ram_save_target_page_legacy → save_zero_page → buffer_is_zero";
}

/** The default zero-page-detection for a QEMU version (null before 9.0: the parameter did not exist). */
export function defaultZeroPageDetection(version: string): "multifd" | "legacy" {
  return atLeast(version, 9, 0) ? "multifd" : "legacy";
}

export function supportsZeroPageDetection(version: string): boolean {
  return atLeast(version, 9, 0);
}
