/**
 * virtio-balloon's two ways besides inflating to tell the host about free guest memory
 * (QEMU hw/virtio/virtio-balloon.c):
 *
 * Free page reporting (`free-page-reporting=on`, QEMU 5.1; guest mm/page_reporting.c, v5.7): the
 * guest reports free buddy blocks of at least page_reporting_order (pageblock_order by default:
 * 2 MiB on x86_64, 1 MiB on s390, one PTE table either way), and virtio_balloon_handle_report()
 * discards each with one ram_block_discard_range() call: one madvise(MADV_DONTNEED) of the whole
 * block. Unlike the balloon's 4 KiB calls, a whole-table call lets x86_64's PT reclaim (v6.14) free
 * the page table too. Reported pages stay on the guest's free lists and are reused like any free
 * page: their next touch faults like a first one. Skipped while virtio_balloon_inhibited().
 *
 * Free page hinting (`free-page-hint=on`, QEMU 4.0; guest v4.20): during precopy the guest hints
 * its free pages and qemu_guest_free_page_hint() clears their bits in the migration's dirty bitmap,
 * so precopy neither reads nor sends them. Nothing is discarded on the source. QEMU does not start
 * hinting when postcopy-ram is on ("virtio-balloon: don't start free page hinting if postcopy is
 * possible", 2021): a hinted page would never be sent, and a postcopy fault on it would wait.
 *
 * Neither touches the pages the balloon holds: they are allocated (by the balloon driver), not free.
 *
 * ASSUMPTION (modelling choice): the guest reports every fully free aligned block each time memory
 * is freed, where the real one reports only blocks freed since its last report. Reporting a block
 * again zaps PTEs that are already none, which changes nothing.
 */
import { appendRun } from "../base/runs.ts";
import { discardRange } from "./discard.ts";
import { GUEST_FREE, GUEST_USED, guestRuns, markGuest, pickExtents } from "./guest.ts";
import { type Machine, SOURCE } from "./machine.ts";
import { DIRTY_SET, postcopyIncomingActive } from "./migration/state.ts";

/** page_reporting_order's default, pageblock_order: one PTE table (512 pages x86_64, 256 s390). */
export function reportingBlockPages(m: Machine): number {
  return m.arch === "x86_64" ? 512 : 256;
}

/** Aligned blocks of `block` pages lying wholly inside the runs. */
function wholeBlocks(runs: readonly number[], block: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < runs.length; i += 2) {
    const end = runs[i]! + runs[i + 1]!;
    const first = Math.ceil(runs[i]! / block) * block;
    const last = Math.floor(end / block) * block;
    appendRun(out, first, last - first);
  }
  return out;
}

/** The guest's page_reporting reports its free blocks; QEMU discards each (unless inhibited). */
export function reportFreePages(m: Machine): void {
  const block = reportingBlockPages(m);
  const blocks = wholeBlocks(
    guestRuns(m, (s) => s === GUEST_FREE),
    block,
  );
  if (blocks.length === 0) {
    m.sim.noteAction(`the guest has no wholly free ${block === 512 ? "2 MiB" : "1 MiB"} block to report`);
    return;
  }
  const pv = m.sim.world.mms[m.guestOn]!.ctx.pv;
  if (pv || postcopyIncomingActive(m)) {
    m.apply(
      { kind: "note", mm: m.guestOn, label: "free pages reported, nothing discarded" },
      "qemu: virtio_balloon_handle_report → virtio_balloon_inhibited(): the report is dropped, the host keeps the memory",
    );
    return;
  }
  discardRange(
    m,
    m.guestOn,
    blocks,
    "guest: page_reporting reports free blocks (page_reporting_order = pageblock_order); qemu: virtio_balloon_handle_report → ram_block_discard_range",
    `, one ${block === 512 ? "2 MiB" : "1 MiB"} block per call`,
    block,
  );
}

/** guest-free: the guest frees `pages` of its used memory; with reporting on, reports what it can. */
export function guestFree(m: Machine, pages: number): void {
  const used = guestRuns(m, (s) => s === GUEST_USED);
  const runs = pickExtents(m.prng, used, pages, m.extentRange);
  if (runs.length === 0) {
    m.sim.noteAction("the guest has no memory in use to free");
    return;
  }
  markGuest(
    m,
    runs,
    GUEST_FREE,
    "guest: frees memory: the pages go back to its free lists (the host still holds them)",
  );
  if (m.cfg.qemu.freePageReporting) reportFreePages(m);
}

/**
 * Free page hinting at the start of a precopy migration: the guest's free pages leave the dirty
 * bitmap, so precopy never reads them. Returns without effect (and says why) under postcopy-ram.
 */
export function hintFreePages(m: Machine): void {
  if (!m.cfg.qemu.freePageHinting) return;
  if (m.cfg.qemu.postcopyRam) {
    m.sim.noteAction(
      "free page hinting does not start: postcopy-ram is on (a hinted page would never be sent, and a postcopy fault on it would wait)",
    );
    return;
  }
  const free = guestRuns(m, (s) => s === GUEST_FREE);
  if (free.length === 0) return;
  m.apply(
    { kind: "pageset", mm: SOURCE, set: DIRTY_SET, ranges: free, value: 0 },
    "qemu: virtio_balloon_free_page_hint_notify → virtio_balloon_free_page_start; guest: hints its free pages; qemu: get_free_page_hints → qemu_guest_free_page_hint clears their dirty bits: precopy will not read or send them",
  );
}
