/**
 * fork() of the process that owns guest RAM: dup_mmap() (kernel/fork.c, mm/mmap.c since v6.16)
 * walks the parent's VMAs and gives the child a copy of each, except those marked VM_DONTCOPY.
 *
 * QEMU marks all guest RAM VM_DONTCOPY right after mapping it: qemu_ram_apply_settings() (called
 * by ram_block_add(), system/physmem.c) does qemu_madvise(QEMU_MADV_DONTFORK), "also needed by
 * KVM in absence of synchronous MMU". So when QEMU forks (net/tap.c's net_bridge_run_helper() and
 * launch_script() fork a helper, for one) nothing of guest RAM is copied and the parent's PTEs do
 * not change: that is the event the model takes.
 *
 * Without VM_DONTCOPY the child would get copies of the page tables (copy_page_range() →
 * copy_present_ptes()): zeropage PTEs copied as they are, whatever mm_forbids_zeropage() says, and
 * anonymous pages COW-shared by parent and child. The model has one mm per host and no child, so
 * it refuses such a fork instead of inventing one (the rule says what the kernel would do).
 */
import type { Errno, Recorder } from "./apply.ts";
import { type Mm, VmFlag } from "./mm.ts";
import { defineRule, fr, step } from "./rules.ts";

const MEMORY = "mm/memory.c";

export const R_FORK_DONTCOPY = defineRule({
  id: "dup_mmap.dontcopy",
  title: "fork(): guest RAM is VM_DONTCOPY, so the child gets none of it",
  path: [fr("mm/mmap.c", "dup_mmap"), step("VM_DONTCOPY", "skip the VMA")],
  explain:
    "fork() copies the parent's address space VMA by VMA (dup_mmap()) but skips every VMA marked VM_DONTCOPY. QEMU marks all guest RAM so with MADV_DONTFORK (qemu_ram_apply_settings()), so a fork of QEMU, such as the helper it starts for a bridged network device, copies no guest-RAM PTE: the parent's zeropages, anonymous and KSM pages stay as they were, and the child has no guest RAM.",
});

export const R_FORK_COPY = defineRule({
  id: "dup_mmap.copy_not_modelled",
  title: "fork() of memory without MADV_DONTFORK: not modelled, refused",
  path: [
    fr("mm/mmap.c", "dup_mmap"),
    fr(MEMORY, "copy_page_range"),
    fr(MEMORY, "vma_needs_copy", "anon_vma"),
    fr(MEMORY, "copy_pte_range"),
    fr(MEMORY, "copy_present_ptes"),
    fr(MEMORY, "vm_normal_page", "NULL for the zero pfn: copied as is"),
  ],
  explain:
    "Without VM_DONTCOPY, fork() gives the child a copy of this VMA. For private anonymous memory with an anon_vma (vma_needs_copy()) it copies the page tables: a zeropage PTE is copied as it is (vm_normal_page() is NULL for the zero pfn: no reference, no RSS), with no mm_forbids_zeropage() check, so the child maps the zeropage even where the mm forbids it; anonymous and KSM pages become COW-shared, write-protected in both processes and no longer exclusive (a later UFFDIO_MOVE of one fails with -EBUSY). 06201e00's comment on s390_disable_cow_sharing() leaves fork's COW sharing alone on purpose. The model has one address space per host and no child, so it refuses the fork (-EINVAL) and nothing changes.",
  assumption:
    "The engine does not invent a child mm. QEMU's guest RAM is always VM_DONTCOPY (QEMU_MADV_DONTFORK), so a scenario never asks for this.",
});

export interface ForkOutcome {
  ok: boolean;
  errno: Errno | null;
  message: string | null;
}

/** fork() of the process owning `mm`: every VMA must be VM_DONTCOPY (the child gets none of it). */
export function fork(mm: Mm, rec: Recorder): ForkOutcome {
  const copied = mm.vmas.find((v) => !(v.flags & VmFlag.DONTCOPY));
  if (copied) {
    rec.step(R_FORK_COPY.index);
    return {
      ok: false,
      errno: "EINVAL",
      message: `pages [${copied.first}, +${copied.count}) are not VM_DONTCOPY: fork() would copy them into a child, which the model does not have`,
    };
  }
  rec.step(R_FORK_DONTCOPY.index);
  return { ok: true, errno: null, message: null };
}
