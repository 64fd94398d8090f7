import type { Preset } from "./types.ts";

/**
 * The 2017 postcopy hang as an exercise: how postcopy places zero pages, what storage keys do to
 * them under each kernel, and how the migration ends. Each student's seed draws the kernel, the
 * QEMU release and how much data the guest wrote, so neighbours get different endings.
 */
export const postcopyHang2017Exercise: Preset = {
  id: "postcopy-hang-2017-exercise",
  title: "Exercise: postcopy and the 2017 hang (a kernel per student)",
  summary:
    "Predict, then watch: a guest migrates with postcopy, then executes its first storage-key instruction on the destination. Your seed picks the kernel (2faee8ff, fa41ba0d or 06201e00) and the QEMU release, so your migration may hang or complete. Before each step you answer a question; the step then shows the rule and the counter that decide it.",
  variants: ["s390-2faee8ff", "s390-fa41ba0d", "s390-06201e00"],
  scenario: {
    schemaVersion: 2,
    title: "Exercise: storage keys during postcopy",
    seed: 2018,
    machine: { kernel: "s390-2faee8ff", guestRam: "8GiB", qemu: { version: "2.10", postcopyRam: true } },
    actions: [
      { do: "guest-touch", size: "3GiB", content: "data" },
      { do: "migrate-start", mode: "postcopy" },
      { do: "migrate-switchover" },
      { do: "migrate-transfer", size: "6GiB" },
      { do: "guest-skeys" },
      { do: "guest-read" },
      { do: "migrate-complete" },
    ],
    exercise: {
      vary: {
        kernel: ["s390-2faee8ff", "s390-fa41ba0d", "s390-06201e00"],
        qemuVersion: ["2.10", "9.2"],
        written: { from: "2GiB", to: "4GiB", step: "1GiB" },
      },
      checkpoints: [
        {
          ask: "pte",
          at: 3,
          on: "destination",
          question:
            "The guest already runs on the destination; QEMU {qemuVersion} now transfers its pages with postcopy. How does the destination place a page that holds only zeros?",
        },
        {
          ask: "pte",
          at: 4,
          on: "destination",
          question:
            "Under {kernel}, the guest executes its first storage-key instruction. What happens to the destination's zero pages?",
        },
        {
          ask: "outcome",
          at: 5,
          question: "The guest now reads all its memory. Under {kernel}, how does this migration end?",
        },
        {
          ask: "kernel",
          at: 5,
          question: "Which of these kernels hangs in this scenario?",
          kernels: ["s390-2faee8ff", "s390-fa41ba0d", "s390-06201e00"],
          pick: "hangs",
        },
      ],
    },
  },
};
