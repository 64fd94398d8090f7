import type { Preset } from "./types.ts";

/** PV disables COW sharing just like storage keys do, and blocks QEMU's balloon discards and migration. */
export const pvGuest: Preset = {
  id: "pv-guest",
  title: "A guest turns into a protected (PV) guest",
  summary:
    "The guest reads memory it never wrote (zeropages under 06201e00), then becomes a protected guest. KVM_PV_ENABLE disables COW sharing: the zeropages are unshared and KSM is switched off. The guest can still fill its balloon, but QEMU discards none of it (discards are disabled for PV: the host keeps the memory), and it refuses to migrate.",
  variants: ["s390-06201e00", "s390-fa41ba0d"],
  scenario: {
    schemaVersion: 1,
    title: "Protected virtualization",
    seed: 57,
    machine: { kernel: "s390-06201e00", guestRam: "8GiB" },
    actions: [
      { do: "guest-touch", size: "4GiB", content: "data" },
      { do: "guest-read", start: "6GiB", size: "2GiB" },
      { do: "guest-pv" },
      { do: "balloon-inflate", size: "1GiB" },
      { do: "migrate", mode: "precopy" },
    ],
  },
};
