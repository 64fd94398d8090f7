/**
 * QEMU's migration counters under the names query-migrate prints (QAPI MigrationStats,
 * qapi/migration.json; filled in by populate_ram_info() from mig_stats, migration-stats.h):
 *   duplicate          zero pages sent as RAM_SAVE_FLAG_ZERO records or multifd zero entries.
 *                      QEMU's own counter is mig_stats.zero_pages; QMP still calls it duplicate.
 *   normal             pages sent in full
 *   transferred        bytes on the wire
 *   postcopy-requests  page requests the source received from the destination's fault thread
 *
 * Bytes per record: a page header is 8 bytes (offset | flags, save_page_header()); a zero page adds
 * one fill byte, a normal page its 4 KiB.
 * ASSUMPTION (modelling choice): the RAMBlock name QEMU adds to the first header of each block and
 * the section framing are left out; they are a few dozen bytes per migration.
 */
import { PAGE_SIZE } from "../../base/units.ts";
import type { ExtraKey, Machine } from "../machine.ts";

/** The query-migrate (QMP MigrationStats) field behind each of the model's migration counters. */
export const QUERY_MIGRATE_FIELDS = {
  migDuplicate: "duplicate",
  migNormal: "normal",
  migTransferredBytes: "transferred",
  migRequests: "postcopy-requests",
} as const satisfies Partial<Record<ExtraKey, string>>;

export const PAGE_HEADER_BYTES = 8;
export const ZERO_RECORD_BYTES = PAGE_HEADER_BYTES + 1;
export const NORMAL_RECORD_BYTES = PAGE_HEADER_BYTES + PAGE_SIZE;

export function countSent(m: Machine, zeroPages: number, normalPages: number): void {
  m.addExtra("migDuplicate", zeroPages);
  m.addExtra("migNormal", normalPages);
  m.addExtra("migTransferredBytes", zeroPages * ZERO_RECORD_BYTES + normalPages * NORMAL_RECORD_BYTES);
}

/** One page request from the destination (the source's mig_stats.postcopy_requests++). */
export function countRequest(m: Machine): void {
  m.addExtra("migRequests", 1);
}
