/**
 * The source side of RAM migration (migration/ram.c): find dirty pages in address order, read
 * each one to send it (save_zero_page → buffer_is_zero, or the multifd sender's check, or a full
 * page with zero-page-detection=none), count it as a zero page ("duplicate") or a normal page, clear
 * its dirty bit, and hand the batch to the destination: ram_load_precopy() before the switch to
 * postcopy (precopy.ts), UFFDIO_ZEROPAGE / UFFDIO_COPY after it (postcopy.ts).
 *
 * Work is done in chunks of machine.chunkPages pages: for each chunk the source sends, then the
 * destination loads, so the two hosts fill up side by side as in a real migration.
 */
import { pagesIn, subtractRuns, truncateRuns } from "../../base/runs.ts";
import { dataRuns, presentRuns } from "../../engine/index.ts";
import { DESTINATION, type Machine, SOURCE } from "../machine.ts";
import { placeZeroAndCopy } from "./postcopy.ts";
import { loadPrecopy } from "./precopy.ts";
import { setRuns } from "./runs.ts";
import { DIRTY_SET, type MigrationState, migrationOf, RECEIVED_SET, sourceZeroCheckCause } from "./state.ts";
import { countSent } from "./stats.ts";

/**
 * Sends up to `maxPages` dirty pages, in address order from the cursor, wrapping to the start for
 * pages dirtied behind it. Returns false if the run stopped (OOM, failure).
 */
export function sendPages(m: Machine, maxPages: number): boolean {
  const s = migrationOf(m);
  if (!s) return true;
  const chunk = m.chunkPages;
  let budget = maxPages;
  let wrapped = false;
  while (budget > 0) {
    if (s.cursor >= m.pages) {
      if (wrapped || pagesIn(setRuns(m, SOURCE, DIRTY_SET, 1, 0, m.pages)) === 0) break;
      s.cursor = 0;
      wrapped = true;
    }
    const first = s.cursor;
    const count = Math.min(chunk, m.pages - first);
    let dirty = setRuns(m, SOURCE, DIRTY_SET, 1, first, count);
    const inChunk = pagesIn(dirty);
    if (inChunk > budget) dirty = truncateRuns(dirty, budget);
    const sent = pagesIn(dirty);
    if (sent > 0) {
      if (!sendRuns(m, s, dirty)) return false;
      budget -= sent;
    }
    if (sent === inChunk) s.cursor = first + count;
  }
  return true;
}

/** Sends `dirty` (sorted runs) from the source and loads or places them on the destination. */
export function sendRuns(m: Machine, s: MigrationState, dirty: number[]): boolean {
  const q = m.cfg.qemu;
  const readCause = sourceZeroCheckCause(q);
  const checkPagemap = s.pagemapCheck && q.zeroPageDetection !== "none";
  const toRead = checkPagemap ? presentRuns(m.sim.world.mms[SOURCE]!, dirty) : dirty;
  if (checkPagemap && pagesIn(toRead) < pagesIn(dirty)) {
    m.apply(
      {
        kind: "pageset",
        mm: SOURCE,
        set: "mig.pagemap-skipped",
        ranges: subtractRuns(dirty, toRead),
        value: 1,
      },
      "qemu (proposed): pread(/proc/self/pagemap) → entry empty (neither present nor swapped) → send as a zero page without reading it",
    );
  }
  if (
    toRead.length > 0 &&
    !m.access(SOURCE, { kind: "fault", mm: SOURCE, access: "read", ranges: toRead }, readCause)
  )
    return false;
  // buffer_is_zero() decides: zero pages go as RAM_SAVE_FLAG_ZERO records, the rest in full.
  const data = q.zeroPageDetection === "none" ? dirty : dataRuns(m.sim.world.mms[SOURCE]!, dirty);
  const zero = subtractRuns(dirty, data);
  countSent(m, pagesIn(zero), pagesIn(data));
  m.apply(
    { kind: "pageset", mm: SOURCE, set: DIRTY_SET, ranges: dirty, value: 0 },
    "qemu: migration_bitmap_clear_dirty → the page is sent",
  );
  const loaded = s.phase === "postcopy" ? placeZeroAndCopy(m, zero, data) : loadPrecopy(m, s, zero, data);
  if (!loaded) return false;
  m.apply(
    { kind: "pageset", mm: DESTINATION, set: RECEIVED_SET, ranges: dirty, value: 1 },
    "qemu (destination): ramblock_recv_bitmap_set → received",
  );
  return true;
}
