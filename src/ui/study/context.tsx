/**
 * React access to exercises and sweeps (src/state/study.ts). Optional: a page (or a
 * test, or an embed) without them renders the exercise and sweep views as nothing.
 */
import { createContext, type ReactNode, useContext } from "react";
import { useStore } from "zustand";
import { createStore } from "zustand/vanilla";
import type { AnswerKeyState } from "../../state/answer-key.ts";
import { type ExerciseState, NO_EXERCISE } from "../../state/exercise.ts";
import type { Study } from "../../state/study.ts";
import { SWEEP_IDLE, type SweepState } from "../../state/sweep.ts";

const StudyContext = createContext<Study | null>(null);

export function StudyProvider({ study, children }: { study: Study | null; children: ReactNode }) {
  return <StudyContext.Provider value={study}>{children}</StudyContext.Provider>;
}

export function useStudy(): Study | null {
  return useContext(StudyContext);
}

const none = () => {};
const NO_EXERCISE_STORE = createStore<ExerciseState>()(() => ({
  ...NO_EXERCISE,
  answer: none,
  skip: none,
  proceed: none,
  restart: none,
  setAsking: none,
  closeSummary: none,
  isIdle: () => true,
}));

const NO_SWEEP = createStore<SweepState>()(() => ({
  ...SWEEP_IDLE,
  openPanel: none,
  close: none,
  start: async () => {},
  cancel: none,
  openPoint: async () => {},
}));

const NO_KEY = createStore<AnswerKeyState>()(() => ({
  open: false,
  seedsText: "",
  rows: [],
  status: "idle",
  done: 0,
  total: 0,
  error: null,
  openKey: none,
  close: none,
  setSeedsText: none,
  run: async () => {},
  cancel: none,
}));

export function useExercise<T>(selector: (s: ExerciseState) => T): T {
  return useStore(useStudy()?.exercise ?? NO_EXERCISE_STORE, selector);
}

export function useSweep<T>(selector: (s: SweepState) => T): T {
  return useStore(useStudy()?.sweep ?? NO_SWEEP, selector);
}

export function useAnswerKey<T>(selector: (s: AnswerKeyState) => T): T {
  return useStore(useStudy()?.answerKey ?? NO_KEY, selector);
}
