/**
 * Answers in words, for the reveal, the answer key and the command line: "60 GiB (± 2 %)",
 * "s390-06201e00", "the run hangs", "the shared zeropage", "source, page table 432". Small and
 * engine-free: the page formats what the worker derived.
 */
import { NONE_OF_THEM, type PteOutcome } from "../scenario/exercise-schema.ts";
import type { Answer, CheckpointAnswer } from "./answers.ts";

export const PTE_OUTCOME_WORDS: Readonly<Record<PteOutcome, string>> = {
  zeropage: "the shared zeropage",
  own: "a page of its own (allocated)",
  ksm: "a KSM page",
  none: "nothing: the PTE is emptied",
  unchanged: "nothing changes",
};

export const RUN_OUTCOME_WORDS: Readonly<Record<string, string>> = {
  completed: "it completes",
  hung: "it hangs",
  failed: "it fails (out of memory)",
};

/** An option's words: a kernel id stays itself; outcomes and mappings get their sentence. */
export function optionWords(kind: CheckpointAnswer["kind"], option: string): string {
  if (kind === "kernel" && option === NONE_OF_THEM) return "none of them";
  if (kind === "pte") return PTE_OUTCOME_WORDS[option as PteOutcome] ?? option;
  if (kind === "outcome") return RUN_OUTCOME_WORDS[option] ?? option;
  return option;
}

/** A number as the answer shows it: up to 3 decimals, no trailing zeros, grouped thousands. */
export function formatNumber(n: number): string {
  return n.toLocaleString("en-US", { maximumFractionDigits: 3 });
}

export function toleranceWords(a: Extract<Answer, { kind: "number" }>): string {
  const t = a.tolerance;
  if ("relative" in t) return t.relative === 0 ? "exactly" : `± ${formatNumber(t.relative * 100)} %`;
  return t.absolute === 0
    ? "exactly"
    : `± ${formatNumber(t.absolute)}${a.unit === "count" ? "" : ` ${a.unit}`}`;
}

export function unitWords(a: Extract<Answer, { kind: "number" }>): string {
  return a.unit === "count" ? "" : ` ${a.unit}`;
}

/** The right answer in words; `mmNames` names the click's address space. */
export function answerWords(
  c: CheckpointAnswer,
  mmNames: readonly string[] = ["source", "destination"],
): string {
  const a = c.answer;
  if (!a) return "not asked (the run never gets there)";
  switch (a.kind) {
    case "number":
      return `${formatNumber(a.value)}${unitWords(a)} (${toleranceWords(a)})`;
    case "kernel":
      return a.correct.map((k) => optionWords("kernel", k)).join(" or ");
    case "outcome":
      return optionWords("outcome", a.outcome);
    case "pte":
      return optionWords("pte", a.outcome);
    case "click":
      return `${mmNames[a.mm] ?? `mm ${a.mm}`}, page table ${formatNumber(a.table)}${a.tolerance > 0 ? ` (± ${a.tolerance})` : ""} (guest page ${formatNumber(a.page)})`;
  }
}
