import type { Preset } from "./types.ts";

/**
 * KSM with use_zero_pages as an exercise: what ksmd maps in place of zero-filled pages, what it
 * saves, and what the first storage-key instruction does to those zeropages under each kernel.
 * Each student's seed draws the guest's size and how much of it holds data.
 */
export const ksmZeroPagesExercise: Preset = {
  id: "ksm-zero-pages-exercise",
  title: "Exercise: KSM with use_zero_pages, then storage keys",
  summary:
    "Predict, then watch: the guest writes data and zeros, ksmd merges with use_zero_pages=1, then the guest turns on storage keys. Before each step you answer a question; the step then shows the rule and the counter that decide it. A link with seed=<your student number> gives you your own guest size and data.",
  variants: ["s390-06201e00", "s390-fa41ba0d", "s390-2faee8ff"],
  scenario: {
    schemaVersion: 2,
    title: "Exercise: KSM use_zero_pages and storage keys",
    seed: 4,
    machine: { kernel: "s390-06201e00", guestRam: "16GiB", ksm: { enabled: true, useZeroPages: true } },
    actions: [
      { do: "guest-touch", size: "8GiB", content: "data" },
      { do: "guest-touch", size: "4GiB", content: "zero" },
      { do: "ksm-merge" },
      { do: "guest-skeys" },
    ],
    exercise: {
      vary: {
        guestRam: { from: "16GiB", to: "32GiB", step: "8GiB" },
        written: { from: "25%", to: "50%", step: "5%" },
      },
      checkpoints: [
        {
          ask: "pte",
          at: 2,
          question:
            "The guest has written {written} of data and some pages of zeros. ksmd runs with use_zero_pages=1. What does it map in place of each zero-filled page?",
        },
        {
          ask: "number",
          at: 2,
          question: "How many GiB of RssAnon will QEMU's process hold after ksmd's pass?",
          counter: "rssAnonBytes",
          on: "source",
          measure: "after",
          unit: "GiB",
          tolerance: "2%",
        },
        {
          ask: "number",
          at: 2,
          question: "How many pages will /proc/<pid>/ksm_stat count as ksm_zero_pages after the pass?",
          counter: "ksmZeroPages",
          on: "source",
          measure: "after",
          unit: "count",
          tolerance: "1%",
        },
        {
          ask: "click",
          at: 3,
          on: "source",
          target: "changed",
          question:
            "The guest now executes its first storage-key instruction. Click the page table where it changes its first PTE.",
        },
        {
          ask: "kernel",
          at: 3,
          question:
            "Under which kernel does the first storage-key instruction leave the fewest pages present (zeropages zapped rather than copied)?",
          kernels: ["s390-06201e00", "s390-fa41ba0d", "s390-2faee8ff"],
          pick: "least",
          counter: "presentPages",
          on: "source",
          measure: "after",
        },
      ],
    },
  },
};
