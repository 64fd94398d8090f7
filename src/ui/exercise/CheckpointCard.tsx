/**
 * The question before a step, the step revealed, and the score at the end: a card over
 * the lower right of the page, beside the memory maps (a click question is answered on them). It
 * shows what the exercise slice (state/exercise.ts) decides; the answers and the reveal (the rule
 * and the counter) come from the worker, derived from the run.
 */
import { type FormEvent, useEffect, useId, useRef, useState } from "react";
import {
  answerWords,
  type CheckpointResult,
  formatNumber,
  type Given,
  optionWords,
  scoreOfResults,
  toleranceWords,
  unitWords,
} from "../../state/exercise.ts";
import type { Answer, CheckpointAnswer, RunInfo } from "../../worker/api.ts";
import { formatInt } from "../format.ts";
import { formatValue } from "../narration/summarize.ts";
import { useApp } from "../store-context.tsx";
import { useExercise, useStudy } from "../study/context.tsx";

const STATUS_WORDS: Readonly<Record<CheckpointResult["status"], string>> = {
  right: "Right",
  wrong: "Not quite",
  skipped: "Skipped",
  void: "Not reached",
};

function mmName(run: RunInfo | null, mm: number): string {
  return run?.trace.mmNames[mm] ?? (mm === 0 ? "source" : "destination");
}

function givenWords(c: CheckpointAnswer, g: Given | null, run: RunInfo | null): string {
  if (!g) return "—";
  if (g.kind === "number") {
    const unit = c.answer?.kind === "number" ? unitWords(c.answer) : "";
    return `${formatNumber(g.value)}${unit}`;
  }
  if (g.kind === "click") return `${mmName(run, g.mm)}, page table ${formatInt(g.table)}`;
  return optionWords(c.kind, g.option);
}

/** The step the question is about, as the step list names it. */
function stepLabel(run: RunInfo | null, at: number): string {
  return run?.trace.actions[at + 1]?.label ?? `action ${at + 1}`;
}

