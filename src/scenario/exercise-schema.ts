/**
 * A scenario's exercise (schemaVersion 2): questions asked before a step is shown, and the ranges
 * a student's seed draws the scenario's parameters from. Only the questions, what they are about
 * and their tolerances are written by the author; every answer comes from the run
 * (src/exercise/answers.ts), never from the document.
 *
 *   "exercise": {
 *     "vary": {                                   the ranges for `seed=` links (src/exercise/draw.ts)
 *       "guestRam": { "from": "64GiB", "to": "128GiB", "step": "16GiB" },
 *       "balloon":  { "from": "20%", "to": "50%", "step": "10%" },   % of the drawn guest RAM
 *       "kernel": ["s390-fa41ba0d", "s390-06201e00"],
 *       "skeys": [true, false], "qemuVersion": ["2.10", "9.2"], "zeroPageDetection": ["legacy"]
 *     },
 *     "checkpoints": [                            asked before scenario action `at` is shown
 *       { "ask": "number", "at": 2, "question": "…", "counter": "rssAnonBytes",
 *         "on": "destination", "measure": "after", "unit": "GiB", "tolerance": "5%" },
 *       { "ask": "kernel", "at": 2, "question": "…", "kernels": ["s390-fa41ba0d", "s390-06201e00"],
 *         "pick": "least", "counter": "rssAnonBytes", "on": "destination" },
 *       { "ask": "outcome", "at": 5, "question": "…" },
 *       { "ask": "pte", "at": 2, "question": "…", "on": "source" },
 *       { "ask": "click", "at": 2, "question": "…", "on": "source", "target": "changed" }
 *     ]
 *   }
 *
 * Kinds of question: a number with a tolerance (a counter after, before, across or at the peak of
 * the step); a choice among kernels (which of them has the most or least of a counter, none or
 * some of it, or hangs or completes) or among outcomes (how the run ends; what the step's pages
 * become); a click on the map (the page table the step touches or changes first).
 *
 * This file is the format only: valibot schemas and the checks that need the whole scenario
 * (exerciseIssues: an action index past the list, a range for an action the scenario lacks).
 */
import * as v from "valibot";
import { GiB, KiB, MiB, PAGE_SIZE, parseSize } from "../base/units.ts";
import { VARIANT_IDS } from "../engine/variants.ts";
import { SIDES, ZERO_PAGE_DETECTION_MODES } from "./choices.ts";

/**
 * The counters a question can be about: engine/proc/status.ts COUNTERS keys, listed here so that
 * the format does not pull the engine into the page (a test keeps the two lists equal).
 */
export const QUESTION_COUNTERS = [
  "rssAnonBytes",
  "vmPteBytes",
  "pageTableBytes",
  "pteTables",
  "zeropagePtes",
  "anonPages",
  "ksmPages",
  "ksmPagesShared",
  "ksmPagesSharing",
  "ksmZeroPages",
  "hugeZeroPmds",
  "thpPmds",
  "presentPages",
  "hostMemBytes",
  "rssShmemBytes",
  "shmemBytes",
] as const;
export type QuestionCounter = (typeof QUESTION_COUNTERS)[number];

/** Counters measured in bytes; the rest count pages, tables or PMDs. */
export const BYTE_COUNTERS: readonly QuestionCounter[] = [
  "rssAnonBytes",
  "vmPteBytes",
  "pageTableBytes",
  "hostMemBytes",
  "rssShmemBytes",
  "shmemBytes",
];

/** When a counter is read, relative to the step: after it, before it, its change, or its peak. */
export const MEASURES = ["after", "before", "change", "peak"] as const;
export type Measure = (typeof MEASURES)[number];

export const UNITS = ["GiB", "MiB", "KiB", "bytes", "count"] as const;
export type AnswerUnit = (typeof UNITS)[number];

/** What a step's pages can become (a "pte" question's options): the frame a PTE ends up mapping. */
export const PTE_OUTCOMES = ["zeropage", "own", "ksm", "none", "unchanged"] as const;
export type PteOutcome = (typeof PTE_OUTCOMES)[number];

export const RUN_OUTCOMES = ["completed", "hung", "failed"] as const;

/** "none of them", offered by kernel questions whose answer can be no kernel at all. */
export const NONE_OF_THEM = "none";

