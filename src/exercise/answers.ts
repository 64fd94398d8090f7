/**
 * Answers from the run. A scenario's questions name what they ask about (a counter of the source
 * or the destination, the kernels to choose among, the map); the answer is read from the trace the
 * engine produced for this very scenario, never from the document. With the answer comes what
 * the step shows when it is revealed: the rule that decided it (the rule behind most of the step's
 * PTE changes, or its flag changes) and the counter that answers it, before and after.
 *
 * A question about scenario action k is asked before trace action k + 1 (trace action 0 is QEMU
 * starting). A run that stops early (a hang, an OOM kill) never reaches the later actions: their
 * questions are "not reached", except a question about how the run ends, which is answered at the
 * end of what ran.
 */
import {
  applyEvent,
  COUNTERS,
  type CounterKey,
  counterAt,
  counterAvailable,
  effectsOf,
  footprintOf,
  stepsOf,
  type Trace,
  type VariantId,
} from "../engine/index.ts";
import { Pte } from "../engine/pte.ts";
import { STATE_FRAME } from "../engine/snapshot.ts";
import type { Outcome } from "../hypervisor/machine.ts";
import type { RunResult } from "../scenario/compile.ts";
import {
  type AnswerUnit,
  type Checkpoint,
  COUNTER_PICKS,
  type KernelPick,
  type Measure,
  NONE_OF_THEM,
  PTE_OUTCOMES,
  type PteOutcome,
  type QuestionCounter,
  RUN_OUTCOMES,
  UNIT_BYTES,
  unitOf,
} from "../scenario/exercise-schema.ts";
import { formatParameterValue, parameterValueOf } from "../scenario/parameters.ts";
import type { Scenario } from "../scenario/schema.ts";

export const SOURCE = 0;
export const DESTINATION = 1;

export { NONE_OF_THEM } from "../scenario/exercise-schema.ts";

export type Answer =
  | {
      readonly kind: "number";
      /** The answer in `unit` (what the student types). */
      readonly value: number;
      /** The counter's own value (bytes, pages or a count). */
      readonly raw: number;
      readonly unit: AnswerUnit;
      /** Accepted distance: a share of the answer, or an amount in `unit`. */
      readonly tolerance: { readonly relative: number } | { readonly absolute: number };
    }
  | {
      readonly kind: "kernel";
      /** Every kernel that fits the question ([NONE_OF_THEM] when none does). */
      readonly correct: readonly string[];
      /** Each kernel's value of the counter (null: no counter, or it could not run) and outcome. */
      readonly values: readonly {
        readonly kernel: VariantId;
        readonly value: number | null;
        readonly outcome: Outcome | null;
        readonly problem: string;
      }[];
    }
  | { readonly kind: "outcome"; readonly outcome: Outcome }
  | {
      readonly kind: "pte";
      readonly outcome: PteOutcome;
      /** Pages whose PTE ended in each kind of mapping during the step. */
      readonly counts: Readonly<Record<PteOutcome, number>>;
    }
  | {
      readonly kind: "click";
      readonly mm: number;
      readonly table: number;
      /** The guest page the step reached first there. */
      readonly page: number;
      /** Page tables either side that still count. */
      readonly tolerance: number;
    };

export interface CounterReveal {
  readonly key: CounterKey;
  readonly mm: number;
  readonly before: number;
  readonly after: number;
}

export interface Reveal {
  /** Id of the rule that decided the step (engine/rules.ts), or null for a step without one. */
  readonly rule: string | null;
  readonly counter: CounterReveal | null;
  /** One sentence about the answer ("the run hung: …"), or "". */
  readonly note: string;
}

export interface CheckpointAnswer {
  /** Place in the (drawn) scenario's exercise.checkpoints. */
  readonly index: number;
  readonly kind: Checkpoint["ask"];
  /** The scenario action it is asked before. */
  readonly at: number;
  /** The question, its {placeholders} filled from this run's scenario. */
  readonly question: string;
  /** What the student chooses among (kernel ids, outcomes, pte outcomes); [] for numbers and clicks. */
  readonly options: readonly string[];
  /** The mm a number or a click is about (0 source, 1 destination). */
  readonly mm: number;
  /** The run gets to the action (an outcome question is always answered). */
  readonly reached: boolean;
  readonly answer: Answer | null;
  readonly reveal: Reveal;
}

