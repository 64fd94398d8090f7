/**
 * An exercise being played: a slice beside the app store that asks the scenario's
 * questions before their steps, grades the answers, reveals the steps and keeps the score.
 *
 * The answers come from the worker (EngineApi.exercise: derived from the run on screen, never
 * from the document). Each question is tied to the step before its scenario action (its "hold");
 * the app store's seek limit (AppState.seekLimit) keeps stepping and playback from passing the
 * next unanswered one. Arriving at a hold asks its question (playback pauses); an answer or a
 * skip reveals the step (the store seeks past it) with the rule that decided it and the counter
 * that answers it; Continue resumes playback if it was playing. Several questions about one step
 * are asked one after the other, then revealed together. At the end of the run, with every
 * question settled, a score summary.
 *
 * A question the run never reaches (it hangs before) is not asked; it counts as "not reached".
 * Turning "ask the questions" off lifts the limit (a teacher browsing the run); answers stay.
 */
import { createStore, type StoreApi } from "zustand/vanilla";
import { drawScenario, hasCheckpoints, hasVary } from "../exercise/draw.ts";
import { type Given, isCorrect, type Score, scoreOf } from "../exercise/grade.ts";
import { decodeLink, encodeLink } from "../permalink/index.ts";
import { PARAMETERS } from "../scenario/parameters.ts";
import type { EngineApi, ExerciseAnswers } from "../worker/api.ts";
import type { LinkSync } from "./link-sync.ts";
import type { AppState, AppStore, SeekLimit } from "./store.ts";

// What the exercise's views need from the model's small, engine-free modules (the UI reaches the
// model only through state).
export { hasVary, MAX_SEED } from "../exercise/draw.ts";
export {
  answerWords,
  formatNumber,
  optionWords,
  toleranceWords,
  unitWords,
} from "../exercise/format.ts";
export type { Given } from "../exercise/grade.ts";

export type CheckpointStatus = "right" | "wrong" | "skipped" | "void";

export interface CheckpointResult {
  readonly status: CheckpointStatus;
  readonly given: Given | null;
}

export type ExercisePhase =
  | { readonly kind: "idle" }
  | { readonly kind: "asking"; readonly index: number }
  | { readonly kind: "revealed"; readonly indices: readonly number[] }
  | { readonly kind: "summary" };

/** Where each question is asked and revealed, at one granularity of one run. */
export interface ExercisePositions {
  readonly runId: number;
  readonly granularity: string;
  readonly holds: readonly number[];
  readonly reveals: readonly number[];
}

export interface ExerciseState {
  /** The run the answers belong to; null: no exercise on screen. */
  readonly runId: number | null;
  readonly status: "none" | "loading" | "ready" | "error";
  readonly error: string | null;
  readonly answers: ExerciseAnswers | null;
  /** Per question: null while open. */
  readonly results: readonly (CheckpointResult | null)[];
  readonly phase: ExercisePhase;
  readonly positions: ExercisePositions | null;
  /** Questions are asked (off: browse the run freely; the answers stay). */
  readonly asking: boolean;
  /** A click question's choice so far: the page table last clicked on the map. */
  readonly clicked: { readonly mm: number; readonly table: number } | null;

  answer(given: Given): void;
  skip(): void;
  /** After a reveal: carry on (playback resumes if the question paused it). */
  proceed(): void;
  /** Forgets every answer and goes back to the start. */
  restart(): void;
  setAsking(on: boolean): void;
  closeSummary(): void;
  /** Nothing is being fetched or converted (tests wait on it). */
  isIdle(): boolean;
}

/** An exercise store's data with no exercise (the store's start, and the page's stand-in without one). */
export const NO_EXERCISE = {
  runId: null,
  status: "none",
  error: null,
  answers: null,
  results: [],
  phase: { kind: "idle" },
  positions: null,
  asking: false,
  clicked: null,
} as const satisfies Partial<ExerciseState>;

export type ExerciseStore = StoreApi<ExerciseState> & { stop(): void };

/** What a seed draws from a scenario's ranges, in words ("guest RAM", "96 GiB"); [] without. */
export function drawnValues(
  scenario: unknown,
  seed: number | null,
): readonly { readonly label: string; readonly text: string }[] {
  if (seed === null || !hasVary(scenario)) return [];
  const d = drawScenario(scenario, seed);
  return d.ok ? d.values.map((v) => ({ label: PARAMETERS[v.id].label, text: v.text })) : [];
}

/**
 * The link a student opens: the scenario as the author wrote it, with the student's seed (null:
 * none, for the class to add `&seed=` and a number), from its start, under the kernel the seed
 * draws (or the scenario's), without this run's self-check (it belongs to another problem).
 */
