/**
 * The exercise's bar under the header, shown while the scenario on screen asks
 * questions: the student's seed and the problem it drew, how far the student has got, "ask the
 * questions" (off: browse freely), start again, and the teacher's answer key.
 */
import { type KeyboardEvent, useRef, useState } from "react";
import { drawnValues, hasVary, MAX_SEED, scoreOfResults, studentLink } from "../../state/exercise.ts";
import { copyText } from "../share/clipboard.ts";
import { useLinkSync } from "../share/context.tsx";
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
      <ClassLink />
      <button type="button" onClick={() => study.answerKey.getState().openKey()} aria-haspopup="dialog">
        Answer key
      </button>
    </section>
  );
}

/**
 * The link to hand out: the exercise without a seed and without this run's self-check; each
 * student adds `&seed=` and their number.
 */
function ClassLink() {
  const sync = useLinkSync();
  const scenario = useApp((s) => s.scenario);
  useApp((s) => s.run);
  const [open, setOpen] = useState(false);
  const [copied, setCopied] = useState(false);
  const toggle = useRef<HTMLButtonElement>(null);
  if (!sync) return null;
  const link = studentLink(sync, null);
  // Escape closes the pop-up from its button or from inside it, and leaves the focus on the button.
  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key !== "Escape" || !open) return;
    e.stopPropagation();
    setOpen(false);
    toggle.current?.focus();
  };
  return (
    <div className="zx-class">
      <button
        ref={toggle}
        type="button"
        aria-expanded={open}
        onClick={() => setOpen((o) => !o)}
        onKeyDown={onKeyDown}
      >
        Link for the class
      </button>
      {open && (
        <fieldset className="zx-class-pop" aria-label="The link to hand out" onKeyDown={onKeyDown}>
          <input
            readOnly
            value={link}
            aria-label="Class link"
            data-testid="exercise-class-link"
            onFocus={(e) => e.target.select()}
          />
          <button
            type="button"
            onClick={() => {
              void copyText(link).then((ok) => setCopied(ok));
            }}
          >
            {copied ? "Copied" : "Copy"}
          </button>
          <span className="zl-hint">
            {hasVary(scenario)
              ? "Each student adds &seed= and their number (a student number) to get their own problem."
              : "Every student gets the same problem (the exercise has no ranges)."}
          </span>
        </fieldset>
      )}
    </div>
  );
}