export interface ExerciseAnswers {
  readonly kernel: VariantId;
  readonly outcome: Outcome;
  readonly checkpoints: readonly CheckpointAnswer[];
}

/** Runs the same scenario under another kernel (null: it cannot run there, with why). */
export type RunUnder = (kernel: VariantId) => { run: RunResult } | { problem: string };

const COUNTER_INDEX = new Map<string, number>(COUNTERS.map((c, i) => [c.key, i]));

function counterIndex(key: QuestionCounter): number {
  const i = COUNTER_INDEX.get(key);
  if (i === undefined) throw new Error(`no counter ${key}`);
  return i;
}

/** The trace's events of scenario action `at`, or null when the run never got there. */
export function eventsOfAction(t: Trace, at: number): { first: number; end: number } | null {
  const a = t.actions[at + 1];
  if (!a) return null;
  return { first: a.firstEvent, end: a.endEvent };
}

/** A counter of mm `mm` over action `at`, read as `measure`. */
export function measureAt(
  t: Trace,
  at: { first: number; end: number },
  mm: number,
  counter: QuestionCounter,
  measure: Measure,
): number {
  const c = counterIndex(counter);
  const before = counterAt(t, at.first - 1, mm, c);
  const after = at.end > at.first ? counterAt(t, at.end - 1, mm, c) : before;
  switch (measure) {
    case "before":
      return before;
    case "after":
      return after;
    case "change":
      return after - before;
    case "peak": {
      let max = before;
      for (let e = at.first; e < at.end; e++) max = Math.max(max, counterAt(t, e, mm, c));
      return max;
    }
  }
}

function counterReveal(
  t: Trace,
  at: { first: number; end: number },
  mm: number,
  key: QuestionCounter,
): CounterReveal {
  const c = counterIndex(key);
  const before = counterAt(t, at.first - 1, mm, c);
  return { key, mm, before, after: at.end > at.first ? counterAt(t, at.end - 1, mm, c) : before };
}

/**
 * What a PTE state maps, as a "pte" question's option: the frame the fan-in diagram draws it to
 * (engine/snapshot.ts STATE_FRAME), so a memfd page is a page of its own as an anonymous one is.
 */
export function pteOutcomeOf(state: number): Exclude<PteOutcome, "unchanged"> {
  return STATE_FRAME[state] ?? "none";
}

/**
 * The counter that shows a step's pages becoming `o`. A page of its own is counted in RssAnon,
 * or in RssShmem when it is a memfd (shmem) page: `shmem` says which most of them are.
 */
function outcomeCounter(o: PteOutcome, shmem: boolean): QuestionCounter {
  switch (o) {
    case "zeropage":
      return "zeropagePtes";
    case "ksm":
      return "ksmPages";
    case "none":
      return "presentPages";
    default:
      return shmem ? "rssShmemBytes" : "rssAnonBytes";
  }
}

/** Whether a PTE state maps a shmem (memfd) page of its own. */
const isShmemPage = (state: number) => state === Pte.SHMEM_ZERO || state === Pte.SHMEM_DATA;

/** PTE changes of action `at` (on mm `mm`, or any), by what they end as, with the rule per class. */
function pteChanges(
  t: Trace,
  at: { first: number; end: number },
  mm: number | null,
): {
  counts: Record<PteOutcome, number>;
  rules: Map<PteOutcome, Map<number, number>>;
  mmOf: Map<PteOutcome, number>;
  /** Most of the pages that became pages of their own are memfd (shmem) pages. */
  shmem: boolean;
} {
  const counts = Object.fromEntries(PTE_OUTCOMES.map((o) => [o, 0])) as Record<PteOutcome, number>;
  let shmemPages = 0;
  const rules = new Map<PteOutcome, Map<number, number>>();
  const mmOf = new Map<PteOutcome, number>();
  for (let e = at.first; e < at.end; e++) {
    if (mm !== null && t.mm[e] !== mm) continue;
    for (const eff of effectsOf(t, e)) {
      if (eff.from === eff.to) continue;
      const o = pteOutcomeOf(eff.to);
      counts[o] += eff.count;
      if (isShmemPage(eff.to)) shmemPages += eff.count;
      const r = rules.get(o) ?? new Map<number, number>();
      r.set(eff.rule, (r.get(eff.rule) ?? 0) + eff.count);
      rules.set(o, r);
      if (!mmOf.has(o)) mmOf.set(o, t.mm[e]!);
    }
  }
  return { counts, rules, mmOf, shmem: shmemPages * 2 > counts.own };
}