/** How a "kernel" question picks its answer among the kernels. */
export const KERNEL_PICKS = ["least", "most", "zero", "nonzero", "hangs", "completes"] as const;
export type KernelPick = (typeof KERNEL_PICKS)[number];

/** Picks that compare a counter (the others read the run's outcome). */
export const COUNTER_PICKS: readonly KernelPick[] = ["least", "most", "zero", "nonzero"];

const Side = v.picklist(SIDES, 'expected "source" or "destination"');

/** A size such as "40GiB" (bytes out), as in the scenario's own fields. */
const ExactSize = v.pipe(
  v.union([v.string(), v.number()], 'expected a size such as "40GiB"'),
  v.rawTransform(({ dataset, addIssue, NEVER }) => {
    const r = parseSize(dataset.value);
    if (!r.ok) {
      addIssue({ message: r.error });
      return NEVER;
    }
    if (r.bytes % PAGE_SIZE !== 0) {
      addIssue({ message: `expected whole 4 KiB pages, got ${r.bytes} bytes` });
      return NEVER;
    }
    return r.bytes;
  }),
);

/**
 * A size in bytes, or a share of the drawn guest RAM as text ("40%"). The output stays valid
 * input (a number of bytes or the share's text), as every other field of a validated scenario.
 */
export type SizeOrShare = number | `${number}%`;

/** The share a SizeOrShare names, in percent, or null for a size in bytes. */
export function shareOf(x: SizeOrShare): number | null {
  return typeof x === "number" ? null : Number(x.slice(0, -1));
}

const SizeOrPercent = v.pipe(
  v.union([v.string(), v.number()], 'expected a size such as "40GiB" or a share of guest RAM such as "40%"'),
  v.rawTransform(({ dataset, addIssue, NEVER }): SizeOrShare => {
    const value = dataset.value;
    if (typeof value === "string" && /%\s*$/.test(value)) {
      const m = /^\s*(\d+(?:\.\d+)?)\s*%\s*$/.exec(value);
      const pct = m ? Number(m[1]) : Number.NaN;
      if (!(pct >= 0 && pct <= 100)) {
        addIssue({ message: `expected a share of guest RAM from 0% to 100%, got ${JSON.stringify(value)}` });
        return NEVER;
      }
      return `${pct}%`;
    }
    const r = parseSize(value);
    if (!r.ok) {
      addIssue({ message: r.error });
      return NEVER;
    }
    if (r.bytes % PAGE_SIZE !== 0) {
      addIssue({ message: `expected whole 4 KiB pages, got ${r.bytes} bytes` });
      return NEVER;
    }
    return r.bytes;
  }),
);

const SizeRange = v.strictObject({ from: ExactSize, to: ExactSize, step: v.optional(ExactSize) });
const ShareRange = v.strictObject({
  from: SizeOrPercent,
  to: SizeOrPercent,
  step: v.optional(SizeOrPercent),
});

const distinct = <T>(what: string) =>
  v.check((list: T[]) => new Set(list).size === list.length, `expected each ${what} once`);

const Vary = v.strictObject({
  /** Guest RAM; every size in the actions (and a host's memory limit) scales with it. */
  guestRam: v.optional(SizeRange),
  /** The first balloon-inflate action's size. */
  balloon: v.optional(ShareRange),
  /** The first guest-touch that writes data: its size. */
  written: v.optional(ShareRange),
  kernel: v.optional(
    v.pipe(
      v.array(v.picklist(VARIANT_IDS, `expected a kernel variant: ${VARIANT_IDS.join(", ")}`)),
      v.minLength(1, "expected at least one kernel"),
      distinct("kernel"),
    ),
  ),
  /** Storage keys on (the scenario's guest-skeys actions run) or off (they are left out). */
  skeys: v.optional(
    v.pipe(v.array(v.boolean()), v.minLength(1, "expected true, false or both"), distinct("value")),
  ),
  qemuVersion: v.optional(
    v.pipe(
      v.array(v.pipe(v.string(), v.regex(/^\d+\.\d+$/, 'expected a QEMU version such as "9.1"'))),
      v.minLength(1, "expected at least one QEMU version"),
      distinct("version"),
    ),
  ),
  zeroPageDetection: v.optional(
    v.pipe(
      v.array(v.picklist(ZERO_PAGE_DETECTION_MODES)),
      v.minLength(1, "expected at least one mode"),
      distinct("mode"),
    ),
  ),
});

