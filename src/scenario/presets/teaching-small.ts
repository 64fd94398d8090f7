import type { Preset } from "./types.ts";

/** Small enough to step through every PTE: 64 MiB = 64 s390 page tables of 256 PTEs. */
export const teachingSmall: Preset = {
  id: "teaching-small",
  title: "Teaching: a 64 MiB guest you can step PTE by PTE",
  summary:
    "The whole story on a 64 MiB guest: every page table and every PTE can be watched. The guest writes some memory, the balloon takes a part back, the guest reads a region it never wrote, and a migration reads everything.",
  variants: ["s390-06201e00", "s390-fa41ba0d", "s390-2faee8ff", "s390-fa41ba0d-90a7592d", "x86_64"],
  scenario: {
    schemaVersion: 1,
    title: "64 MiB teaching guest",
    seed: 64,
    machine: { kernel: "s390-06201e00", guestRam: "64MiB" },
    actions: [
      { do: "guest-touch", size: "32MiB", content: "data" },
      { do: "balloon-inflate", size: "16MiB" },
      { do: "guest-read", start: "48MiB", size: "8MiB" },
      { do: "migrate", mode: "precopy" },
    ],
  },
};
