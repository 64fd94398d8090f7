/**
 * QEMU postcopy live migration (migration/postcopy-ram.c, migration/ram.c).
 *
 * At the switch the guest starts running on the destination before its memory has arrived:
 * - the source sends the discard bitmap: pages sent earlier but dirtied since are discarded
 *   (MADV_DONTNEED) on the destination so that they fault as missing and come again;
 * - the destination registers guest RAM with userfaultfd in MISSING mode (ram_block_enable_notify);
 * - device state follows, including storage keys (KVM_S390_SET_SKEYS when the guest used them).
 *
 * Then pages arrive two ways: the source pushes the rest in the background, and a vCPU that
 * touches a missing page raises a userfault; the fault thread requests that page
 * (postcopy_request_page → migrate_send_rp_req_pages). Either way the destination places it with
 * UFFDIO_ZEROPAGE (all zero: postcopy_place_page_zero) or UFFDIO_COPY (postcopy_place_page) and
 * marks it received. "We must place a page" (06201e00): a zero page costs real memory wherever
 * UFFDIO_ZEROPAGE must not map the zeropage (90a7592da149).
 *
 * The source never sends a page twice unless it was dirtied again (get_queued_page skips pages that
 * are not dirty). A page that was placed and then emptied again on the destination (variant A
 * zapping zeropages when storage keys are enabled) therefore never arrives: the vCPU waits forever.
 * That is the 2018 hang fa41ba0d fixed.
 *
 * The same wait happens for a page QEMU marked received without ever placing it: the multifd
 * receiver of QEMU 9.1 only sets the receive bit for a zero page it has not seen before
 * (multifd_recv_zero_page_process, 5ef7e26bdb). With postcopy that page later faults as missing
 * and is never requested successfully. 249543d0c02d (QEMU 10.1) writes zero pages whenever
 * postcopy-ram is on, in the same pull that first allowed multifd with postcopy, so released
 * QEMUs never combine the two; scenarios reject the pair before 10.1 (compile.ts), and a Machine
 * built directly can still show it.
 */
import { intersectRuns } from "../../base/runs.ts";
import { discardRange } from "../discard.ts";
import { restoreSkeys } from "../kvm.ts";
import { DESTINATION, type Machine, PHASE, SOURCE } from "../machine.ts";
import { setRuns } from "./runs.ts";
import { DIRTY_SET, migrationOf, qemuAtLeast, RECEIVED_SET, UNTOUCHED_ZERO_SET } from "./state.ts";
import { countRequest } from "./stats.ts";

/** Sends pages from the source (transfer.ts), passed in to keep the modules acyclic. */
export type SendRuns = (runs: number[]) => boolean;