function Reveal({
  c,
  result,
  run,
  withRule,
}: {
  c: CheckpointAnswer;
  result: CheckpointResult;
  run: RunInfo | null;
  /** Explain the rule here (the first question it decided; the others name it only). */
  withRule: boolean;
}) {
  const rule = c.reveal.rule ? run?.rules.find((r) => r.id === c.reveal.rule) : undefined;
  const counter = c.reveal.counter;
  const col = counter ? run?.counters.find((k) => k.key === counter.key) : undefined;
  const unit = col?.unit ?? "count";
  const a: Answer | null = c.answer;
  return (
    <li className={`zx-reveal zx-${result.status}`} data-testid="exercise-reveal" data-status={result.status}>
      <p className="zx-q">{c.question}</p>
      <p className="zx-verdict">
        <strong>{STATUS_WORDS[result.status]}.</strong> The answer:{" "}
        <strong>{answerWords(c, run?.trace.mmNames)}</strong>
        {result.given && <> · yours: {givenWords(c, result.given, run)}</>}
      </p>
      {a?.kind === "kernel" && a.values.length > 0 && (
        <table className="zx-kernels">
          <tbody>
            {a.values.map((v) => (
              <tr key={v.kernel} className={a.correct.includes(v.kernel) ? "zx-correct" : undefined}>
                <th scope="row">{v.kernel}</th>
                <td>{v.problem ? v.problem : v.value !== null ? formatValue(unit, v.value) : v.outcome}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {rule && withRule && (
        <p className="zx-rule">
          Decided by <strong>{rule.title}</strong> <code>{rule.path.map((f) => f.fn).join(" → ")}</code>
          <span className="zx-explain">{rule.explain}</span>
          {rule.assumption && <span className="zx-explain">Modelling choice: {rule.assumption}</span>}
        </p>
      )}
      {rule && !withRule && (
        <p className="zx-rule">
          Decided by <strong>{rule.title}</strong>, as above.
        </p>
      )}
      {counter && (
        <p className="zx-counter" data-testid="exercise-counter">
          {col?.label ?? counter.key} on the {mmName(run, counter.mm)}: {formatValue(unit, counter.before)} →{" "}
          <strong>{formatValue(unit, counter.after)}</strong>
        </p>
      )}
      {c.reveal.note && <p className="zx-note">{c.reveal.note}</p>}
    </li>
  );
}

function Ask({ c, index, total }: { c: CheckpointAnswer; index: number; total: number }) {
  const study = useStudy();
  const run = useApp((s) => s.run);
  const clicked = useExercise((s) => s.clicked);
  const [text, setText] = useState("");
  const [option, setOption] = useState<string | null>(null);
  const [problem, setProblem] = useState("");
  const id = useId();
  const first = useRef<HTMLInputElement>(null);
  // A new question: empty the form and put the focus in it (not for a click: the map takes it).
  // biome-ignore lint/correctness/useExhaustiveDependencies: reset when the question changes
  useEffect(() => {
    setText("");
    setOption(null);
    setProblem("");
    if (c.kind !== "click") first.current?.focus();
  }, [index, c.kind]);
  if (!study) return null;
  const ex = study.exercise.getState();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (c.kind === "number") {
      const v = Number(text.trim().replace(/,/g, ""));
      if (text.trim() === "" || !Number.isFinite(v)) {
        setProblem("Type a number (a decimal point, no unit).");
        return;
      }
      ex.answer({ kind: "number", value: v });
    } else if (c.kind === "click") {
      if (clicked) ex.answer({ kind: "click", mm: clicked.mm, table: clicked.table });
    } else if (option !== null) ex.answer({ kind: "choice", option });
  };
  const a = c.answer;
  const ready =
    c.kind === "number" ? text.trim() !== "" : c.kind === "click" ? clicked !== null : option !== null;
  return (
    <form className="zx-ask" onSubmit={submit} aria-labelledby={`${id}-q`} data-testid="exercise-question">
      <p className="zx-step">
        Question {index + 1} of {total} · before: {stepLabel(run, c.at)}
      </p>
      <p className="zx-q" id={`${id}-q`}>
        {c.question}
      </p>
      {c.kind === "number" && a?.kind === "number" && (
        <label className="zx-number">
          <span className="sr-only">Your answer</span>
          <input
            ref={first}
            type="text"
            inputMode="decimal"
            autoComplete="off"
            value={text}
            aria-describedby={`${id}-tol`}
            aria-invalid={problem ? true : undefined}
            onChange={(e) => setText(e.target.value)}
            aria-label="Your answer"
          />
          <span className="zx-unit">{unitWords(a).trim() || "pages or tables"}</span>
          <span className="zx-tol" id={`${id}-tol`}>
            counts if within {toleranceWords(a)}
          </span>
        </label>
      )}
      {c.options.length > 0 && (
        <fieldset className="zx-options">
          <legend className="sr-only">Your answer</legend>
          {c.options.map((o, i) => (
            <label key={o}>
              <input
                ref={i === 0 ? first : undefined}
                type="radio"
                name={`${id}-option`}
                value={o}
                checked={option === o}
                onChange={() => setOption(o)}
              />{" "}
              {optionWords(c.kind, o)}
            </label>
          ))}
        </fieldset>
      )}
      {c.kind === "click" && (
        <p className="zx-click" data-testid="exercise-clicked">
          {clicked
            ? `Your choice: ${mmName(run, clicked.mm)}, page table ${formatInt(clicked.table)}`
            : `Click a page table on the ${mmName(run, c.mm)}'s map.`}
        </p>
      )}
      {problem && (
        <p className="zx-problem" role="alert">
          {problem}
        </p>
      )}
      <div className="zx-buttons">
        <button type="submit" className="zx-primary" disabled={!ready}>
          Check
        </button>
        <button type="button" onClick={() => ex.skip()}>
          Skip
        </button>
      </div>
    </form>
  );
}

function Summary() {
  const study = useStudy();
  const answers = useExercise((s) => s.answers);
  const results = useExercise((s) => s.results);
  if (!study || !answers) return null;
  const score = scoreOfResults(results);
  const asked = score.total - score.void;
  return (
    <div className="zx-summary" data-testid="exercise-summary">
      <h3>
        Your score: {score.right} of {asked} right
      </h3>
      <p className="muted">
        {score.wrong} not quite · {score.skipped} skipped
        {score.void > 0 ? ` · ${score.void} not reached` : ""}
      </p>
      <ol>
        {answers.checkpoints.map((c, i) => (
          <li key={`${c.index}-${c.question}`} className={`zx-${results[i]?.status ?? "skipped"}`}>
            <span className="zx-mark">{STATUS_WORDS[results[i]?.status ?? "skipped"]}</span> {c.question}
          </li>
        ))}
      </ol>
      <div className="zx-buttons">
        <button type="button" className="zx-primary" onClick={() => study.exercise.getState().restart()}>
          Start again
        </button>
        <button type="button" onClick={() => study.exercise.getState().closeSummary()}>
          Close
        </button>
      </div>
    </div>
  );
}

export function CheckpointCard() {
  const study = useStudy();
  const phase = useExercise((s) => s.phase);
  const answers = useExercise((s) => s.answers);
  const results = useExercise((s) => s.results);
  const run = useApp((s) => s.run);
  const next = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (phase.kind === "revealed") next.current?.focus();
  }, [phase]);
  if (!study || !answers || phase.kind === "idle") return null;
  const total = answers.checkpoints.length;
  return (
    <section
      className="zx-card"
      aria-label={phase.kind === "summary" ? "Exercise score" : "Exercise question"}
      aria-live="polite"
      data-testid="exercise-card"
      data-phase={phase.kind}
    >
      {phase.kind === "asking" && answers.checkpoints[phase.index] && (
        <Ask c={answers.checkpoints[phase.index]!} index={phase.index} total={total} />
      )}
      {phase.kind === "revealed" && (
        <>
          <p className="zx-step">
            The step: {stepLabel(run, answers.checkpoints[phase.indices[0] ?? 0]?.at ?? 0)}
          </p>
          <ul className="zx-reveals">
            {phase.indices.map((i, n) => {
              const rule = answers.checkpoints[i]!.reveal.rule;
              const first =
                phase.indices.findIndex((k) => answers.checkpoints[k]!.reveal.rule === rule) === n;
              return (
                <Reveal key={i} c={answers.checkpoints[i]!} result={results[i]!} run={run} withRule={first} />
              );
            })}
          </ul>
          <div className="zx-buttons">
            <button
              ref={next}
              type="button"
              className="zx-primary"
              onClick={() => study.exercise.getState().proceed()}
            >
              Continue
            </button>
          </div>
        </>
      )}
      {phase.kind === "summary" && <Summary />}
    </section>
  );
}
