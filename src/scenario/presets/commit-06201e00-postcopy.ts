import type { Preset } from "./types.ts";

/**
 * The same story with postcopy: the destination must place every page, zero pages with
 * UFFDIO_ZEROPAGE. Before 90a7592da149 that maps the shared zeropage even where
 * mm_forbids_zeropage() says no (cheap, but wrong); with it, a real zeroed page (40 GiB).
 */
export const commit06201e00Postcopy: Preset = {
  id: "commit-06201e00-postcopy",
  title: "The same story in postcopy: UFFDIO_ZEROPAGE before and after 90a7592d",
  summary:
    "This migration switches to postcopy at once, before precopy sends anything, so every page arrives after the switch and the destination cannot skip one: every zero page is placed with UFFDIO_ZEROPAGE (pages sent before a switch would be loaded as in precopy). Under fa41ba0d before 90a7592da149 that still maps the shared zeropage, although the mm forbids it; with 90a7592da149 it allocates 40 GiB of zeroed pages. Under 06201e00 the zeropage is allowed again, so it stays cheap.",
  variants: ["s390-fa41ba0d-90a7592d", "s390-fa41ba0d", "s390-06201e00", "x86_64"],
  patch: {
    commit: "06201e00",
    subject: "s390/mm: Re-enable the shared zeropage for !PV and !skeys KVM guests",
    before: "s390-fa41ba0d",
    after: "s390-06201e00",
    also: ["x86_64"],
    caveat:
      "The commit message's own numbers do not add up: its example inflates a 40 GiB balloon in a 100 GiB guest, then says 50 GiB get allocated. The model uses the balloon's size: 40 GiB on each host.",
  },
  scenario: {
    schemaVersion: 1,
    title: "100 GiB guest, 40 GiB ballooned, postcopy migration",
    seed: 6201,
    machine: {
      kernel: "s390-fa41ba0d-90a7592d",
      guestRam: "100GiB",
      qemu: { version: "9.2", postcopyRam: true },
    },
    actions: [
      { do: "guest-touch", size: "100GiB", content: "data" },
      { do: "balloon-inflate", size: "40GiB" },
      { do: "migrate", mode: "postcopy" },
    ],
  },
};