export function studentLink(sync: LinkSync, seed: number | null): string {
  const url = sync.linkTo({ step: false });
  const at = url.indexOf("#");
  const r = decodeLink(url.slice(at));
  if (!r.ok) return url;
  const { sweep: _sweep, seed: _seed, ...rest } = r.state;
  const state = { ...rest, kernel: null, check: null, compareCheck: null };
  return `${url.slice(0, at)}#${encodeLink(seed === null ? state : { ...state, seed })}`;
}

export function scoreOfResults(results: readonly (CheckpointResult | null)[]): Score {
  return scoreOf(results);
}

export function createExerciseStore(app: AppStore, api: EngineApi): ExerciseStore {
  const session = new ExerciseSession(app, api);
  return Object.assign(session.store, { stop: session.stop });
}

/** The exercise over the app's run: its answers, where its questions stand, and the reader's turns. */
class ExerciseSession {
  readonly store: StoreApi<ExerciseState>;
  readonly stop: () => void;
  private seq = 0;
  private busy = 0;
  /** Playback was on when the open question paused it. */
  private resume = false;
  /** The summary was shown (or closed) for this run. */
  private summarized = false;

  constructor(
    private readonly app: AppStore,
    private readonly api: EngineApi,
  ) {
    this.store = createStore<ExerciseState>()(() => ({
      ...NO_EXERCISE,
      asking: true,
      answer: (given) => this.answer(given),
      skip: () => this.settle({ status: "skipped", given: null }),
      proceed: () => this.proceed(),
      restart: () => this.restart(),
      setAsking: (on) => this.setAsking(on),
      closeSummary: () => {
        if (this.get().phase.kind === "summary") this.set({ phase: { kind: "idle" } });
      },
      isIdle: (): boolean => {
        const s: ExerciseState = this.get();
        return this.busy === 0 && s.status !== "loading" && (s.status !== "ready" || s.positions !== null);
      },
    }));
    this.stop = app.subscribe((s, prev) => this.onApp(s, prev));
    // The store may already show a run when the slice is made.
    if (app.getState().run) void this.load();
  }

  private get(): ExerciseState {
    return this.store.getState();
  }

  private set(patch: Partial<ExerciseState>): void {
    this.store.setState(patch);
  }

  /**
   * A new run loads its answers; another granularity places the questions again; every move of
   * the position may ask one; a click on the map is a click question's choice.
   */
  private onApp(s: AppState, prev: AppState): void {
    const st = this.get();
    if (s.run !== prev.run || (s.status !== prev.status && s.status === "ready")) {
      if ((s.run?.runId ?? null) !== st.runId || st.status === "none") {
        void this.load();
        return;
      }
    }
    if (s.granularity !== prev.granularity) {
      this.set({ positions: null });
      this.updateLimit();
      void this.place();
      return;
    }
    if (st.phase.kind === "asking" && s.selection !== prev.selection && s.selection) {
      const q = st.answers?.checkpoints[st.phase.index];
      if (q?.kind === "click") this.set({ clicked: { mm: s.selection.mm, table: s.selection.table } });
    }
    if (s.position !== prev.position) this.check();
  }

  /** The exercise, the app and the positions, when all three describe the run on screen. */
  private current() {
    const s = this.get();
    const a = this.app.getState();
    const p = s.positions;
    if (s.status !== "ready" || !s.answers || !p || !a.run) return null;
    if (p.runId !== a.run.runId || p.granularity !== a.granularity || s.runId !== a.run.runId) return null;
    return { s, a, p };
  }

  /** The seek limit: the first hold of an open question at or after the position. */
  private updateLimit(): void {
    const c = this.current();
    const a = this.app.getState();
    let next: SeekLimit | null = null;
    if (c?.s.asking && a.run) {
      let limit: number | null = null;
      c.p.holds.forEach((h, i) => {
        if (c.s.results[i] === null && h >= a.position && (limit === null || h < limit)) limit = h;
      });
      if (limit !== null) next = { runId: a.run.runId, granularity: a.granularity, position: limit };
    }
    const old = a.seekLimit;
    if (
      next?.position !== old?.position ||
      next?.runId !== old?.runId ||
      next?.granularity !== old?.granularity
    )
      a.setSeekLimit(next);
  }

  /** At a hold with an open question: ask it. At the end with none open: the score. */
  private check(): void {
    this.updateLimit();
    const c = this.current();
    if (!c?.s.asking || c.s.phase.kind !== "idle") return;
    const pos = c.a.position;
    const i = c.p.holds.findIndex((h, k) => h === pos && c.s.results[k] === null);
    if (i >= 0) {
      this.resume = this.resume || c.a.playing;
      if (c.a.playing) c.a.setPlaying(false);
      this.set({ phase: { kind: "asking", index: i }, clicked: null });
      if (c.s.answers!.checkpoints[i]?.kind === "click" && c.a.selection !== null) c.a.select(null);
      return;
    }
    const count = c.a.run!.counts[c.a.granularity];
    if (!this.summarized && pos === count && c.s.results.every((r) => r !== null)) {
      this.summarized = true;
      this.set({ phase: { kind: "summary" } });
    }
  }

