import type { Preset } from "./types.ts";

/**
 * The commit's story with guest RAM in a memfd mapped shared (QEMU's memory-backend-memfd with
 * share=on, which vhost-user devices need): the first question a reviewer asks of the patch is
 * whether the result holds for such guests. It does not apply to them at all: shmem has no shared
 * zeropage (shmem_fault() allocates a page-cache page for every hole), so migrating the guest
 * reads the ballooned 40 GiB back into memory on both hosts under fa41ba0d and 06201e00 alike.
 * The balloon itself works, through fallocate(PUNCH_HOLE) on the memfd.
 */
export const commit06201e00Memfd: Preset = {
  id: "commit-06201e00-memfd",
  title: "memfd-backed guest: the patch changes nothing",
  summary:
    "The commit's story with guest RAM in a memfd shared with QEMU (memory-backend-memfd, share=on, as vhost-user needs). The balloon frees its 40 GiB by punching a hole in the memfd, but the migration's reads of that memory allocate page-cache pages on both hosts under either kernel: shared memory never maps the zeropage, so 06201e00 has nothing to re-enable. Compare it with the anonymous story, where the patch saves 40 GiB per host. The maps' key names the memfd's pages 'shmem/memfd page' (drawn in the colours of a page with a frame of its own, as an anonymous one); the counters call them RssShmem and Shmem.",
  variants: ["s390-06201e00", "s390-fa41ba0d", "x86_64"],
  patch: {
    commit: "06201e00",
    subject: "s390/mm: Re-enable the shared zeropage for !PV and !skeys KVM guests",
    before: "s390-fa41ba0d",
    after: "s390-06201e00",
    also: ["x86_64"],
    caveat:
      "The patch is about anonymous guest RAM; with a memfd backend it changes nothing, which is the point of this story.",
  },
  scenario: {
    schemaVersion: 1,
    title: "100 GiB memfd-backed guest, 40 GiB ballooned, precopy migration",
    seed: 6201,
    machine: {
      kernel: "s390-06201e00",
      guestRam: "100GiB",
      qemu: { version: "9.2", multifd: false, zeroPageDetection: "legacy", memoryBackend: "memfd" },
    },
    actions: [
      { do: "guest-touch", size: "100GiB", content: "data" },
      { do: "balloon-inflate", size: "40GiB" },
      { do: "migrate", mode: "precopy" },
    ],
  },
};
