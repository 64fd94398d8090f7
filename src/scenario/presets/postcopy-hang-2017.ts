import type { Preset } from "./types.ts";

/**
 * fa41ba0d's reason for being (August 2017): under 2faee8ff, enabling storage keys zaps zeropages.
 * During postcopy, a zeropage QEMU placed with UFFDIO_ZEROPAGE becomes missing again, and the
 * source will never resend it: the vCPU that touches it waits forever.
 *
 * Modelling choice: QEMU 2.10 (August 2017) stands for the QEMU of the time. It requests the page
 * and the source drops the request (get_queued_page → unqueue_page: the page is no longer dirty);
 * QEMU 5.2 and later would not even send the request (migrate_send_rp_req_pages checks its receive
 * bitmap). The vCPU hangs either way.
 *
 * The id was "postcopy-hang-2018" until the hang was dated to 2017; that id still opens this
 * preset (index.ts PRESET_ALIASES), so old links keep working.
 */
export const postcopyHang2017: Preset = {
  id: "postcopy-hang-2017",
  title: "The 2017 postcopy hang (2faee8ff): storage keys zap placed zeropages",
  summary:
    "Postcopy places the guest's zero pages with UFFDIO_ZEROPAGE and marks them received. Then the guest, already running on the destination, executes its first storage-key instruction. Under 2faee8ff that zaps every zeropage PTE; the next access raises a MISSING userfault for a page QEMU already received: 2017's QEMU 2.10 requests it, but the source, which no longer has it dirty, never sends it (QEMU 5.2 and later would not even ask), and the vCPU hangs. fa41ba0d avoided it by forbidding fault-time zeropages in KVM guests from VM creation on; 06201e00 unshares instead of zapping.",
  variants: ["s390-2faee8ff", "s390-fa41ba0d", "s390-06201e00"],
  patch: {
    commit: "fa41ba0d",
    subject: "s390/mm: avoid empty zero pages for KVM guests to avoid postcopy hangs",
    before: "s390-2faee8ff",
    after: "s390-fa41ba0d",
    also: ["s390-06201e00"],
    caveat: "",
  },
  scenario: {
    schemaVersion: 1,
    title: "Storage keys enabled during postcopy",
    seed: 2018,
    machine: { kernel: "s390-2faee8ff", guestRam: "8GiB", qemu: { version: "2.10", postcopyRam: true } },
    actions: [
      { do: "guest-touch", size: "3GiB", content: "data" },
      { do: "migrate-start", mode: "postcopy" },
      { do: "migrate-switchover" },
      { do: "migrate-transfer", size: "6GiB" },
      { do: "guest-skeys" },
      { do: "guest-read" },
      { do: "migrate-complete" },
    ],
  },
};
