import type { Preset } from "./types.ts";

/**
 * fa41ba0d's reason for being: under 2faee8ff, enabling storage keys zaps zeropages. During
 * postcopy, a zeropage QEMU placed with UFFDIO_ZEROPAGE becomes missing again, and the source will
 * never resend it: the vCPU that touches it waits forever.
 */
export const postcopyHang2018: Preset = {
  id: "postcopy-hang-2018",
  title: "The 2018 postcopy hang (2faee8ff): storage keys zap placed zeropages",
  summary:
    "Postcopy places the guest's zero pages with UFFDIO_ZEROPAGE and marks them received. Then the guest, already running on the destination, executes its first storage-key instruction. Under 2faee8ff that zaps every zeropage PTE; the next access raises a MISSING userfault for a page QEMU will never request or send again, and the vCPU hangs. fa41ba0d avoided it by never allowing zeropages in KVM guests; 06201e00 unshares instead of zapping.",
  variants: ["s390-2faee8ff", "s390-fa41ba0d", "s390-06201e00"],
  scenario: {
    schemaVersion: 1,
    title: "Storage keys enabled during postcopy",
    seed: 2018,
    machine: { kernel: "s390-2faee8ff", guestRam: "8GiB", qemu: { version: "9.2", postcopyRam: true } },
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
