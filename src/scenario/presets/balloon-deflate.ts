import type { Preset } from "./types.ts";

/**
 * The balloon gives memory back. Deflating costs the host nothing: QEMU's balloon_deflate_page()
 * only hints MADV_WILLNEED, and the pages the balloon emptied stay unmapped until the guest
 * touches them. Then they cost what a first touch costs on that kernel: a read maps the shared
 * zeropage under 06201e00 and x86_64, and allocates under fa41ba0d.
 */
export const balloonDeflate: Preset = {
  id: "balloon-deflate",
  title: "The balloon gives memory back: nothing happens until the guest touches it",
  summary:
    "A 64 MiB guest writes half its memory, lends 24 MiB to its balloon and takes it back. QEMU answers the deflation with a MADV_WILLNEED hint only, so the host maps nothing. When the guest then reads all its memory, the returned pages cost what a first read costs: the shared zeropage under 06201e00 and x86_64, a real page each under fa41ba0d.",
  variants: ["s390-06201e00", "s390-fa41ba0d", "x86_64"],
  patch: {
    commit: "06201e00",
    subject: "s390/mm: Re-enable the shared zeropage for !PV and !skeys KVM guests",
    before: "s390-fa41ba0d",
    after: "s390-06201e00",
    also: ["x86_64"],
    caveat: "",
  },
  scenario: {
    schemaVersion: 1,
    title: "64 MiB guest: balloon inflated, then deflated",
    seed: 65,
    machine: { kernel: "s390-06201e00", guestRam: "64MiB" },
    actions: [
      { do: "guest-touch", size: "32MiB", content: "data" },
      { do: "balloon-inflate", size: "24MiB" },
      { do: "balloon-deflate", size: "24MiB" },
      { do: "guest-read", start: "0MiB", size: "64MiB" },
    ],
  },
};
