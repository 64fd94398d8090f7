import type { Preset } from "./types.ts";

/**
 * s390's other balloon: the guest's CMM driver releases pages with DIAGNOSE 0x10, and KVM zaps
 * them in the kernel (diag_release_pages → gmap_discard). QEMU inhibits its virtio-balloon during
 * an incoming postcopy, but it never sees this one: pages it already placed go missing again, and
 * the next touch waits for a page QEMU will not request. No kernel of the series prevents it.
 * The hazard is inferred from the code paths (gmap_discard rule's assumption), not from a run.
 */
export const cmmDuringPostcopy: Preset = {
  id: "cmm-during-postcopy",
  title: "CMM release during postcopy: a placed page goes missing on every kernel",
  summary:
    "The guest switches to postcopy, QEMU places its first 6 GiB on the destination, and then the guest's CMM driver (s390's collaborative memory management) gives 1 GiB of free pages to the hypervisor with DIAGNOSE 0x10. KVM handles that in the kernel and zaps the pages; QEMU's balloon inhibit does not apply. When the guest takes the pages back and touches them, they fault as missing, but QEMU counts them as received and will not ask for them again: the vCPU hangs, under 2faee8ff, fa41ba0d and 06201e00 alike. 06201e00 fixed the zeropage's part of the 2017 story, not this one. (Inferred from the code: DIAGNOSE 0x10 → diag_release_pages → gmap_discard is not gated by QEMU.)",
  variants: ["s390-06201e00", "s390-fa41ba0d", "s390-2faee8ff"],
  scenario: {
    schemaVersion: 1,
    title: "CMM releases memory during an incoming postcopy",
    seed: 10,
    machine: { kernel: "s390-06201e00", guestRam: "8GiB", qemu: { version: "9.2", postcopyRam: true } },
    actions: [
      { do: "guest-touch", size: "3GiB", content: "data" },
      { do: "migrate-start", mode: "postcopy" },
      { do: "migrate-switchover" },
      { do: "migrate-transfer", size: "6GiB" },
      { do: "guest-cmm-release", size: "1GiB" },
      { do: "guest-cmm-reclaim", size: "1GiB" },
      { do: "guest-touch", size: "1GiB", content: "data" },
      { do: "migrate-complete" },
    ],
  },
};