const common = {
  /** The scenario action (0-based) the question is asked before. */
  at: v.pipe(v.number(), v.integer("expected an action number"), v.minValue(0, "expected an action number")),
  question: v.pipe(
    v.string(),
    v.trim(),
    v.minLength(1, "expected the question's text"),
    v.maxLength(500, "at most 500 characters"),
  ),
};

const quantity = {
  counter: v.picklist(QUESTION_COUNTERS, `expected a counter: ${QUESTION_COUNTERS.join(", ")}`),
  on: v.optional(Side, "source"),
  measure: v.optional(v.picklist(MEASURES, `expected ${MEASURES.join(", ")}`), "after"),
};

/** "5%" (relative to the answer) or a number in the question's unit. */
const Tolerance = v.union(
  [
    v.pipe(v.number(), v.minValue(0, "expected a tolerance of 0 or more")),
    v.pipe(v.string(), v.regex(/^\s*\d+(\.\d+)?\s*%\s*$/, 'expected a tolerance such as "5%" or 0.5')),
  ],
  'expected a tolerance such as "5%" or 0.5',
);

const Checkpoint = v.variant(
  "ask",
  [
    v.strictObject({
      ask: v.literal("number"),
      ...common,
      ...quantity,
      /** The unit the student answers in; default GiB for bytes, count for the rest. */
      unit: v.optional(v.picklist(UNITS, `expected ${UNITS.join(", ")}`)),
      tolerance: v.optional(Tolerance, "5%"),
    }),
    v.strictObject({
      ask: v.literal("kernel"),
      ...common,
      kernels: v.pipe(
        v.array(v.picklist(VARIANT_IDS, `expected a kernel variant: ${VARIANT_IDS.join(", ")}`)),
        v.minLength(2, "expected at least two kernels to choose from"),
        distinct("kernel"),
      ),
      pick: v.picklist(KERNEL_PICKS, `expected ${KERNEL_PICKS.join(", ")}`),
      counter: v.optional(quantity.counter),
      on: quantity.on,
      measure: quantity.measure,
    }),
    v.strictObject({ ask: v.literal("outcome"), ...common }),
    v.strictObject({ ask: v.literal("pte"), ...common, on: v.optional(Side) }),
    v.strictObject({
      ask: v.literal("click"),
      ...common,
      on: v.optional(Side, "source"),
      /** The first page table the step changes a PTE in, or the first it touches at all. */
      target: v.optional(v.picklist(["changed", "touched"], 'expected "changed" or "touched"'), "changed"),
      /** Page tables either side of the answer that still count. */
      tolerance: v.optional(v.pipe(v.number(), v.integer("expected whole page tables"), v.minValue(0)), 0),
    }),
  ],
  'expected a question: "number", "kernel", "outcome", "pte" or "click"',
);

export const ExerciseSchema = v.strictObject({
  vary: v.optional(Vary),
  checkpoints: v.optional(
    v.pipe(v.array(Checkpoint, "expected a list of questions"), v.maxLength(50, "at most 50 questions")),
    [],
  ),
});

export type ExerciseInput = v.InferInput<typeof ExerciseSchema>;
export type Exercise = v.InferOutput<typeof ExerciseSchema>;
export type Checkpoint = Exercise["checkpoints"][number];
export type CheckpointKind = Checkpoint["ask"];
export type Vary = NonNullable<Exercise["vary"]>;

/** The unit a number question is answered in: its own, else GiB for bytes and a count otherwise. */
export function unitOf(c: {
  readonly counter: QuestionCounter;
  readonly unit?: AnswerUnit | undefined;
}): AnswerUnit {
  return c.unit ?? (BYTE_COUNTERS.includes(c.counter) ? "GiB" : "count");
}

export const UNIT_BYTES: Readonly<Record<AnswerUnit, number>> = {
  GiB,
  MiB,
  KiB,
  bytes: 1,
  count: 1,
};

/** What an exercise needs from the rest of the scenario (the validated parts it reads). */
export interface ExerciseHost {
  readonly actions: readonly { readonly do: string; readonly content?: string }[];
}