function heaviest(m: Map<number, number> | undefined): number | null {
  let best: number | null = null;
  let most = -1;
  for (const [k, n] of m ?? []) {
    if (n > most) {
      best = k;
      most = n;
    }
  }
  return best;
}

/**
 * The rule that decided action `at`: the rule behind most of its PTE changes (on `mm` if given),
 * else behind most of its effects, else its most frequent event-level step (a flag change, a
 * userfault) other than the migration's page-set bookkeeping.
 */
export function decidingRule(t: Trace, at: { first: number; end: number }, mm: number | null): string | null {
  const changing = new Map<number, number>();
  const all = new Map<number, number>();
  const steps = new Map<number, number>();
  for (const only of mm === null ? [null] : [mm, null]) {
    for (let e = at.first; e < at.end; e++) {
      if (only !== null && t.mm[e] !== only) continue;
      for (const eff of effectsOf(t, e)) {
        all.set(eff.rule, (all.get(eff.rule) ?? 0) + eff.count);
        if (eff.from !== eff.to) changing.set(eff.rule, (changing.get(eff.rule) ?? 0) + eff.count);
      }
      // Page-set bookkeeping (the migration's dirty and received bitmaps) decides nothing.
      for (const s of stepsOf(t, e)) if (t.ruleIds[s] !== "pageset") steps.set(s, (steps.get(s) ?? 0) + 1);
    }
    const r = heaviest(changing) ?? heaviest(all) ?? heaviest(steps);
    if (r !== null) return t.ruleIds[r] ?? null;
  }
  return null;
}

/** The question's {placeholders}: the run's own parameters, as the scenario has them. */
export function fillQuestion(text: string, scenario: Scenario, kernel: VariantId): string {
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => {
    if (name === "kernel") return kernel;
    if (
      name === "guestRam" ||
      name === "balloon" ||
      name === "written" ||
      name === "qemuVersion" ||
      name === "zeroPageDetection" ||
      name === "skeys" ||
      name === "migration"
    ) {
      const v = parameterValueOf(scenario, name);
      return v === null ? whole : formatParameterValue(name, v);
    }
    return whole;
  });
}

function toleranceOf(t: number | string): { relative: number } | { absolute: number } {
  if (typeof t === "number") return { absolute: t };
  return { relative: Number(t.trim().replace(/%$/, "")) / 100 };
}

/** The first page (in visit order) of event `e` whose PTE the event changes, with its table. */
function firstChangedPage(run: RunResult, e: number): { page: number; table: number } | null {
  const sim = run.simulation;
  const event = sim.events[e];
  if (!event) return null;
  const before = sim.worldAt({ event: e, done: 0 });
  const after = before.clone();
  applyEvent(after, event);
  const mm = run.trace.mm[e]!;
  const a = before.mms[mm]!.pt;
  const b = after.mms[mm]!.pt;
  const runs = footprintOf(run.trace, e);
  for (let i = 0; i < runs.length; i += 2) {
    const first = runs[i]!;
    const end = first + runs[i + 1]!;
    for (let p = first; p < end; p++) {
      if (a.ptes.get(p) !== b.ptes.get(p)) return { page: p, table: a.tableOf(p) };
    }
  }
  return null;
}

function tableOfPage(run: RunResult, mm: number, page: number): number {
  const t = run.trace;
  return Math.floor((page + (t.mmPageOffset[mm] ?? 0)) / 2 ** (t.mmPteShift[mm] ?? 8));
}