/** Places zero pages with UFFDIO_ZEROPAGE and data pages with UFFDIO_COPY, in address order. */
export function placeZeroAndCopy(m: Machine, zero: readonly number[], data: readonly number[]): boolean {
  const runs: { first: number; count: number; zero: boolean }[] = [];
  for (let i = 0; i < zero.length; i += 2) runs.push({ first: zero[i]!, count: zero[i + 1]!, zero: true });
  for (let i = 0; i < data.length; i += 2) runs.push({ first: data[i]!, count: data[i + 1]!, zero: false });
  runs.sort((a, b) => a.first - b.first);
  // QEMU places a zero page with UFFDIO_ZEROPAGE only where the registration offers it
  // (ram_block_enable_notify(): qemu_ram_set_uf_zeroable()); shmem offers it from v4.14 on, before
  // that QEMU copies a zeroed page (postcopy_place_page_zero()).
  const zeroable =
    m.cfg.qemu.memoryBackend !== "memfd" || m.sim.world.mms[DESTINATION]!.has("shmemUffdZeropage");
  for (const run of runs) {
    const viaCopy = run.zero && !zeroable;
    const r = viaCopy
      ? m.apply(
          { kind: "uffd_copy", mm: DESTINATION, first: run.first, count: run.count, content: "zero" },
          "qemu (destination): ram_load_postcopy → all_zero → postcopy_place_page_zero → !qemu_ram_is_uf_zeroable → postcopy_place_page (a zeroed page) → uffd_copy_page",
        )
      : run.zero
        ? m.apply(
            { kind: "uffd_zeropage", mm: DESTINATION, first: run.first, count: run.count },
            "qemu (destination): ram_load_postcopy → all_zero → postcopy_place_page_zero → qemu_ufd_copy_ioctl → uffd_zero_page",
          )
        : m.apply(
            { kind: "uffd_copy", mm: DESTINATION, first: run.first, count: run.count, content: "data" },
            "qemu (destination): ram_load_postcopy → postcopy_place_page → qemu_ufd_copy_ioctl → uffd_copy_page",
          );
    if (!r.ok) {
      if (r.errno === "ENOMEM") {
        m.fail(
          `QEMU on the destination could not place guest page ${run.first}: ${run.zero && !viaCopy ? "UFFDIO_ZEROPAGE" : "UFFDIO_COPY"} failed with -ENOMEM (the host's memory limit); the postcopy migration fails and the guest is lost`,
        );
      } else {
        m.fail(
          `placing guest page ${run.first} failed with -${r.errno}: QEMU treats it as an error and the postcopy migration fails`,
        );
      }
      return false;
    }
    if (r.errno === "EAGAIN") {
      // Partial progress: the pages before `stuck` were placed, the ioctl stopped at it.
      const done = r.rec.footprintPages;
      m.fail(
        `QEMU on the destination could not place guest page ${run.first + done}: ${run.zero && !viaCopy ? "UFFDIO_ZEROPAGE" : "UFFDIO_COPY"} stopped after ${done} of ${run.count} pages (${r.message}); QEMU treats -EAGAIN as an error and the postcopy migration fails`,
      );
      return false;
    }
    m.addExtra(run.zero && !viaCopy ? "migUffdZeropage" : "migUffdCopy", run.count);
  }
  return true;
}

/** migrate-start-postcopy: discard bitmap, userfaultfd registration, device state, the guest moves. */
export function switchToPostcopy(m: Machine, send: SendRuns): boolean {
  const s = migrationOf(m);
  if (!s) {
    m.fail("no migration is running");
    return false;
  }
  if (s.phase !== "precopy") return true;
  if (s.mode !== "postcopy") {
    m.fail("migrate-start-postcopy needs the postcopy-ram capability (migration mode postcopy)");
    return false;
  }
  // The first CMD_POSTCOPY_RAM_DISCARD (or, with nothing to discard, the LISTEN command) moves the
  // destination to POSTCOPY_INCOMING_DISCARD: postcopy_ram_prepare_discard() → nhp_range() turns
  // THP off for guest RAM now, not at setup, so what precopy placed keeps its huge pages.
  m.apply(
    { kind: "madvise", mm: DESTINATION, advice: "nohugepage", ranges: [0, m.pages] },
    "qemu (destination): loadvm_postcopy_ram_handle_discard (first discard; or loadvm_postcopy_handle_listen) → postcopy_ram_prepare_discard → nhp_range → qemu_madvise(QEMU_MADV_NOHUGEPAGE)",
  );
  // ram_postcopy_send_discard_bitmap(): sent pages dirtied since must come again.
  const redirtied = intersectRuns(
    setRuns(m, SOURCE, DIRTY_SET, 1, 0, m.pages),
    setRuns(m, DESTINATION, RECEIVED_SET, 1, 0, m.pages),
  );
  if (redirtied.length > 0) {
    discardRange(
      m,
      DESTINATION,
      redirtied,
      "qemu (destination): loadvm_postcopy_ram_handle_discard → ram_discard_range → ram_block_discard_range",
      "",
    );
    m.apply(
      { kind: "pageset", mm: DESTINATION, set: RECEIVED_SET, ranges: redirtied, value: 0 },
      "qemu (destination): the discarded pages are no longer received",
    );
  }
  m.apply(
    { kind: "uffd_register", mm: DESTINATION, ranges: [0, m.pages] },
    "qemu (destination): postcopy_ram_incoming_setup → ram_block_enable_notify → UFFDIO_REGISTER (MISSING)",
  );
  s.phase = "postcopy";
  m.setExtra("migPhase", PHASE.postcopy);
  m.guestOn = DESTINATION;
  m.setExtra("guestOn", DESTINATION);
  m.onUserfault = (page) => requestPage(m, page, send);
  m.apply(
    { kind: "note", mm: DESTINATION, label: "the guest runs on the destination (postcopy)" },
    "qemu: postcopy_start → the source stops the guest; the destination resumes it before its memory has arrived",
  );
  restoreSkeys(m, DESTINATION);
  return !m.halted;
}

