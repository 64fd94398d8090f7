/**
 * QEMU's migration counters as query-migrate reports them (migration/migration-stats.h):
 *   duplicate    zero pages sent as RAM_SAVE_FLAG_ZERO records ("zero-pages" in newer QMP)
 *   normal       pages sent in full
 *   transferred  bytes on the wire
 *
 * Bytes per record: a page header is 8 bytes (offset | flags, save_page_header()); a zero page adds
 * one fill byte, a normal page its 4 KiB.
 * ASSUMPTION (modelling choice): the RAMBlock name QEMU adds to the first header of each block and
 * the section framing are left out; they are a few dozen bytes per migration.
 */
import type { Machine } from "../machine.ts";

export const PAGE_HEADER_BYTES = 8;
export const ZERO_RECORD_BYTES = PAGE_HEADER_BYTES + 1;
export const NORMAL_RECORD_BYTES = PAGE_HEADER_BYTES + 4096;

export function countSent(m: Machine, zeroPages: number, normalPages: number): void {
  m.addExtra("migDuplicate", zeroPages);
  m.addExtra("migNormal", normalPages);
  m.addExtra("migTransferredBytes", zeroPages * ZERO_RECORD_BYTES + normalPages * NORMAL_RECORD_BYTES);
}
