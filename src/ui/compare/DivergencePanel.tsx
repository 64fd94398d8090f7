/**
 * The divergences: the first step where the two runs' states differ, in plain language, with the
 * kernel check that decided it; buttons for the first, previous and next divergence; the one at or
 * before the cursor; and the policy notes that came before the first divergence (flags that agree
 * while the kernels read them differently).
 */
import { memo } from "react";
import { divergenceSide } from "../../state/compare.ts";
import type { CompareInfo, Divergence, Granularity, PairViewState } from "../../worker/api.ts";
import { useCompare, useCompareStore } from "./context.tsx";

/** Where a divergence is: "step 390,211", or at action granularity "in action 4". */
function stepText(d: Pick<Divergence, "positions">, g: Granularity): string {
  // positions.action is the end of the action the divergence belongs to.
  return g === "action"
    ? `in action ${d.positions.action.toLocaleString("en-US")}`
    : `step ${d.positions[g].toLocaleString("en-US")}`;
}

/** The divergence counter: which one the cursor is on, or how many lie before it. */
function countText(
  list: readonly Divergence[],
  current: Divergence | null,
  g: Granularity,
  position: number,
) {
  if (list.length === 0) return "no divergences";
  if (g === "action") {
    const before = list.filter((d) => divergenceSide(d, g, position) < 0).length;
    return before === 0
      ? `${list.length} divergences, none yet`
      : `${before} of ${list.length} divergences before this point`;
  }
  return current
    ? `divergence ${current.index + 1} of ${list.length}`
    : `${list.length} divergences, none yet`;
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
  const hasPrev = list.some((d) => divergenceSide(d, g, position) < 0);
  const hasNext = list.some((d) => divergenceSide(d, g, position) > 0);
  const notes = info.policy.filter((n) => !first || n.positions.table <= first.positions.table);
  return (
    <section className="panel cmp-divergence" aria-label="Divergences" data-testid="divergence-panel">
      <div className="cmp-div-head">
        <h2 className="zl-h2">Where the runs part</h2>
        <div className="cmp-div-nav">
          <button
            type="button"
            onClick={() => first && void store.getState().goToDivergence(first.index)}
            disabled={!first}
            title={
              g === "action"
                ? "Steps by page table: the cursor stands on the step where the runs part"
                : undefined
            }
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
            {countText(list, current, g, position)}
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
      {g === "action" && list.length > 0 && (
        <p className="muted small" data-testid="divergence-granularity-note">
          Stepping by scenario action, the cursor stands between actions; the divergence buttons step by page
          table, onto the step where the runs part.
        </p>
      )}
      {current && current !== first && g !== "action" && (
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
