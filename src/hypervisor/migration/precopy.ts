/**
 * QEMU precopy live migration (migration/ram.c; §7.2, §7.3, §10.2 events 14–15).
 *
 * Source: the bulk stage sends every page once, in address order. Sending reads the page:
 * save_zero_page() → buffer_is_zero() (or the multifd sender's zero check), and a page found to be
 * zero goes as an 8+1 byte RAM_SAVE_FLAG_ZERO record; any other page goes in full. On a host that
 * forbids the zeropage, this read of never-touched (e.g. ballooned) memory allocates: the heart of
 * 06201e00's story.
 *
 * Destination: fresh RAM. A zero record is handled by ram_handle_zero(): read the page, write only
 * if it is not zero already. That read maps the zeropage where allowed and allocates where not.
 * A normal page is written. With multifd and zero-page-detection=multifd, QEMU >= 9.1 does not touch
 * a zero page it has not received before (state.ts lists the cases).
 *
 * The user-space alternative in 06201e00's message (`pagemapCheck`): consult /proc/self/pagemap
 * before reading on the source, and before the zero check on the destination; pages that are not
 * present are zero and need no read.
 *
 * The source half (reading and sending) is in transfer.ts; migrate.ts runs the whole flow.
 */
import { dataRuns, presentRuns } from "../../engine/index.ts";
import { DESTINATION, type Machine } from "../machine.ts";
import { complementWithin, intersectRuns, pagesIn, setRuns } from "./runs.ts";
import { type MigrationState, RECEIVED_SET, zeroPageHandling } from "./state.ts";

/** ram_load_precopy() for one batch: zero records, then normal pages. */
export function loadPrecopy(m: Machine, s: MigrationState, zero: number[], data: number[]): boolean {
  const q = m.cfg.qemu;
  const dst = m.sim.world.mms[DESTINATION]!;
  if (zero.length > 0) {
    const how = zeroPageHandling(q);
    if (how === "read") {
      const toRead = s.pagemapCheck ? presentRuns(dst, zero) : zero;
      const cause = q.multifd
        ? "qemu (destination): multifd_recv_thread → multifd_recv_zero_page_process → buffer_is_zero (QEMU 9.0 reads every zero page)"
        : s.pagemapCheck
          ? "qemu (destination, proposed): pagemap says present → ram_handle_zero → buffer_is_zero"
          : "qemu (destination): ram_load_precopy → RAM_SAVE_FLAG_ZERO → ram_handle_zero → buffer_is_zero";
      if (
        toRead.length > 0 &&
        !m.access(DESTINATION, { kind: "fault", mm: DESTINATION, access: "read", ranges: toRead }, cause)
      )
        return false;
      if (s.pagemapCheck && pagesIn(toRead) < pagesIn(zero)) {
        m.apply(
          {
            kind: "pageset",
            mm: DESTINATION,
            set: "mig.pagemap-skipped",
            ranges: complementWithin(zero, toRead),
            value: 1,
          },
          "qemu (destination, proposed): pread(/proc/self/pagemap) → not present → already zero, no read",
        );
      }
      // ram_handle_zero(): memset only where the page held data (received before, now zero).
      const stale = dataRuns(dst, zero);
      if (
        stale.length > 0 &&
        !m.access(
          DESTINATION,
          { kind: "fault", mm: DESTINATION, access: "write", ranges: stale, content: "zero" },
          "qemu (destination): ram_handle_zero → memset(0)",
        )
      )
        return false;
    } else if (how === "mark-only") {
      const received = intersectRuns(zero, setRuns(m, DESTINATION, RECEIVED_SET, 1, 0, m.pages));
      if (
        received.length > 0 &&
        !m.access(
          DESTINATION,
          { kind: "fault", mm: DESTINATION, access: "write", ranges: received, content: "zero" },
          "qemu (destination): multifd_recv_zero_page_process → already received → memset(0)",
        )
      )
        return false;
      const fresh = complementWithin(zero, received);
      if (fresh.length > 0) {
        m.apply(
          { kind: "pageset", mm: DESTINATION, set: "mig.untouched-zero", ranges: fresh, value: 1 },
          "qemu (destination): multifd_recv_zero_page_process → not received yet → ramblock_recv_bitmap_set_offset, no memory access (QEMU >= 9.1)",
        );
      }
    } else if (how === "write") {
      if (
        !m.access(
          DESTINATION,
          { kind: "fault", mm: DESTINATION, access: "write", ranges: zero, content: "zero" },
          "qemu (destination): multifd_recv_zero_page_process → postcopy-ram on → memset(0) (QEMU >= 10.1)",
        )
      )
        return false;
    }
  }
  if (data.length > 0) {
    if (
      !m.access(
        DESTINATION,
        { kind: "fault", mm: DESTINATION, access: "write", ranges: data, content: "data" },
        "qemu (destination): ram_load_precopy → RAM_SAVE_FLAG_PAGE → qemu_get_buffer (writes the page)",
      )
    )
      return false;
  }
  return true;
}