export interface ExerciseIssue {
  readonly path: string;
  readonly message: string;
}

/** Actions that start a migration: a destination exists from then on. */
const MIGRATES = new Set(["migrate", "migrate-start"]);

/**
 * The checks that read the scenario around the exercise: a question's action exists, a question
 * about the destination comes after a migration starts, a range has an action to set, a number
 * question's unit fits its counter.
 */
export function exerciseIssues(ex: Exercise, host: ExerciseHost): ExerciseIssue[] {
  const out: ExerciseIssue[] = [];
  const n = host.actions.length;
  const firstMigration = host.actions.findIndex((a) => MIGRATES.has(a.do));
  ex.checkpoints.forEach((c, i) => {
    const at = `exercise.checkpoints[${i}]`;
    if (c.at >= n) {
      out.push({
        path: `${at}.at`,
        message: `expected an action number from 0 to ${n - 1} (the scenario has ${n} action${n === 1 ? "" : "s"}), got ${c.at}`,
      });
      return;
    }
    const on = "on" in c ? c.on : undefined;
    if (on === "destination" && (firstMigration < 0 || firstMigration > c.at))
      out.push({
        path: `${at}.on`,
        message:
          firstMigration < 0
            ? "this scenario never migrates, so there is no destination"
            : `the destination exists from action ${firstMigration} on (the migration), after this question's action ${c.at}`,
      });
    if (c.ask === "number" && c.unit !== undefined) {
      const bytes = BYTE_COUNTERS.includes(c.counter);
      if (bytes !== (c.unit !== "count"))
        out.push({
          path: `${at}.unit`,
          message: bytes
            ? `${c.counter} is in bytes: expected GiB, MiB, KiB or bytes`
            : `${c.counter} counts pages or tables: expected "count"`,
        });
    }
    if (c.ask === "kernel") {
      const counts = COUNTER_PICKS.includes(c.pick);
      if (counts && c.counter === undefined)
        out.push({ path: `${at}.counter`, message: `pick "${c.pick}" compares a counter: name one` });
      if (!counts && c.counter !== undefined)
        out.push({
          path: `${at}.counter`,
          message: `pick "${c.pick}" reads how the run ends, not a counter: remove the counter`,
        });
    }
  });
  const vary = ex.vary;
  if (vary) {
    const needs: [keyof Vary, (a: ExerciseHost["actions"][number]) => boolean, string][] = [
      ["balloon", (a) => a.do === "balloon-inflate", "a balloon-inflate action"],
      [
        "written",
        (a) => a.do === "guest-touch" && a.content !== "zero",
        "a guest-touch action that writes data",
      ],
      ["skeys", (a) => a.do === "guest-skeys", "a guest-skeys action"],
    ];
    for (const [key, test, what] of needs) {
      if (vary[key] !== undefined && !host.actions.some(test))
        out.push({
          path: `exercise.vary.${key}`,
          message: `this range sets ${what}, and the scenario has none`,
        });
    }
    for (const key of ["guestRam", "balloon", "written"] as const) {
      const r = vary[key];
      if (!r) continue;
      const from: SizeOrShare = r.from;
      const to: SizeOrShare = r.to;
      const step: SizeOrShare | undefined = r.step;
      const kind = (x: SizeOrShare) => (shareOf(x) === null ? "size" : "share");
      const val = (x: SizeOrShare) => shareOf(x) ?? (x as number);
      if (kind(from) !== kind(to) || (step !== undefined && kind(step) !== kind(from)))
        out.push({
          path: `exercise.vary.${key}`,
          message: "expected from, to and step all as sizes or all as shares of guest RAM (%)",
        });
      else if (val(from) > val(to))
        out.push({ path: `exercise.vary.${key}.to`, message: "expected to at least from" });
      else if (step !== undefined && val(step) <= 0 && val(from) !== val(to))
        out.push({ path: `exercise.vary.${key}.step`, message: "expected a step above 0" });
      else if (step !== undefined && val(step) > 0 && (val(to) - val(from)) / val(step) > 1000)
        out.push({ path: `exercise.vary.${key}.step`, message: "expected at most 1,000 values in a range" });
    }
  }
  return out;
}
