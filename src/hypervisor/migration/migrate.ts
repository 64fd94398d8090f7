/**
 * The migration as QMP drives it: `migrate` starts it (both QEMUs set up, every page dirty), RAM
 * is transferred (transfer.ts), and it ends either with a precopy switchover (last dirty pages,
 * device state incl. storage keys, the guest resumes on the destination) or with a switch to
 * postcopy (postcopy.ts) followed by the background transfer of the rest and the cleanup.
 *
 * Scenario actions map onto this: "migrate" runs it all; "migrate-start", "migrate-transfer",
 * "migrate-switchover" and "migrate-complete" run the steps one by one, so guest actions can happen
 * in between (the postcopy-hang preset).
 */

import { hintFreePages } from "../free-page.ts";
import { GUEST_USED, guestRegion, guestRuns, pickExtents } from "../guest.ts";
import { markMergeable } from "../ksmd.ts";
import { createVm, restoreSkeys } from "../kvm.ts";
import { DESTINATION, type Machine, PHASE, SOURCE } from "../machine.ts";
import { switchToPostcopy } from "./postcopy.ts";
import { DIRTY_SET, type MigrationState, migrationOf } from "./state.ts";
import { sendPages, sendRuns } from "./transfer.ts";

/** QEMU on the destination starts: its guest RAM is fresh, it creates its VM. */
function startDestination(m: Machine): void {
  if (m.destinationStarted) return;
  m.destinationStarted = true;
  createVm(m, DESTINATION);
  if (m.arch === "x86_64" && m.cfg.thp !== "never") {
    m.apply(
      { kind: "madvise", mm: DESTINATION, advice: "hugepage", ranges: [0, m.pages] },
      "qemu (destination): ram_block_add → qemu_madvise(QEMU_MADV_HUGEPAGE)",
    );
  }
  markMergeable(m, DESTINATION);
}

/** migrate: set up both sides. Returns false if QEMU refuses to migrate. */
export function startMigration(m: Machine, mode: "precopy" | "postcopy", pagemapCheck: boolean): boolean {
  if (migrationOf(m)) {
    m.fail("a migration was already started");
    return false;
  }
  if (m.sim.world.mms[SOURCE]!.ctx.pv) {
    m.fail(
      "QEMU refuses to migrate: 'protected VMs are currently not migratable' (the migration blocker s390_machine_protect adds)",
    );
    return false;
  }
  startDestination(m);
  const state: MigrationState = { mode, phase: "precopy", pagemapCheck, cursor: 0 };
  m.migration = state;
  m.apply(
    { kind: "pageset", mm: SOURCE, set: DIRTY_SET, ranges: [0, m.pages], value: 1 },
    "qemu: ram_save_setup → ram_init_bitmaps → every page starts dirty (bulk stage)",
  );
  // virtio-balloon free-page-hint: the guest's free pages leave the bitmap before the bulk stage.
  hintFreePages(m);
  if (mode === "postcopy") {
    // postcopy_ram_incoming_init(): discard all RAM ("we're going to get the copy from the source
    // anyway"). MADV_NOHUGEPAGE comes only at the switch to postcopy (postcopy.ts): QEMU waits so
    // that most of what precopy writes stays THP-backed.
    m.apply(
      { kind: "madvise", mm: DESTINATION, advice: "dontneed", ranges: [0, m.pages] },
      "qemu (destination): loadvm_postcopy_handle_advise → postcopy_ram_incoming_init → init_range → ram_discard_range → madvise(MADV_DONTNEED)",
    );
  }
  m.setExtra("migPhase", PHASE.precopy);
  return true;
}

/** The running guest dirties `pages` of its memory while the bulk stage runs. */
export function dirtyDuringMigration(m: Machine, pages: number): boolean {
  const used = guestRuns(m, (s) => s === GUEST_USED);
  const runs = pickExtents(m.prng, used, pages, m.extentRange);
  // guestRegion() logs the writes as dirty (guest.ts logDirty).
  for (let i = 0; i < runs.length && !m.halted; i += 2)
    guestRegion(m, "write", runs[i]!, runs[i + 1]!, "data");
  return !m.halted;
}

export function transfer(m: Machine, pages: number): boolean {
  return sendPages(m, pages);
}

/** Precopy completion, or the switch to postcopy. */
export function switchover(m: Machine): boolean {
  const s = migrationOf(m);
  if (!s) {
    m.fail("no migration is running");
    return false;
  }
  if (s.phase !== "precopy") return true;
  if (s.mode === "postcopy") {
    // A requested page is sent at once; the source's background stream then carries on right after
    // it (get_queued_page moves the scan position there). In reality the vCPU resumes while the
    // stream runs; the model sends one chunk of the stream before the vCPU continues.
    return switchToPostcopy(m, (runs) => {
      if (!sendRuns(m, s, runs)) return false;
      s.cursor = runs[0]! + runs[1]!;
      return sendPages(m, m.chunkPages);
    });
  }
  // migration_completion(): stop the guest, send what is still dirty, then device state.
  if (!sendPages(m, m.pages)) return false;
  restoreSkeys(m, DESTINATION);
  if (m.halted) return false;
  s.phase = "done";
  m.guestOn = DESTINATION;
  m.setExtra("guestOn", DESTINATION);
  m.setExtra("migPhase", PHASE.done);
  m.apply(
    { kind: "note", mm: DESTINATION, label: "the guest resumes on the destination" },
    "qemu: migration_completion → vm_start on the destination",
  );
  return true;
}

/** Finishes the migration: precopy switchover if not done, or postcopy's background transfer and cleanup. */
export function complete(m: Machine): boolean {
  const s = migrationOf(m);
  if (!s) {
    m.fail("no migration is running");
    return false;
  }
  if (s.phase === "precopy") return switchover(m);
  if (s.phase !== "postcopy") return true;
  if (!sendPages(m, m.pages)) return false;
  m.apply(
    { kind: "uffd_unregister", mm: DESTINATION, ranges: [0, m.pages] },
    "qemu (destination): postcopy_ram_incoming_cleanup → cleanup_range → UFFDIO_UNREGISTER",
  );
  m.onUserfault = null;
  s.phase = "done";
  m.setExtra("migPhase", PHASE.done);
  m.apply(
    { kind: "note", mm: DESTINATION, label: "postcopy complete" },
    "qemu: postcopy completes; the destination owns all guest memory",
  );
  return true;
}

export interface MigrateOptions {
  readonly mode: "precopy" | "postcopy";
  readonly dirtyPages: number;
  readonly pagemapCheck: boolean;
  readonly precopyBeforeSwitchPages: number;
}

/** The whole migration in one action. */
export function migrate(m: Machine, o: MigrateOptions): void {
  if (!startMigration(m, o.mode, o.pagemapCheck)) return;
  const bulk = o.mode === "postcopy" ? o.precopyBeforeSwitchPages : m.pages;
  if (bulk > 0 && !sendPages(m, bulk)) return;
  if (o.dirtyPages > 0 && !dirtyDuringMigration(m, o.dirtyPages)) return;
  if (o.mode === "precopy") {
    switchover(m);
    return;
  }
  if (!switchover(m)) return;
  complete(m);
}
