/**
 * virtio-balloon (QEMU hw/virtio/virtio-balloon.c, system/physmem.c ram_block_discard_range()). Inflating, the guest's balloon driver
 * takes pages (free ones first; if it needs more, the guest reclaims pages it was using) and
 * reports their frame numbers; QEMU's virtio_balloon_handle_output() → balloon_inflate_page() →
 * ram_block_discard_range() then does madvise(MADV_DONTNEED) on each 4 KiB page of private
 * anonymous RAM: one call per page, which is why a balloon never frees a page table, even where
 * PT reclaim exists (v6.14).
 *
 * Deflating returns pages to the guest; QEMU only passes MADV_WILLNEED as a hint
 * (balloon_deflate_page), nothing is populated until the guest touches the pages.
 *
 * While virtio_balloon_inhibited() (discards disabled: a PV guest, s390_machine_protect() →
 * ram_block_discard_disable(); or an incoming postcopy in progress), only QEMU's half is skipped.
 * The check sits inside virtio_balloon_handle_output()'s loop over the reported PFNs, around the
 * balloon_inflate_page() / balloon_deflate_page() calls; the element is still consumed
 * (virtqueue_push) and the guest is told nothing. So the guest driver's side happens as usual: the
 * pages are in the balloon and counted (the guest updates `actual`), but the host keeps them
 * mapped, no MADV_DONTNEED (inflate) and no MADV_WILLNEED hint (deflate).
 */
import { normalizeRuns, pagesIn } from "../base/runs.ts";
import { defineRule, fr, step } from "../engine/rules.ts";
import { discardRange } from "./discard.ts";
import { GUEST_BALLOON, GUEST_FREE, GUEST_USED, guestRuns, markGuest, pickExtents } from "./guest.ts";
import type { Machine } from "./machine.ts";
import { postcopyIncomingActive } from "./migration/state.ts";

const INFLATE_CAUSE = "qemu: virtio_balloon_handle_output → balloon_inflate_page → ram_block_discard_range";

export const R_BALLOON_DEFLATE = defineRule({
  id: "qemu.balloon_deflate_page",
  title: "balloon deflate: pages go back to the guest (MADV_WILLNEED hint only)",
  path: [
    fr("qemu:hw/virtio/virtio-balloon.c", "balloon_deflate_page"),
    step("qemu_madvise(QEMU_MADV_WILLNEED)"),
  ],
  explain:
    "The guest may use these pages again. QEMU only hints the kernel; nothing is allocated until the guest touches them. A write allocates; a read maps the shared zeropage, except where the zeropage is forbidden (fa41ba0d's KVM guests, or keys or PV under 06201e00), where a read allocates too.",
});

/** Why inflation would be skipped now, or null. */
function inhibited(m: Machine): string | null {
  if (m.sim.world.mms[m.guestOn]!.ctx.pv) {
    return "virtio_balloon_inhibited(): discards are disabled for a protected (PV) guest (s390_machine_protect → ram_block_discard_disable)";
  }
  if (postcopyIncomingActive(m)) {
    return "virtio_balloon_inhibited(): an incoming postcopy is in progress (postcopy cannot deal with concurrent discards)";
  }
  return null;
}

export function balloonInflate(m: Machine, pages: number): void {
  const free = guestRuns(m, (s) => s === GUEST_FREE);
  const freePages = pagesIn(free);
  // Free pages first; then the guest reclaims used pages (page cache) to fill the balloon.
  let runs = pickExtents(m.prng, free, pages, m.extentRange);
  if (pages > freePages) {
    const used = guestRuns(m, (s) => s === GUEST_USED);
    runs = [...runs, ...pickExtents(m.prng, used, pages - freePages, m.extentRange)];
    runs = normalizeRuns(runs);
  }
  if (runs.length === 0) {
    m.sim.noteAction("the balloon found no page to take");
    return;
  }
  markGuest(
    m,
    runs,
    GUEST_BALLOON,
    "guest: virtio_balloon driver allocates the pages and reports their PFNs (inflate queue)",
  );
  const taken = pagesIn(runs);
  m.addExtra("balloonPages", taken);
  const why = inhibited(m);
  if (why) {
    // Record an event so the trace carries the new balloon count; the host maps the same pages.
    m.apply(
      { kind: "note", mm: m.guestOn, label: "balloon inflated, nothing discarded" },
      "qemu: virtio_balloon_handle_output → virtio_balloon_inhibited() → balloon_inflate_page skipped: the pages stay mapped on the host",
    );
    m.sim.noteAction(
      `the guest gave the balloon ${taken} pages, but QEMU discarded none of them: ${why}; ram_block_discard_range is skipped, the host keeps the memory`,
    );
    return;
  }
  discardRange(m, m.guestOn, runs, INFLATE_CAUSE, ", one 4 KiB page per call", 1);
}

export function balloonDeflate(m: Machine, pages: number): void {
  const why = inhibited(m);
  const inBalloon = guestRuns(m, (s) => s === GUEST_BALLOON);
  const runs = pickExtents(m.prng, inBalloon, pages, m.extentRange);
  if (runs.length === 0) {
    m.sim.noteAction("the balloon is empty");
    return;
  }
  const given = pagesIn(runs);
  m.addExtra("balloonPages", -given);
  markGuest(
    m,
    runs,
    GUEST_FREE,
    why
      ? "qemu: virtio_balloon_handle_output → virtio_balloon_inhibited() → balloon_deflate_page skipped (no MADV_WILLNEED hint); guest: pages are free again"
      : "qemu: virtio_balloon_handle_output → balloon_deflate_page → qemu_madvise(QEMU_MADV_WILLNEED); guest: pages are free again",
  );
  if (why) {
    m.sim.noteAction(`the guest took ${given} pages back from the balloon; QEMU skipped its hint: ${why}`);
    return;
  }
  m.apply(
    {
      kind: "note",
      mm: m.guestOn,
      label: "MADV_WILLNEED hint, nothing allocated",
      rule: R_BALLOON_DEFLATE.id,
    },
    "qemu: virtio_balloon_handle_output → balloon_deflate_page → qemu_madvise(QEMU_MADV_WILLNEED)",
  );
}
