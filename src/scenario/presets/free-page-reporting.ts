import type { Preset } from "./types.ts";

/**
 * virtio-balloon's free page reporting: the guest hands back memory it freed, in blocks of a page
 * table each, and QEMU discards each block with one madvise() call (hypervisor/free-page.ts). Then a
 * precopy migration reads all of guest RAM again, the reported blocks included.
 */
export const freePageReporting: Preset = {
  id: "free-page-reporting",
  title: "Free page reporting: the guest returns freed memory in 2 MiB blocks, and a migration reads it back",
  summary:
    "A 32 GiB guest uses all its memory, then frees 12 GiB. With free-page-reporting=on its kernel reports every wholly free 2 MiB block (1 MiB on s390) and QEMU discards each with one MADV_DONTNEED call, so on x86_64 from v6.14 the page tables go too (PT reclaim), which the balloon's 4 KiB calls never manage. Then a precopy migration reads every page, free ones included: the zeropage makes that cheap again on x86_64 and under 06201e00 (page tables only), and under fa41ba0d it allocates the reported memory back. With free-page-hint=on precopy would skip the free pages instead; QEMU turns hinting off when postcopy is possible.",
  variants: ["x86_64", "s390-06201e00", "s390-fa41ba0d"],
  scenario: {
    schemaVersion: 1,
    title: "32 GiB guest frees 12 GiB with free page reporting, then precopy",
    seed: 514,
    machine: {
      kernel: "x86_64",
      guestRam: "32GiB",
      qemu: { version: "9.2", zeroPageDetection: "legacy", freePageReporting: true },
    },
    actions: [
      { do: "guest-touch", size: "32GiB", content: "data" },
      { do: "guest-free", size: "12GiB" },
      { do: "migrate", mode: "precopy" },
    ],
  },
};
