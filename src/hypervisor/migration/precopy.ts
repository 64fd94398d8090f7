/**
 * QEMU precopy live migration (migration/ram.c, migration/multifd-zero-page.c).
 *
 * Source: the bulk stage sends every page once, in address order. Sending reads the page:
 * save_zero_page() → buffer_is_zero() (or the multifd sender's zero check), and a page found to be
 * zero goes as an 8+1 byte RAM_SAVE_FLAG_ZERO record; any other page goes in full. On a host that
 * forbids the zeropage, this read of never-touched (e.g. ballooned) memory allocates: the heart of
 * 06201e00's story.
 *
 * Destination: fresh RAM. A zero record is handled by ram_handle_zero(): read the page, write only
 * if it is not zero already. That read maps the zeropage where allowed and allocates where not.
 * A normal page is written: by ram_load_precopy() from the main channel, or by a multifd receive
 * thread when multifd is on. With multifd and zero-page-detection=multifd, QEMU >= 9.1 does not
 * touch a zero page it has not received before (state.ts lists the cases and the call paths).
 *
 * The user-space alternative in 06201e00's message (`pagemapCheck`): consult /proc/self/pagemap
 * before reading on the source, and before the zero check on the destination; pages that are not
 * present are zero and need no read.
 *
 * The source half (reading and sending) is in transfer.ts; migrate.ts runs the whole flow.
 */
import { pagesIn, subtractRuns } from "../../base/runs.ts";
import { dataRuns, presentRuns } from "../../engine/index.ts";
import { DESTINATION, type Machine } from "../machine.ts";
import { setRunsWithin } from "./runs.ts";
import {
  loadPaths,
  type MigrationState,
  RECEIVED_SET,
  UNTOUCHED_ZERO_SET,
  zeroPageHandling,
} from "./state.ts";

/**
 * Pages of `runs` the multifd receiver had only marked received (UNTOUCHED_ZERO_SET) are written
 * now: they are no longer "received but never placed".
 */
function forgetUntouched(m: Machine, runs: number[]): void {
  const marked = setRunsWithin(m, DESTINATION, UNTOUCHED_ZERO_SET, 1, runs);
  if (marked.length === 0) return;
  m.apply(
    { kind: "pageset", mm: DESTINATION, set: UNTOUCHED_ZERO_SET, ranges: marked, value: 0 },
    "qemu (destination): the page is written now",
  );
}

/** ram_load_precopy() for one batch: zero records, then normal pages. */
export function loadPrecopy(m: Machine, s: MigrationState, zero: number[], data: number[]): boolean {
  const q = m.cfg.qemu;
  const paths = loadPaths(q);
  const dst = m.sim.world.mms[DESTINATION]!;
  if (zero.length > 0) {
    const how = zeroPageHandling(q);
    if (how === "read") {
      const toRead = s.pagemapCheck ? presentRuns(dst, zero) : zero;
      const cause = s.pagemapCheck
        ? `qemu (destination, proposed): pagemap says present → ${paths.zeroRead.replace(/^qemu \(destination\): /, "")}`
        : paths.zeroRead;
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
            ranges: subtractRuns(zero, toRead),
            value: 1,
          },
          "qemu (destination, proposed): pread(/proc/self/pagemap) → entry empty (neither present nor swapped) → already zero, no read",
        );
      }
      // ram_handle_zero(): memset only where the page held data (received before, now zero).
      const stale = dataRuns(dst, zero);
      if (
        stale.length > 0 &&
        !m.access(
          DESTINATION,
          { kind: "fault", mm: DESTINATION, access: "write", ranges: stale, content: "zero" },
          paths.zeroMemset,
        )
      )
        return false;
      forgetUntouched(m, zero);
    } else if (how === "mark-only") {
      const received = setRunsWithin(m, DESTINATION, RECEIVED_SET, 1, zero);
      if (
        received.length > 0 &&
        !m.access(
          DESTINATION,
          { kind: "fault", mm: DESTINATION, access: "write", ranges: received, content: "zero" },
          "qemu (destination): multifd_recv_thread → multifd_recv_zero_page_process → already received → memset(0)",
        )
      )
        return false;
      forgetUntouched(m, received);
      const fresh = subtractRuns(zero, received);
      if (fresh.length > 0) {
        m.apply(
          { kind: "pageset", mm: DESTINATION, set: UNTOUCHED_ZERO_SET, ranges: fresh, value: 1 },
          "qemu (destination): multifd_recv_thread → multifd_recv_zero_page_process → not received yet → ramblock_recv_bitmap_set_offset, no memory access (QEMU >= 9.1)",
        );
      }
    } else if (how === "write") {
      if (
        !m.access(
          DESTINATION,
          { kind: "fault", mm: DESTINATION, access: "write", ranges: zero, content: "zero" },
          "qemu (destination): multifd_recv_thread → multifd_recv_zero_page_process → postcopy-ram on → memset(0) (QEMU >= 10.1, 249543d0c02d)",
        )
      )
        return false;
      forgetUntouched(m, zero);
    }
  }
  if (data.length > 0) {
    if (
      !m.access(
        DESTINATION,
        { kind: "fault", mm: DESTINATION, access: "write", ranges: data, content: "data" },
        paths.normal,
      )
    )
      return false;
    forgetUntouched(m, data);
  }
  return true;
}
