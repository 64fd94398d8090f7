/**
 * The exercise's bar under the header (issue 19), shown while the scenario on screen asks
 * questions: the student's seed and the problem it drew, how far the student has got, "ask the
 * questions" (off: browse freely), start again, and the teacher's answer key.
 */
import { useState } from "react";
import { drawnValues, hasVary, MAX_SEED, scoreOfResults } from "../../state/exercise.ts";
import { useApp, useAppStore } from "../store-context.tsx";
import { useExercise, useStudy } from "../study/context.tsx";

function SeedField() {
  const store = useAppStore();
  const seed = useApp((s) => s.seed);
  const [text, setText] = useState<string | null>(null);
  const shown = text ?? (seed === null ? "" : String(seed));
  const value = shown.trim() === "" ? null : Number(shown);
  const valid = value === null || (Number.isInteger(value) && value >= 0 && value <= MAX_SEED);
  return (
    <form
      className="zx-seed"
      onSubmit={(e) => {
        e.preventDefault();
        if (!valid) return;
        setText(null);
        void store.getState().setSeed(value);
      }}
    >
      <label>
        Your seed{" "}
        <input
          type="text"
          inputMode="numeric"
          size={8}
          value={shown}
          placeholder="none"
          aria-invalid={valid ? undefined : true}
          aria-describedby="zx-seed-hint"
          onChange={(e) => setText(e.target.value)}
        />
      </label>
      <button type="submit" disabled={!valid || value === seed}>
        Draw my problem
      </button>
      <span id="zx-seed-hint" className="sr-only">
        A whole number, such as your student number; empty: the problem as written
      </span>
    </form>
  );
}

export function ExerciseBar() {
  const study = useStudy();
  const scenario = useApp((s) => s.scenario);
  const seed = useApp((s) => s.seed);
  const status = useExercise((s) => s.status);
  const answers = useExercise((s) => s.answers);
  const results = useExercise((s) => s.results);
  const asking = useExercise((s) => s.asking);
  const error = useExercise((s) => s.error);
  if (!study || status === "none") return null;
  const score = scoreOfResults(results);
  const settled = results.filter((r) => r !== null).length;
  const drawn = drawnValues(scenario, seed);
  return (
    <section className="zx-bar" aria-label="Exercise" data-testid="exercise-bar">
      <span className="zx-badge">Exercise</span>
      {hasVary(scenario) && <SeedField />}
      {drawn.length > 0 && (
        <span className="zx-drawn" data-testid="exercise-drawn">
          {drawn.map((d) => `${d.label} ${d.text}`).join(" · ")}
        </span>
      )}
      {status === "loading" && <span className="muted">working out the answers…</span>}
      {status === "error" && (
        <span className="zx-problem" role="alert">
          {error}
        </span>
      )}
      {answers && (
        <span className="zx-progress" data-testid="exercise-progress">
          {settled} of {answers.checkpoints.length} questions · {score.right} right
        </span>
      )}
      <label className="zx-asking">
        <input
          type="checkbox"
          checked={asking}
          onChange={(e) => study.exercise.getState().setAsking(e.target.checked)}
        />{" "}
        Ask before each step
      </label>
      <button type="button" onClick={() => study.exercise.getState().restart()} disabled={!answers}>
        Start again
      </button>
      <button type="button" onClick={() => study.answerKey.getState().openKey()} aria-haspopup="dialog">
        Answer key
      </button>
    </section>
  );
}
