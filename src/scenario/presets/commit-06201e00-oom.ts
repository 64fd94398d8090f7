import type { Preset } from "./types.ts";

/** The commit message's warning made concrete: the migration source runs out of memory. */
export const commit06201e00Oom: Preset = {
  id: "commit-06201e00-oom",
  title: "The same story on a 96 GiB source host: the migration OOM-kills the VM",
  summary:
    "06201e00's message warns that the migration 'might easily (unexpectedly) crash the VM on the migration source', for example when the balloon sets memory aside at boot to be added on demand later. Here the guest uses 60 GiB, its balloon holds the other 40 GiB, and the source host can give it 96 GiB. Under fa41ba0d the migration's reads of ballooned memory allocate until the limit is reached and the OOM killer ends QEMU; under 06201e00 the migration completes.",
  variants: ["s390-fa41ba0d", "s390-06201e00"],
  scenario: {
    schemaVersion: 1,
    title: "100 GiB guest, 40 GiB ballooned, 96 GiB source host, precopy migration",
    seed: 6201,
    machine: {
      kernel: "s390-fa41ba0d",
      guestRam: "100GiB",
      hosts: { source: { memLimit: "96GiB" } },
      qemu: { version: "9.2", zeroPageDetection: "legacy" },
    },
    actions: [
      { do: "guest-touch", size: "60GiB", content: "data" },
      { do: "balloon-inflate", size: "40GiB" },
      { do: "migrate", mode: "precopy" },
    ],
  },
};
