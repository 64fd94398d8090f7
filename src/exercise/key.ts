/**
 * The answer key: for each seed, the problem it draws and the answers its run gives. The teacher's
 * table in the app (one seed per worker call) and `zeropage-lab exercise` (all of them) both come
 * from answerKeyRow, so they agree with each other and with what each student's page grades.
 */
import type { VariantId } from "../engine/index.ts";
import type { Outcome } from "../hypervisor/machine.ts";
import { actionLabel, type RunResult, runScenario } from "../scenario/compile.ts";
import { type CheckpointAnswer, deriveAnswers, type RunUnder } from "./answers.ts";
import { type DrawnValue, drawScenario } from "./draw.ts";

export interface AnswerKeyRow {
  /** The student's seed; null: the scenario as written (no draw). */
  readonly seed: number | null;
  readonly values: readonly DrawnValue[];
  readonly kernel: VariantId | null;
  readonly outcome: Outcome | null;
  /** Why this seed has no answers (its problem cannot run), else "". */
  readonly problem: string;
  /** The drawn scenario's actions, labelled as the step list labels them. */
  readonly actions: readonly string[];
  readonly checkpoints: readonly CheckpointAnswer[];
}

/** Runs `scenario` under other kernels for questions that choose among kernels (no checkpoints). */
export function runnerFor(scenario: unknown): RunUnder {
  return (kernel) => {
    const r = runScenario(scenario, { kernel, checkpoints: false });
    return r.ok ? { run: r.run } : { problem: r.issues.map((i) => i.message).join("; ") };
  };
}

/** One seed's row: draw, run (with checkpoints, for questions about a click), answer. */
export function answerKeyRow(input: unknown, seed: number | null, kernel?: VariantId): AnswerKeyRow {
  const empty = { seed, values: [], kernel: null, outcome: null, actions: [], checkpoints: [] };
  const drawn =
    seed === null ? { ok: true as const, scenario: input, values: [] } : drawScenario(input, seed);
  if (!drawn.ok) return { ...empty, problem: drawn.issues.map((i) => i.message).join("; ") };
  const r = runScenario(drawn.scenario, kernel ? { kernel } : {});
  if (!r.ok)
    return {
      ...empty,
      values: drawn.values,
      problem: r.issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join("; "),
    };
  const run: RunResult = r.run;
  const answers = deriveAnswers(run, runnerFor(drawn.scenario));
  return {
    seed,
    values: drawn.values,
    kernel: run.kernel,
    outcome: run.outcome,
    problem: "",
    actions: run.scenario.actions.map((a) => actionLabel(a, run.scenario.machine.guestRam)),
    checkpoints: answers.checkpoints,
  };
}