/**
 * postcopy_ram_fault_thread: a vCPU faulted on a missing page. Request it; the source sends it
 * only if it is still dirty there. Returns true once the page is placed.
 *
 * A page QEMU already counts as received is never placed again, but how it fails depends on the
 * version: since 8f8bfffcf1b4 ("migration: Maintain postcopy faulted addresses", QEMU 5.2)
 * migrate_send_rp_req_pages() checks the receive bitmap and sends no request at all; before, the
 * request went out and the source's get_queued_page() → unqueue_page() dropped it because the
 * page was no longer dirty (the 2017 QEMU of fa41ba0d's hang).
 */
function requestPage(m: Machine, page: number, send: SendRuns): boolean {
  const received = setRuns(m, DESTINATION, RECEIVED_SET, 1, page, 1).length > 0;
  if (received && qemuAtLeast(m.cfg.qemu.version, 5, 2)) {
    m.apply(
      {
        kind: "note",
        mm: DESTINATION,
        label: `no page request for guest page ${page}: QEMU counts it received`,
      },
      "qemu (destination): postcopy_ram_fault_thread → postcopy_request_page → migrate_send_rp_req_pages → ramblock_recv_bitmap_test_byte_offset: already received, no request is sent",
    );
    m.hang(
      `a vCPU waits forever on guest page ${page}: it raised a MISSING userfault, but QEMU ${m.cfg.qemu.version} marks that page received and does not even request it again; ${whyMissing(m, page)}`,
    );
    return false;
  }
  countRequest(m);
  const stillDirty = setRuns(m, SOURCE, DIRTY_SET, 1, page, 1).length > 0;
  if (!stillDirty) {
    m.apply(
      { kind: "note", mm: DESTINATION, label: `page request for guest page ${page} goes unanswered` },
      "qemu (destination): postcopy_ram_fault_thread → postcopy_request_page → migrate_send_rp_req_pages; source: get_queued_page → unqueue_page drops a page that is no longer dirty",
    );
    m.hang(
      `a vCPU waits forever on guest page ${page}: it raised a MISSING userfault, but QEMU had already received that page and the source will not send it again; ${whyMissing(m, page)}`,
    );
    return false;
  }
  return send([page, 1]);
}

/** Why a page QEMU counts as received has an empty PTE on the destination. */
function whyMissing(m: Machine, page: number): string {
  if (setRuns(m, DESTINATION, UNTOUCHED_ZERO_SET, 1, page, 1).length > 0) {
    const v = m.cfg.qemu.version;
    return `it was a zero page that the multifd receiver of QEMU ${v} only marked received (multifd_recv_zero_page_process → ramblock_recv_bitmap_set_offset) and never placed, so its PTE was never populated. QEMU refuses multifd with postcopy-ram before 10.1, and 10.1 brings 249543d0c02d, which writes such zero pages whenever postcopy-ram is on.`;
  }
  const dst = m.sim.world.mms[DESTINATION]!;
  if (dst.variant.zapZeroOnSkeys && dst.ctx.usesSkeys) {
    return "enabling storage keys (2faee8ff: __s390_enable_skey) zapped the zeropage QEMU had placed there, so the PTE is empty again. This is the postcopy hang fa41ba0d fixed.";
  }
  return "the page was placed before and its PTE is empty again.";
}
