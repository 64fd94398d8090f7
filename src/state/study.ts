/**
 * Exercises and sweeps, wired: the exercise being played (exercise.ts) over the app's
 * engine, and the sweep (sweep.ts) and answer key (answer-key.ts) over a second worker, so that
 * neither blocks the run on screen. main.tsx makes one per page; the UI reaches the slices
 * through its study context.
 */
import type { EngineApi } from "../worker/api.ts";
import { type AnswerKeyStore, createAnswerKeyStore } from "./answer-key.ts";
import { createExerciseStore, type ExerciseStore } from "./exercise.ts";
import type { LinkSync } from "./link-sync.ts";
import type { AppStore } from "./store.ts";
import { createSweepStore, type SweepEngine, type SweepStore } from "./sweep.ts";

export interface Study {
  readonly exercise: ExerciseStore;
  readonly sweep: SweepStore;
  readonly answerKey: AnswerKeyStore;
}

export function createStudy(
  app: AppStore,
  appApi: EngineApi,
  second: SweepEngine,
  sync: LinkSync | null,
): Study {
  return {
    exercise: createExerciseStore(app, appApi),
    sweep: createSweepStore(app, second, sync, appApi),
    answerKey: createAnswerKeyStore(app, second),
  };
}
