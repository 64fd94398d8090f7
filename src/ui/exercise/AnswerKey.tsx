/**
 * The teacher's answer key: a table of seeds with each one's problem and answers,
 * computed on the second worker one seed at a time (state/answer-key.ts), with each student's
 * link, and as CSV. The same rows as `zeropage-lab exercise --seeds …`.
 */
import { answerWords, hasVary, studentLink } from "../../state/exercise.ts";
import { PARAMETERS } from "../../state/sweep.ts";
import type { AnswerKeyRow } from "../../worker/api.ts";
import { download } from "../export/download.ts";
import { useLinkSync } from "../share/context.tsx";
import { Dialog } from "../share/Dialog.tsx";
import { useApp } from "../store-context.tsx";
import { useAnswerKey, useStudy } from "../study/context.tsx";

function csvCell(s: string): string {
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** The key as CSV: one row per seed, the drawn values, then each question's answer. */
export function answerKeyCsv(rows: readonly AnswerKeyRow[]): string {
  const params = [...new Set(rows.flatMap((r) => r.values.map((v) => v.id)))];
  const questions = Math.max(0, ...rows.map((r) => r.checkpoints.length));
  const header = [
    "seed",
    ...params,
    "kernel",
    "outcome",
    ...Array.from({ length: questions }, (_, i) => `q${i + 1}`),
    "problem",
  ];
  const lines = rows.map((r) => [
    r.seed === null ? "" : String(r.seed),
    ...params.map((p) => r.values.find((v) => v.id === p)?.text ?? ""),
    r.kernel ?? "",
    r.outcome ?? "",
    ...Array.from({ length: questions }, (_, i) => {
      const c = r.checkpoints[i];
      return c ? answerWords(c, ["source", "destination"]) : "";
    }),
    r.problem,
  ]);
  return `${[header, ...lines].map((l) => l.map(csvCell).join(",")).join("\r\n")}\r\n`;
}

export function AnswerKey() {
  const study = useStudy();
  const sync = useLinkSync();
  const scenario = useApp((s) => s.scenario);
  const title = useApp((s) => s.run?.title ?? "exercise");
  const open = useAnswerKey((s) => s.open);
  const rows = useAnswerKey((s) => s.rows);
  const status = useAnswerKey((s) => s.status);
  const done = useAnswerKey((s) => s.done);
  const total = useAnswerKey((s) => s.total);
  const error = useAnswerKey((s) => s.error);
  const seedsText = useAnswerKey((s) => s.seedsText);
  if (!study) return null;
  const key = study.answerKey.getState();
  const ranged = hasVary(scenario);
  const questions = rows.find((r) => r.checkpoints.length > 0)?.checkpoints ?? [];
  return (
    <Dialog open={open} onClose={() => key.close()} title="Answer key" className="zx-key-dialog">
      <form
        className="zx-key-form"
        onSubmit={(e) => {
          e.preventDefault();
          void key.run();
        }}
      >
        {ranged ? (
          <label>
            Seeds{" "}
            <input
              type="text"
              value={seedsText}
              onChange={(e) => key.setSeedsText(e.target.value)}
              placeholder="1-30, 42"
              aria-describedby="zx-key-hint"
            />
          </label>
        ) : (
          <span className="muted">
            This exercise has no ranges: every student gets the problem as written.
          </span>
        )}
        <button type="submit" disabled={status === "running"}>
          {ranged ? "Work out the answers" : "Work out again"}
        </button>
        {status === "running" && (
          <button type="button" onClick={() => key.cancel()}>
            Cancel
          </button>
        )}
        <button
          type="button"
          disabled={rows.length === 0}
          onClick={() =>
            download(`${title.replace(/[^A-Za-z0-9]+/g, "-")}-answer-key.csv`, answerKeyCsv(rows), "text/csv")
          }
        >
          Download CSV
        </button>
        {ranged && (
          <span id="zx-key-hint" className="zl-hint">
            Students open the exercise's link with <code>&amp;seed=</code> and their number; each seed draws
            its own problem.
          </span>
        )}
      </form>
      {status === "running" && (
        <div className="zx-key-progress">
          <progress max={total} value={done} aria-label="Answer key progress" /> {done} of {total} seeds
        </div>
      )}
      {error && (
        <p className="zx-problem" role="alert">
          {error}
        </p>
      )}
      {rows.length > 0 && (
        <div className="zx-key-scroll">
          <table className="zx-key" data-testid="answer-key">
            <thead>
              <tr>
                <th scope="col">Seed</th>
                <th scope="col">Problem</th>
                {questions.map((q, i) => (
                  <th key={`${q.index}`} scope="col" title={q.question}>
                    Q{i + 1}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.seed ?? "as written"} data-seed={r.seed ?? ""}>
                  <th scope="row">
                    {r.seed === null ? (
                      "as written"
                    ) : sync ? (
                      <a
                        href={studentLink(sync, r.seed)}
                        target="_blank"
                        rel="noopener"
                        title="This student's link"
                      >
                        {r.seed}
                      </a>
                    ) : (
                      r.seed
                    )}
                  </th>
                  <td>
                    {r.values.map((v) => `${PARAMETERS[v.id].label} ${v.text}`).join(", ")}
                    {r.kernel && (
                      <span className="muted">
                        {" "}
                        ({r.kernel}, {r.outcome})
                      </span>
                    )}
                    {r.problem && <span className="zx-problem"> cannot run: {r.problem}</span>}
                  </td>
                  {questions.map((q, i) => {
                    const c = r.checkpoints[i];
                    return (
                      <td key={`${r.seed}-${q.index}`}>
                        {c ? answerWords(c, ["source", "destination"]) : ""}
                      </td>
                    );
                  })}
                </tr>
              ))}
            </tbody>
          </table>
          <ol className="zx-key-questions">
            {questions.map((q) => (
              <li key={`q-${q.index}`}>{q.question}</li>
            ))}
          </ol>
        </div>
      )}
    </Dialog>
  );
}
