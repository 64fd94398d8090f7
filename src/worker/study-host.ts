/**
 * The worker's side of exercises and sweeps: answers for a held run, one sweep point,
 * one row of the answer key. Each call does one run's worth of work (or, for a question that
 * chooses among kernels, one run per kernel), so the page reports progress between calls and can
 * stop a sweep by not asking for the next point, or by ending a worker mid-point.
 */
import type { ExerciseAnswers } from "../exercise/answers.ts";
import { deriveAnswers } from "../exercise/answers.ts";
import { hasCheckpoints } from "../exercise/draw.ts";
import { type AnswerKeyRow, answerKeyRow, runnerFor } from "../exercise/key.ts";
import type { RunResult } from "../scenario/compile.ts";
import { runSweepPoint, type SweepPoint, type SweepPointRequest } from "../sweep/run.ts";
import type { AnswerKeyRequest } from "./api.ts";

const answered = new WeakMap<RunResult, ExerciseAnswers>();

/** The run's answers (derived once per run), or null when its scenario asks nothing. */
export function exerciseOf(result: RunResult): ExerciseAnswers | null {
  if (!hasCheckpoints(result.scenario)) return null;
  let a = answered.get(result);
  if (!a) {
    a = deriveAnswers(result, runnerFor(result.scenario));
    answered.set(result, a);
  }
  return a;
}

export function sweepPoint(req: SweepPointRequest): SweepPoint {
  return runSweepPoint(req);
}

export function answerKey(req: AnswerKeyRequest): AnswerKeyRow {
  return answerKeyRow(req.scenario, req.seed, req.kernel);
}
