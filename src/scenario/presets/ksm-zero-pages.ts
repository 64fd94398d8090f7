import type { Preset } from "./types.ts";

/** KSM's use_zero_pages places zeropages with no mm_forbids_zeropage() check; keys then undo it. */
export const ksmZeroPages: Preset = {
  id: "ksm-zero-pages",
  title: "KSM with use_zero_pages, then storage keys",
  summary:
    "ksmd replaces zero-filled guest pages by the shared zeropage (use_zero_pages=1), saving 4 GiB, even on s390 where faults may not map it: that path has no mm_forbids_zeropage() check. When the guest then uses storage keys, 06201e00 unshares every zeropage; fa41ba0d's KSM unmerge unshares the KSM-placed ones (marked since v6.6); 2faee8ff zaps them. On 2faee8ff's 2017 kernels RssAnon never shows the saving: replace_page() did not decrement it until a38c015f3156 (2018).",
  variants: ["s390-06201e00", "s390-fa41ba0d", "s390-2faee8ff"],
  scenario: {
    schemaVersion: 1,
    title: "KSM use_zero_pages and storage keys",
    seed: 4,
    machine: { kernel: "s390-06201e00", guestRam: "16GiB", ksm: { enabled: true, useZeroPages: true } },
    actions: [
      { do: "guest-touch", size: "8GiB", content: "data" },
      { do: "guest-touch", size: "4GiB", content: "zero" },
      { do: "ksm-merge" },
      { do: "guest-skeys" },
    ],
  },
};
