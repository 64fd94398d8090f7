/**
 * Grading an answer against the run's (answers.ts): a number within its tolerance, a choice among
 * the right ones, a click on the right page table (or within the question's tolerance of it).
 * Pure and small: the page grades as the student answers.
 */
import type { Answer } from "./answers.ts";

/** What a student gave: a number, an option's id, or a page table on the map. */
export type Given =
  | { readonly kind: "number"; readonly value: number }
  | { readonly kind: "choice"; readonly option: string }
  | { readonly kind: "click"; readonly mm: number; readonly table: number };

/** The distance a number answer may be off by, in its unit. */
export function allowedError(answer: Extract<Answer, { kind: "number" }>): number {
  const t = answer.tolerance;
  return "absolute" in t ? t.absolute : Math.abs(answer.value) * t.relative;
}

export function isCorrect(answer: Answer, given: Given): boolean {
  switch (answer.kind) {
    case "number":
      // A hair of slack for decimals typed from a rounded display (1e-9 of the answer).
      return (
        given.kind === "number" &&
        Number.isFinite(given.value) &&
        Math.abs(given.value - answer.value) <= allowedError(answer) + Math.abs(answer.value) * 1e-9
      );
    case "kernel":
      return given.kind === "choice" && answer.correct.includes(given.option);
    case "outcome":
      return given.kind === "choice" && given.option === answer.outcome;
    case "pte":
      return given.kind === "choice" && given.option === answer.outcome;
    case "click":
      return (
        given.kind === "click" &&
        given.mm === answer.mm &&
        Math.abs(given.table - answer.table) <= answer.tolerance
      );
  }
}

/** The score line: "2 of 3 right, 1 skipped". */
export interface Score {
  readonly right: number;
  readonly wrong: number;
  readonly skipped: number;
  /** Questions the run never reached (not asked). */
  readonly void: number;
  readonly total: number;
}

export function scoreOf(
  results: readonly ({ readonly status: "right" | "wrong" | "skipped" | "void" } | null | undefined)[],
): Score {
  let right = 0;
  let wrong = 0;
  let skipped = 0;
  let none = 0;
  for (const r of results) {
    if (r?.status === "right") right++;
    else if (r?.status === "wrong") wrong++;
    else if (r?.status === "void") none++;
    else skipped++;
  }
  return { right, wrong, skipped, void: none, total: results.length };
}
