import type { Preset } from "./types.ts";

/**
 * The story of 06201e00's commit message: a 100 GiB guest whose balloon holds 40 GiB is migrated
 * with precopy and legacy zero-page detection (QEMU's default capability set: no multifd). Reading
 * the ballooned memory costs only page tables where the zeropage is allowed (x86_64, 06201e00),
 * and 40 GiB of real memory on each host under fa41ba0d.
 */
export const commit06201e00: Preset = {
  id: "commit-06201e00",
  title: "The commit's story: 100 GiB guest, 40 GiB ballooned, precopy migration",
  summary:
    "A 100 GiB guest uses all its memory, then its balloon gives 40 GiB back to the host. Migrating it reads every page: under fa41ba0d each read of ballooned memory allocates a real page, on the source and again on the destination's zero check. Under 06201e00 the same reads map the shared zeropage and cost only page tables. On x86_64 too, except that the destination's THPs round some data writes up to 2 MiB huge pages.",
  variants: ["s390-fa41ba0d", "s390-06201e00", "x86_64", "s390-2faee8ff"],
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
    title: "100 GiB guest, 40 GiB ballooned, precopy migration",
    seed: 6201,
    machine: {
      kernel: "s390-fa41ba0d",
      guestRam: "100GiB",
      qemu: { version: "9.2", multifd: false, zeroPageDetection: "legacy" },
    },
    actions: [
      { do: "guest-touch", size: "100GiB", content: "data" },
      { do: "balloon-inflate", size: "40GiB" },
      { do: "migrate", mode: "precopy" },
    ],
  },
};
