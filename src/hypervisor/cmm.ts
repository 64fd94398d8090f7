/**
 * s390 collaborative memory management (CMM), the guest's other balloon: the `cmm` module
 * (arch/s390/mm/cmm.c, cmm_alloc_pages()) takes free guest pages and tells the hypervisor with
 * DIAGNOSE 0x10 (diag10_range()) that their content may go. Under KVM the diagnose is handled in
 * the host kernel: diag_release_pages() → gmap_discard() zaps the host PTEs (the engine's
 * gmap_discard event). QEMU never sees it, so nothing QEMU does to protect an incoming postcopy
 * (virtio_balloon_inhibited() and its siblings) applies.
 *
 * Giving the pages back (cmm_free_pages()) is the guest freeing them: the host is not told, and
 * the next touch faults like a first one. During an incoming postcopy that touch is a MISSING
 * userfault; if QEMU had already placed the page (it counts it received), no one will place it
 * again and the vCPU waits for ever, on any s390 kernel: 06201e00 fixed the zeropage's part of
 * that story, not this one. (Inferred from the code paths above; stated as the gmap_discard rule's
 * assumption.)
 */
import { pagesIn } from "../base/runs.ts";
import { GUEST_CMM, GUEST_FREE, guestRuns, markGuest, pickExtents } from "./guest.ts";
import type { Machine } from "./machine.ts";

/** guest-cmm-release: the CMM driver takes `pages` free guest pages and releases them (DIAG 0x10). */
export function cmmRelease(m: Machine, pages: number): void {
  if (m.arch !== "s390x") {
    m.fail("CMM (DIAGNOSE 0x10) is an s390 guest's: this machine is x86_64");
    return;
  }
  const free = guestRuns(m, (s) => s === GUEST_FREE);
  const runs = pickExtents(m.prng, free, pages, m.extentRange);
  const got = pagesIn(runs);
  if (got === 0) {
    m.sim.noteAction("the CMM driver found no free page to take");
    return;
  }
  if (got < pages) m.sim.noteAction(`the CMM driver took only the ${got} free pages there were`);
  markGuest(m, runs, GUEST_CMM, "guest: cmm_alloc_pages allocates the pages for CMM");
  m.apply(
    { kind: "gmap_discard", mm: m.guestOn, ranges: runs },
    "guest: cmm_alloc_pages → diag10_range (DIAGNOSE 0x10); kvm: handled in the kernel, QEMU is not asked",
  );
}

/** guest-cmm-reclaim: the CMM driver gives `pages` back to the guest's page allocator (cmm_free_pages). */
export function cmmReclaim(m: Machine, pages: number): void {
  const held = guestRuns(m, (s) => s === GUEST_CMM);
  const runs = pickExtents(m.prng, held, pages, m.extentRange);
  if (runs.length === 0) {
    m.sim.noteAction("the CMM driver holds no pages");
    return;
  }
  markGuest(
    m,
    runs,
    GUEST_FREE,
    "guest: cmm_free_pages frees the pages; the host is not told, their next touch faults like a first one",
  );
}
