import type { Preset } from "./types.ts";

/** The user-space alternative the commit message mentions, under fa41ba0d. */
export const pagemapOptimization: Preset = {
  id: "pagemap-optimization",
  title: "The user-space alternative: consult pagemap before reading (under fa41ba0d)",
  summary:
    "06201e00's message mentions a user-space fix: before reading guest memory on the source, and before the zero check on the destination, ask /proc/self/pagemap whether the page is populated at all. Pages whose pagemap entry is empty (neither present nor swapped out) are known to be zero and are never read, so even under fa41ba0d the ballooned 40 GiB stay unallocated, and no page tables are filled with zeropages on any architecture.",
  variants: ["s390-fa41ba0d", "s390-06201e00", "x86_64"],
  scenario: {
    schemaVersion: 1,
    title: "Precopy migration with a pagemap check",
    seed: 6201,
    machine: {
      kernel: "s390-fa41ba0d",
      guestRam: "100GiB",
      qemu: { version: "9.2", zeroPageDetection: "legacy" },
    },
    actions: [
      { do: "guest-touch", size: "100GiB", content: "data" },
      { do: "balloon-inflate", size: "40GiB" },
      { do: "migrate", mode: "precopy", pagemapCheck: true },
    ],
  },
};
