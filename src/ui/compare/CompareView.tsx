/**
 * Compare mode: two runs side by side in lockstep. Left is the app's run (its scenario and
 * kernel), right is the same scenario under another kernel. Layout: a header naming each side
 * (variant letter, id and title, scenario, outcome); the divergence panel and the shared
 * timeline; what each side does at this step; the two runs' host memory maps in one grid (rows: mms, columns: sides) with the diff
 * map; the selected page table on both sides; the overlaid counter charts; and the delta table.
 * The shared timeline sits under the divergence panel, next to the buttons that move it.
 *
 * Everything is computed in the worker (compare(), viewPair()); this only draws.
 */
import { memo, useEffect, useMemo, useRef } from "react";
import type { CompareInfo, PairViewState, RunInfo, ViewState } from "../../worker/api.ts";
import { LinkBanner } from "../share/LinkBanner.tsx";
import { ShareToolbar } from "../share/ShareToolbar.tsx";
import { useApp } from "../store-context.tsx";
import { CompareCharts } from "./CompareCharts.tsx";
import { CompareControls } from "./CompareControls.tsx";
import { useCompare, useCompareStore } from "./context.tsx";
import { DeltaTable } from "./DeltaTable.tsx";
import { DivergencePanel } from "./DivergencePanel.tsx";
import { PairMaps } from "./PairMaps.tsx";
import "./compare.css";

const SIDE_NAMES = ["left", "right"] as const;

export function CompareView() {
  const store = useCompareStore();
  const status = useCompare((s) => s.status);
  const error = useCompare((s) => s.error);
  const left = useCompare((s) => s.left);
  const right = useCompare((s) => s.right);
  const info = useCompare((s) => s.info);
  const view = useCompare((s) => s.view);
  const rightKernel = useCompare((s) => s.rightKernel);
  const position = useCompare((s) => s.position);
  const diffPosition = useCompare((s) => (s.diffMap ? (s.diff?.position ?? -1) : s.position));
  const appRun = useApp((s) => s.run);
  const variants = useApp((s) => s.variants);
  const title = appRun?.title ?? "";
  // One tuple per pair of runs, so that the memoized panels below re-render only when they change.
  const runs = useMemo(() => (left && right ? ([left, right] as const) : null), [left, right]);
  // The first time both sides are on screen (bench/compare.bench.ts reads this mark).
  const marked = useRef(false);
  useEffect(() => {
    if (!marked.current && status === "ready" && view) {
      marked.current = true;
      performance.mark("zeropage-compare-interactive");
    }
  }, [status, view]);
  return (
    <div
      className="cmp"
      data-testid="compare-view"
      data-compare-status={status}
      data-compare-position={position}
      data-compare-view-position={view?.position ?? -1}
      data-compare-diff-position={diffPosition}
    >
      <header className="cmp-header">
        <h1 className="cmp-title">Compare: {title}</h1>
        <div className="cmp-sides">
          <SideLabel side={0} run={left ?? appRun} />
          <span className="cmp-vs">vs</span>
          {right ? (
            <SideLabel side={1} run={right} />
          ) : (
            <span className="cmp-side-label cmp-side-1">{rightKernel ?? ""}</span>
          )}
        </div>
        <div className="cmp-header-actions">
          <label>
            right kernel{" "}
            <select
              value={rightKernel ?? ""}
              onChange={(e) => void store.getState().open(e.target.value as typeof rightKernel)}
              aria-label="Right-hand kernel"
              data-testid="compare-right-kernel"
            >
              {variants.map((v) => (
                <option key={v.id} value={v.id}>
                  {v.letter} · {v.id}
                </option>
              ))}
            </select>
          </label>
          <button type="button" onClick={() => store.getState().close()} data-testid="leave-compare">
            Leave compare
          </button>
          <ShareToolbar />
        </div>
      </header>
      <LinkBanner />
      {status === "loading" && (
        <p className="cmp-status" role="status">
          Computing the right run and aligning the two in the worker…
        </p>
      )}
      {error && (
        <div className="banner banner-error" role="alert">
          {error}
        </div>
      )}
      {info && runs && view && (
        <>
          <DivergencePanel info={info} view={view} />
          <CompareControls info={info} view={view} />
          <div className="cmp-steps">
            <SideStep side={0} run={runs[0]} view={view.sides[0]} />
            <SideStep side={1} run={runs[1]} view={view.sides[1]} />
          </div>
          <section className="panel cmp-main" aria-label="Memory of both runs">
            <PairMaps runs={runs} view={view} />
            <SelectedTable runs={runs} view={view} />
          </section>
          <CompareCharts info={info} runs={runs} view={view} />
          <DeltaTable info={info} />
          <AlignmentNote info={info} />
        </>
      )}
    </div>
  );
}