function kernelAnswer(c: Extract<Checkpoint, { ask: "kernel" }>, run: RunResult, runUnder: RunUnder): Answer {
  const usesCounter = COUNTER_PICKS.includes(c.pick);
  const mm = c.on === "destination" ? DESTINATION : SOURCE;
  const values = c.kernels.map((kernel) => {
    const r = kernel === run.kernel ? { run } : runUnder(kernel);
    if ("problem" in r) return { kernel, value: null, outcome: null, problem: r.problem };
    const other = r.run;
    if (!usesCounter) return { kernel, value: null, outcome: other.outcome, problem: "" };
    const span = eventsOfAction(other.trace, c.at);
    if (!span)
      return {
        kernel,
        value: null,
        outcome: other.outcome,
        problem: `the run stops before this step (${other.outcome})`,
      };
    if (mm >= other.trace.mmNames.length)
      return { kernel, value: null, outcome: other.outcome, problem: "no destination in this run" };
    const info = COUNTERS[counterIndex(c.counter!)]!;
    if (!counterAvailable(info, other.kernelVersion))
      return {
        kernel,
        value: null,
        outcome: other.outcome,
        problem: `${info.label} does not exist in Linux ${other.kernelVersion}`,
      };
    return {
      kernel,
      value: measureAt(other.trace, span, mm, c.counter!, c.measure),
      outcome: other.outcome,
      problem: "",
    };
  });
  const known = values.filter((x) => x.value !== null) as { kernel: VariantId; value: number }[];
  const pickers: Record<KernelPick, () => string[]> = {
    least: () => {
      const min = Math.min(...known.map((x) => x.value));
      return known.filter((x) => x.value === min).map((x) => x.kernel);
    },
    most: () => {
      const max = Math.max(...known.map((x) => x.value));
      return known.filter((x) => x.value === max).map((x) => x.kernel);
    },
    zero: () => known.filter((x) => x.value === 0).map((x) => x.kernel),
    nonzero: () => known.filter((x) => x.value !== 0).map((x) => x.kernel),
    hangs: () => values.filter((x) => x.outcome === "hung").map((x) => x.kernel),
    completes: () => values.filter((x) => x.outcome === "completed").map((x) => x.kernel),
  };
  const correct = pickers[c.pick]();
  return { kind: "kernel", correct: correct.length > 0 ? correct : [NONE_OF_THEM], values };
}

/** Whether a kernel question can have no kernel as its answer (then "none of them" is offered). */
export function offersNone(pick: KernelPick): boolean {
  return pick !== "least" && pick !== "most";
}