  /** Places every question at the app's granularity: its hold and the step that reveals it. */
  private async place(): Promise<void> {
    const s = this.get();
    const a = this.app.getState();
    if (s.status !== "ready" || !s.answers || !a.run || s.runId !== a.run.runId) return;
    const run = a.run;
    const granularity = a.granularity;
    const mine = ++this.seq;
    this.busy++;
    try {
      const end = run.counts[granularity];
      const holds: number[] = [];
      const reveals: number[] = [];
      for (const c of s.answers.checkpoints) {
        if (c.answer === null || !run.trace.actions[c.at + 1]) {
          // Not reached (void), or how the run ends: asked at the end of what ran.
          holds.push(end);
          reveals.push(end);
          continue;
        }
        holds.push(await this.api.convert(run.runId, "action", c.at + 1, granularity));
        reveals.push(await this.api.convert(run.runId, "action", c.at + 2, granularity));
      }
      const now = this.app.getState();
      if (mine !== this.seq || now.run?.runId !== run.runId || now.granularity !== granularity) return;
      this.set({ positions: { runId: run.runId, granularity, holds, reveals } });
    } catch (e) {
      if (mine === this.seq)
        this.set({ status: "error", error: `the exercise's steps could not be placed: ${String(e)}` });
      return;
    } finally {
      this.busy--;
    }
    this.check();
  }

  /** A new run on screen: its answers, from the worker, if its scenario asks anything. */
  private async load(): Promise<void> {
    const a = this.app.getState();
    const run = a.run;
    this.resume = false;
    this.summarized = false;
    const mine = ++this.seq;
    const cleared = { answers: null, results: [], phase: { kind: "idle" }, positions: null } as const;
    if (!run || a.status !== "ready" || !hasCheckpoints(a.scenario)) {
      this.set({ runId: null, status: "none", ...cleared });
      this.updateLimit();
      return;
    }
    this.set({ runId: run.runId, status: "loading", ...cleared });
    this.updateLimit();
    this.busy++;
    try {
      const answers = await this.api.exercise(run.runId);
      if (mine !== this.seq || this.app.getState().run?.runId !== run.runId) return;
      if (!answers) {
        this.set({ status: "none" });
        return;
      }
      const results = answers.checkpoints.map((c) =>
        c.answer === null ? { status: "void" as const, given: null } : null,
      );
      this.set({ status: "ready", answers, results, error: null });
    } catch (e) {
      if (mine === this.seq)
        this.set({ status: "error", error: `the answers could not be derived: ${String(e)}` });
      return;
    } finally {
      this.busy--;
    }
    await this.place();
  }

  /** Settles the open question, then asks the next one about the same step or reveals the step. */
  private settle(result: CheckpointResult): void {
    const s = this.get();
    const c = this.current();
    if (s.phase.kind !== "asking" || !c) return;
    const i = s.phase.index;
    const results = s.results.slice();
    results[i] = result;
    this.set({ results, clicked: null });
    const hold = c.p.holds[i]!;
    const next = c.p.holds.findIndex((h, k) => h === hold && results[k] === null);
    if (next >= 0) {
      this.set({ phase: { kind: "asking", index: next } });
      return;
    }
    const indices = c.p.holds
      .map((h, k) => (h === hold && results[k]?.status !== "void" ? k : -1))
      .filter((k) => k >= 0);
    this.set({ phase: { kind: "revealed", indices } });
    this.updateLimit();
    this.app.getState().seek(c.p.reveals[i]!);
  }

  private answer(given: Given): void {
    const s = this.get();
    if (s.phase.kind !== "asking" || !s.answers) return;
    const a = s.answers.checkpoints[s.phase.index]?.answer;
    if (!a) return;
    this.settle({ status: isCorrect(a, given) ? "right" : "wrong", given });
  }

  private proceed(): void {
    if (this.get().phase.kind !== "revealed") return;
    this.set({ phase: { kind: "idle" } });
    const playAgain = this.resume;
    this.resume = false;
    this.check();
    if (this.get().phase.kind === "asking") {
      // The next question follows at once: playback stays paused for it, and resumes after it.
      this.resume = playAgain;
      return;
    }
    // Nothing left to play at the end of the run (the score is showing).
    const a = this.app.getState();
    if (playAgain && a.run && a.position < a.run.counts[a.granularity]) a.setPlaying(true);
  }

  private restart(): void {
    this.summarized = false;
    this.resume = false;
    this.set({
      results: this.get().results.map((r) => (r?.status === "void" ? r : null)),
      phase: { kind: "idle" },
      clicked: null,
    });
    this.app.getState().setPlaying(false);
    this.app.getState().seek(0);
    this.check();
  }

  private setAsking(asking: boolean): void {
    this.set({ asking, ...(asking ? {} : { phase: { kind: "idle" } as const }) });
    this.check();
  }
}