function SideLabel({ side, run }: { side: 0 | 1; run: RunInfo | null }) {
  if (!run) return null;
  const k = run.kernel;
  return (
    <span
      className={`cmp-side-label cmp-side-${side}`}
      data-testid={`side-label-${SIDE_NAMES[side]}`}
      title={k.title}
    >
      <span className="cmp-side-tag">{SIDE_NAMES[side]}</span>
      <strong>
        {k.letter} · {k.id}
      </strong>
      <span className="muted"> {k.title}</span>
      {run.outcome !== "completed" && <span className="cmp-outcome"> ({run.outcome})</span>}
    </span>
  );
}

/** What one side does at this step: its event and the rules that fired, as in the narration. */
const SideStep = memo(function SideStep({ side, run, view }: { side: 0 | 1; run: RunInfo; view: ViewState }) {
  const t = run.trace;
  const e = view.event;
  const label = e >= 0 ? t.strings[t.label[e]!] : "the start";
  const mm = e >= 0 ? t.mmNames[t.mm[e]!] : "";
  const changes = (view.changes ?? []).filter((c) => c.from !== c.to);
  return (
    <div className={`panel cmp-step cmp-side-${side}`} data-testid={`side-step-${SIDE_NAMES[side]}`}>
      <p>
        <span className="cmp-side-tag">{SIDE_NAMES[side]}</span> {mm && <>{mm}: </>}
        <strong>{label}</strong>
        {e >= 0 && view.stepsInEvent > 1 && (
          <span className="muted">
            {" "}
            (step {view.stepInEvent.toLocaleString("en-US")} of {view.stepsInEvent.toLocaleString("en-US")})
          </span>
        )}
      </p>
      {changes.length > 0 && (
        <ul className="cmp-rules">
          {changes.map((c) => (
            <li key={`${c.from}-${c.to}-${c.rule}`}>
              {run.rules[c.rule]?.title ?? "?"}{" "}
              <span className="muted">× {c.count.toLocaleString("en-US")}</span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
});

/** The selected page table on both sides: its PTEs by state, and how many differ. */
const SelectedTable = memo(function SelectedTable({
  runs,
  view,
}: {
  runs: readonly [RunInfo, RunInfo];
  view: PairViewState;
}) {
  const [a, b] = [view.sides[0].table, view.sides[1].table];
  if (!a || !b) return <p className="muted small">Click a page table on either map to compare its PTEs.</p>;
  const same = a.states.length === b.states.length;
  let differ = 0;
  if (same) for (let i = 0; i < a.states.length; i++) if (a.states[i] !== b.states[i]) differ++;
  const byState = (run: RunInfo, states: Uint8Array) => {
    const n = new Map<number, number>();
    for (const s of states) n.set(s, (n.get(s) ?? 0) + 1);
    return [...n.entries()]
      .map(([s, c]) => `${c.toLocaleString("en-US")} ${run.pteStates[s]?.name ?? s}`)
      .join(", ");
  };
  const mm = view.sides[0].mms[a.mm]?.name ?? "";
  return (
    <div className="cmp-selected" data-testid="compare-selected-table">
      <p>
        <strong>
          {mm} page table {a.table.toLocaleString("en-US")}
        </strong>
        {same
          ? ` · ${differ} of ${a.states.length} PTEs differ`
          : " · the two sides' tables have different sizes"}
      </p>
      <p className="small">
        <span className="cmp-side-tag">left</span> {a.present ? byState(runs[0], a.states) : "no page table"}
      </p>
      <p className="small">
        <span className="cmp-side-tag">right</span> {b.present ? byState(runs[1], b.states) : "no page table"}
      </p>
    </div>
  );
});

const AlignmentNote = memo(function AlignmentNote({ info }: { info: CompareInfo }) {
  const exact = info.oneSidedPairs === 0 && info.mergedPairs.table === 0;
  return (
    <p className="muted small cmp-align-note" data-testid="alignment-note">
      Aligned by scenario action, then by event, then by page-table position:{" "}
      {info.counts.action.toLocaleString("en-US")} actions, {info.pairCount.toLocaleString("en-US")} event
      pairs, {info.counts.table.toLocaleString("en-US")} page-table steps.{" "}
      {exact
        ? "Both runs take the same steps, one for one."
        : `${info.oneSidedPairs} events run on one side only; ${info.mergedPairs.table} event pairs visit different pages and are merged by address.`}
    </p>
  );
});
