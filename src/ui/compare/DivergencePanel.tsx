/**
 * The divergences: the first step where the two runs' states differ, in plain language, with the
 * kernel check that decided it; buttons for the first, previous and next divergence; the one at or
 * before the cursor; and the policy notes that came before the first divergence (flags that agree
 * while the kernels read them differently).
 */
import { memo } from "react";
import type { CompareInfo, Divergence, Granularity, PairViewState } from "../../worker/api.ts";
import { useCompare, useCompareStore } from "./context.tsx";

function stepText(d: Pick<Divergence, "positions">, g: Granularity): string {
  return `${g === "action" ? "action" : "step"} ${d.positions[g].toLocaleString("en-US")}`;
}

export const DivergencePanel = memo(function DivergencePanel({
  info,
  view,
}: {
  info: CompareInfo;
  view: PairViewState;
}) {
  const store = useCompareStore();
  const g = useCompare((s) => s.granularity);
  const position = useCompare((s) => s.position);
  const list = info.divergences;
  const first = info.first >= 0 ? list[info.first]! : null;
  const current = view.divergence >= 0 ? list[view.divergence]! : null;
  const hasPrev = list.some((d) => d.positions[g] < position);
  const hasNext = list.some((d) => d.positions[g] > position);
  const notes = info.policy.filter((n) => !first || n.positions.table <= first.positions.table);
  return (
    <section className="panel cmp-divergence" aria-label="Divergences" data-testid="divergence-panel">
      <div className="cmp-div-head">
        <h2 className="zl-h2">Where the runs part</h2>
        <div className="cmp-div-nav">
          <button
            type="button"
            onClick={() => first && store.getState().goToDivergence(first.index)}
            disabled={!first}
          >
            First divergence
          </button>
          <button type="button" onClick={() => store.getState().stepDivergence(-1)} disabled={!hasPrev}>
            ◀ Previous divergence
          </button>
          <button type="button" onClick={() => store.getState().stepDivergence(1)} disabled={!hasNext}>
            Next divergence ▶
          </button>
          <span className="muted small" data-testid="divergence-count">
            {list.length === 0
              ? "no divergences"
              : current
                ? `divergence ${current.index + 1} of ${list.length}`
                : `${list.length} divergences, none yet`}
          </span>
        </div>
      </div>
      {first ? (
        <div className="cmp-first" data-testid="first-divergence" data-step={first.positions[g]}>
          <p>
            <strong>First divergence, {stepText(first, g)}:</strong> {first.text}
          </p>
          {first.detail && <p className="muted">{first.detail}</p>}
        </div>
      ) : (
        <p data-testid="first-divergence">The two runs never differ in memory.</p>
      )}
      {current && current !== first && (
        <p className="cmp-current" data-testid="current-divergence">
          <strong>At {stepText(current, g)}:</strong> {current.text}
        </p>
      )}
      {notes.length > 0 && (
        <details className="cmp-notes">
          <summary>
            Before it: {notes.length} policy note{notes.length === 1 ? "" : "s"} (flags and decisions, not yet
            memory)
          </summary>
          <ul>
            {notes.map((n) => (
              <li key={`${n.pair}-${n.text}`}>
                <button
                  type="button"
                  className="linklike"
                  onClick={() => store.getState().seek(n.positions[g])}
                >
                  {stepText(n, g)}
                </button>{" "}
                {n.text}
              </li>
            ))}
          </ul>
        </details>
      )}
    </section>
  );
});
