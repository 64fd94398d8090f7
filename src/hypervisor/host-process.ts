/**
 * QEMU's own process acting on the guest RAM it maps, beside the guest and the migration:
 *
 * - fork(): QEMU forks helpers while the guest runs (net/tap.c: net_bridge_run_helper() forks
 *   qemu-bridge-helper when a bridged network device is added, launch_script() a tap's ifup
 *   script). Guest RAM is MADV_DONTFORK (qemu_ram_apply_settings(), system/physmem.c), so the
 *   child gets none of it (engine/fork.ts).
 * - UFFDIO_MOVE: a thread in QEMU's process (the ioctl works only on the caller's own mm) moves
 *   guest pages from one address to another with its userfaultfd (engine/uffd-move.ts). The
 *   destination must be registered with that userfaultfd, so the thread registers what is not
 *   (MISSING mode) and unregisters it afterwards; ranges QEMU registered itself (a postcopy
 *   destination) are left as they are.
 */
import { appendRun } from "../base/runs.ts";
import { type Ranges, VmFlag } from "../engine/index.ts";
import type { Machine } from "./machine.ts";

export function hostFork(m: Machine, mm: number): void {
  const r = m.apply(
    { kind: "fork", mm },
    "qemu: netdev_add (bridge) → net_bridge_run_helper → fork() of qemu-bridge-helper",
  );
  if (!r.ok) m.sim.noteAction(`fork() not modelled: ${r.message ?? r.errno}`);
}

/** The parts of [first, first+count) not registered with a userfaultfd yet, as ranges. */
function unregistered(m: Machine, mm: number, first: number, count: number): number[] {
  const out: number[] = [];
  m.sim.world.mms[mm]!.forEachVmaPiece(first, count, (vma, f, n) => {
    if (!(vma.flags & VmFlag.UFFD_MISSING)) appendRun(out, f, n);
  });
  return out;
}

export function hostUffdMove(m: Machine, mm: number, src: number, dst: number, count: number): void {
  const ours: Ranges = unregistered(m, mm, dst, count);
  if (ours.length > 0) {
    const r = m.apply(
      { kind: "uffd_register", mm, ranges: ours },
      "user space in QEMU's process: UFFDIO_REGISTER (MISSING) of the destination, which UFFDIO_MOVE needs",
    );
    if (!r.ok) {
      m.sim.noteAction(`UFFDIO_REGISTER of the destination failed: ${r.message ?? r.errno}`);
      return;
    }
  }
  const r = m.apply(
    { kind: "uffd_move", mm, src, dst, count },
    "user space in QEMU's process: ioctl(uffd, UFFDIO_MOVE, { dst, src, len, mode = 0 })",
  );
  if (!r.ok) m.sim.noteAction(`UFFDIO_MOVE failed with ${r.errno}: ${r.message}`);
  else if (r.errno === "EAGAIN") m.sim.noteAction(`UFFDIO_MOVE returned -EAGAIN: ${r.message}`);
  if (ours.length > 0) {
    m.apply(
      { kind: "uffd_unregister", mm, ranges: ours },
      "user space in QEMU's process: UFFDIO_UNREGISTER of what it registered",
    );
  }
}