function answerOne(c: Checkpoint, index: number, run: RunResult, runUnder: RunUnder): CheckpointAnswer {
  const t = run.trace;
  const span = eventsOfAction(t, c.at);
  const question = fillQuestion(c.question, run.scenario, run.kernel);
  const on = "on" in c ? c.on : undefined;
  const mm = on === "destination" ? DESTINATION : SOURCE;
  const base = { index, kind: c.ask, at: c.at, question, mm };
  const options =
    c.ask === "kernel"
      ? [...c.kernels, ...(offersNone(c.pick) ? [NONE_OF_THEM] : [])]
      : c.ask === "outcome"
        ? [...RUN_OUTCOMES]
        : c.ask === "pte"
          ? [...PTE_OUTCOMES]
          : [];
  if (c.ask === "outcome") {
    const last = { first: Math.max(0, t.events - 1), end: t.events };
    const where = span ?? last;
    return {
      ...base,
      options,
      reached: true,
      answer: { kind: "outcome", outcome: run.outcome },
      reveal: { rule: decidingRule(t, where, null), counter: null, note: run.outcomeReason },
    };
  }
  if (!span) {
    return {
      ...base,
      options,
      reached: false,
      answer: null,
      reveal: {
        rule: null,
        counter: null,
        note: `The run ${run.outcome === "hung" ? "hangs" : "stops"} before this step: ${run.outcomeReason}`,
      },
    };
  }
  if (mm >= t.mmNames.length)
    return {
      ...base,
      options,
      reached: false,
      answer: null,
      reveal: { rule: null, counter: null, note: "This run has no destination." },
    };
  switch (c.ask) {
    case "number": {
      const unit = unitOf(c);
      const info = COUNTERS[counterIndex(c.counter)]!;
      if (!counterAvailable(info, run.kernelVersion))
        return {
          ...base,
          options,
          reached: false,
          answer: null,
          reveal: {
            rule: null,
            counter: null,
            note: `${info.label} does not exist in Linux ${run.kernelVersion}, the kernel this run models.`,
          },
        };
      const raw = measureAt(t, span, mm, c.counter, c.measure);
      return {
        ...base,
        options,
        reached: true,
        answer: {
          kind: "number",
          value: raw / UNIT_BYTES[unit],
          raw,
          unit,
          tolerance: toleranceOf(c.tolerance),
        },
        reveal: { rule: decidingRule(t, span, mm), counter: counterReveal(t, span, mm, c.counter), note: "" },
      };
    }
    case "kernel": {
      const answer = kernelAnswer(c, run, runUnder);
      const counter = c.counter ? counterReveal(t, span, mm, c.counter) : null;
      return {
        ...base,
        options,
        reached: true,
        answer,
        reveal: {
          rule: decidingRule(t, span, c.counter ? mm : null),
          counter,
          note: c.pick === "hangs" || c.pick === "completes" ? run.outcomeReason : "",
        },
      };
    }
    case "pte": {
      const only = on === undefined ? null : mm;
      const { counts, rules, mmOf, shmem } = pteChanges(t, span, only);
      let outcome: PteOutcome = "unchanged";
      for (const o of PTE_OUTCOMES) if (o !== "unchanged" && counts[o] > counts[outcome]) outcome = o;
      const ruleIndex = heaviest(rules.get(outcome));
      const revealMm = only ?? mmOf.get(outcome) ?? SOURCE;
      return {
        ...base,
        mm: revealMm,
        options,
        reached: true,
        answer: { kind: "pte", outcome, counts },
        reveal: {
          rule: ruleIndex !== null ? (t.ruleIds[ruleIndex] ?? null) : decidingRule(t, span, only),
          counter: counterReveal(t, span, revealMm, outcomeCounter(outcome, shmem)),
          note: "",
        },
      };
    }
    case "click": {
      let found: { page: number; table: number; event: number } | null = null;
      for (let e = span.first; e < span.end && !found; e++) {
        if (t.mm[e] !== mm || t.runCount[e] === 0) continue;
        if (c.target === "touched") {
          const page = footprintOf(t, e)[0]!;
          found = { page, table: tableOfPage(run, mm, page), event: e };
        } else if (effectsOf(t, e).some((x) => x.from !== x.to)) {
          const p = firstChangedPage(run, e);
          if (p) found = { ...p, event: e };
        }
      }
      if (!found)
        return {
          ...base,
          options,
          reached: false,
          answer: null,
          reveal: {
            rule: decidingRule(t, span, mm),
            counter: null,
            note: `This step ${c.target === "touched" ? "touches" : "changes"} no page of the ${t.mmNames[mm]}.`,
          },
        };
      const one = { first: found.event, end: found.event + 1 };
      const { counts, shmem } = pteChanges(t, one, mm);
      let outcome: PteOutcome = "unchanged";
      for (const o of PTE_OUTCOMES) if (o !== "unchanged" && counts[o] > counts[outcome]) outcome = o;
      return {
        ...base,
        options,
        reached: true,
        answer: { kind: "click", mm, table: found.table, page: found.page, tolerance: c.tolerance },
        reveal: {
          rule: decidingRule(t, one, mm),
          counter: counterReveal(
            t,
            span,
            mm,
            outcome === "unchanged" ? "pteTables" : outcomeCounter(outcome, shmem),
          ),
          note: "",
        },
      };
    }
  }
}

/**
 * Every question of the run's scenario, answered from the run. `runUnder` runs the same scenario
 * under another kernel, for questions that choose among kernels.
 */
export function deriveAnswers(run: RunResult, runUnder: RunUnder): ExerciseAnswers {
  const checkpoints = run.scenario.exercise?.checkpoints ?? [];
  return {
    kernel: run.kernel,
    outcome: run.outcome,
    checkpoints: checkpoints.map((c, i) => answerOne(c, i, run, runUnder)),
  };
}
