import type { Preset } from "./types.ts";

/**
 * The commit's story as an exercise: where does the ballooned memory go, before 06201e00
 * (fa41ba0d) and after? Each student's seed draws the guest's size and the balloon's share of it;
 * the questions come before the balloon, the migration, and the first read of ballooned memory.
 */
export const commit06201e00Exercise: Preset = {
  id: "commit-06201e00-exercise",
  title: "Exercise: where do the ballooned gigabytes go? (the commit's story, before and after)",
  summary:
    "Predict, then watch: a guest that wrote all its RAM gives part of it back with the balloon and is migrated, under fa41ba0d (before the commit). Before each step you answer a question (a number, a choice, a click on the map); then the step plays and shows the rule and the counter that decide it. A link with seed=<your student number> gives you your own guest size and balloon.",
  variants: ["s390-fa41ba0d", "s390-06201e00"],
  scenario: {
    schemaVersion: 2,
    title: "Exercise: the ballooned memory, before and after 06201e00",
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
    exercise: {
      vary: {
        guestRam: { from: "64GiB", to: "128GiB", step: "16GiB" },
        balloon: { from: "30%", to: "50%", step: "10%" },
      },
      checkpoints: [
        {
          ask: "number",
          at: 1,
          question:
            "The guest has written all of its {guestRam}. The balloon now takes {balloon} back. How many GiB of RssAnon will QEMU's process hold on the source afterwards?",
          counter: "rssAnonBytes",
          on: "source",
          measure: "after",
          unit: "GiB",
          tolerance: "2%",
        },
        {
          ask: "pte",
          at: 2,
          on: "source",
          question:
            "The migration reads every guest page on the source, ballooned ones too. Under {kernel}, what does reading a ballooned page map?",
        },
        {
          ask: "click",
          at: 2,
          on: "source",
          target: "changed",
          question:
            "Click the page table, on the source's map, that holds the first ballooned page the migration reads. (Tip: the balloon view highlights the ballooned tables.)",
        },
        {
          ask: "number",
          at: 2,
          question:
            "Under {kernel}, how many GiB of RssAnon will the destination hold when the migration ends?",
          counter: "rssAnonBytes",
          on: "destination",
          measure: "after",
          unit: "GiB",
          tolerance: "2%",
        },
        {
          ask: "kernel",
          at: 2,
          question:
            "Before and after the commit: under which kernel does the destination end with the least RssAnon?",
          kernels: ["s390-fa41ba0d", "s390-06201e00"],
          pick: "least",
          counter: "rssAnonBytes",
          on: "destination",
          measure: "after",
        },
      ],
    },
  },
};
