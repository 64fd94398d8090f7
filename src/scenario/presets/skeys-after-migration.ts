import type { Preset } from "./types.ts";

/** Under 06201e00, zeropages are fine until the guest uses storage keys; then each one is unshared. */
export const skeysAfterMigration: Preset = {
  id: "skeys-after-migration",
  title: "Storage keys after migration: zeropages are unshared and RSS jumps",
  summary:
    "After a cheap migration under 06201e00, the guest on the destination executes its first storage-key instruction. COW sharing is switched off for good: every zeropage the migration mapped is replaced by a real zero-filled page (__s390_unshare_zeropages), and RssAnon jumps by the ballooned 40 GiB. Under fa41ba0d nothing changes at that point (the memory was already spent); under 2faee8ff the zeropages are zapped instead.",
  variants: ["s390-06201e00", "s390-fa41ba0d", "s390-2faee8ff"],
  patch: {
    commit: "06201e00",
    subject: "s390/mm: Re-enable the shared zeropage for !PV and !skeys KVM guests",
    before: "s390-fa41ba0d",
    after: "s390-06201e00",
    also: ["s390-2faee8ff"],
    caveat:
      "The commit message's own numbers do not add up: its example inflates a 40 GiB balloon in a 100 GiB guest, then says 50 GiB get allocated. The model uses the balloon's size: 40 GiB on each host.",
  },
  scenario: {
    schemaVersion: 1,
    title: "Storage keys enabled after a precopy migration",
    seed: 6201,
    machine: {
      kernel: "s390-06201e00",
      guestRam: "100GiB",
      qemu: { version: "9.2", zeroPageDetection: "legacy" },
    },
    actions: [
      { do: "guest-touch", size: "100GiB", content: "data" },
      { do: "balloon-inflate", size: "40GiB" },
      { do: "migrate", mode: "precopy" },
      { do: "guest-skeys" },
    ],
  },
};
