/**
 * Compare mode: two runs side by side in lockstep. Left is the app's run (its scenario and
 * kernel), right is the same scenario under another kernel or any other scenario (a preset, or a
 * copy of the editor's scenario) under a kernel of its own. Layout: a header naming each side
 * (scenario title, variant letter and id, outcome) with the right side's pickers; the link's
 * check of the right run; the divergence panel and the shared
 * timeline; what each side does at this step; the two runs' host memory maps in one grid (rows: mms, columns: sides) with the diff
 * map; the selected page table on both sides; the overlaid counter charts; and the delta table.
 * The shared timeline sits under the divergence panel, next to the buttons that move it.
 *
 * Everything is computed in the worker (compare(), viewPair()); this only draws.
 */
import { memo, useEffect, useMemo, useRef } from "react";
import { rightChoiceOf } from "../../state/compare.ts";
import type { CompareInfo, PairViewState, RunInfo, VariantId, ViewState } from "../../worker/api.ts";
import { eventLabel } from "../narration/summarize.ts";
import { useLinks } from "../share/context.tsx";
import { LinkBanner } from "../share/LinkBanner.tsx";
import { ShareToolbar } from "../share/ShareToolbar.tsx";
import { useApp, useAppStore } from "../store-context.tsx";
import { CompareCharts } from "./CompareCharts.tsx";
import { CompareControls } from "./CompareControls.tsx";
import { useCompare, useCompareStore } from "./context.tsx";
import { DeltaTable } from "./DeltaTable.tsx";
import { DivergencePanel } from "./DivergencePanel.tsx";
import { PairMaps } from "./PairMaps.tsx";
import "./compare.css";

const SIDE_NAMES = ["left", "right"] as const;

/** The data attributes e2e tests and the UI benchmark wait on (CompareView and EmbedCompare). */
export function useCompareAttributes(): Record<string, string | number> {
  const status = useCompare((s) => s.status);
  const position = useCompare((s) => s.position);
  const viewPosition = useCompare((s) => s.view?.position ?? -1);
  const diffPosition = useCompare((s) => (s.diffMap ? (s.diff?.position ?? -1) : s.position));
  return {
    "data-testid": "compare-view",
    "data-compare-status": status,
    "data-compare-position": position,
    "data-compare-view-position": viewPosition,
    "data-compare-diff-position": diffPosition,
  };
}

export function CompareView() {
  const status = useCompare((s) => s.status);
  const error = useCompare((s) => s.error);
  const left = useCompare((s) => s.left);
  const right = useCompare((s) => s.right);
  const info = useCompare((s) => s.info);
  const view = useCompare((s) => s.view);
  const appRun = useApp((s) => s.run);
  const attributes = useCompareAttributes();
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
    <div className="cmp" {...attributes}>
      <header className="cmp-header">
        <CompareTitle left={left ?? appRun} right={right} />
        <CompareSides left={left ?? appRun} right={right} />
        <div className="cmp-header-actions">
          <RightPicker />
          <LeaveCompare />
          <ShareToolbar />
        </div>
      </header>
      <LinkBanner />
      <RightCheckBanner />
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

/** "Compare: <scenario>", or "Compare: <left> vs <right>" when the sides run different scenarios. */
export function CompareTitle({ left, right }: { left: RunInfo | null; right: RunInfo | null }) {
  const a = left?.title ?? "";
  const b = right?.title ?? a;
  return <h1 className="cmp-title">Compare: {a === b ? a : `${a} vs ${b}`}</h1>;
}

/** Both sides' labels: each names its scenario and its kernel variant. */
export function CompareSides({ left, right }: { left: RunInfo | null; right: RunInfo | null }) {
  const rightKernel = useCompare((s) => s.rightKernel);
  return (
    <div className="cmp-sides">
      <SideLabel side={0} run={left} />
      <span className="cmp-vs">vs</span>
      {right ? (
        <SideLabel side={1} run={right} />
      ) : (
        <span className="cmp-side-label cmp-side-1">{rightKernel ?? ""}</span>
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
      title={`${run.title} under ${k.title}`}
    >
      <span className="cmp-side-tag">{SIDE_NAMES[side]}</span>
      <span className="cmp-side-scenario">{run.title}</span>
      <span className="cmp-side-kernel">
        <strong>
          {k.letter} · {k.id}
        </strong>
        <span className="muted"> {k.title}</span>
        {run.outcome !== "completed" && <span className="cmp-outcome"> ({run.outcome})</span>}
      </span>
    </span>
  );
}

function LeaveCompare() {
  const store = useCompareStore();
  return (
    <button type="button" onClick={() => store.getState().close()} data-testid="leave-compare">
      Leave compare
    </button>
  );
}

/**
 * The right side's scenario and kernel. The scenario is the left's (and follows it), a preset
 * from the gallery, or a copy of the editor's scenario as it is now: a copy, so that editing the
 * left afterwards compares the edit against the original. Choosing a preset that its story does
 * not run under the current right kernel switches to the preset's first variant.
 */
function RightPicker() {
  const store = useCompareStore();
  const app = useAppStore();
  const rightKernel = useCompare((s) => s.rightKernel);
  const rightScenario = useCompare((s) => s.rightScenario);
  const rightTitle = useCompare((s) => s.right?.title ?? "");
  const presets = useApp((s) => s.presets);
  const variants = useApp((s) => s.variants);
  const choice = rightChoiceOf(rightScenario, presets);
  const pick = (value: string) => {
    const kernel = store.getState().rightKernel;
    if (!kernel) return;
    if (value === "same") void store.getState().open(kernel, null);
    else if (value === "editor") {
      const a = app.getState();
      void store.getState().open(kernel, { presetId: a.presetId, scenario: a.scenario });
    } else if (value.startsWith("preset:")) {
      const p = presets.find((x) => `preset:${x.id}` === value);
      if (!p) return;
      const k = p.variants.length === 0 || p.variants.includes(kernel) ? kernel : p.variants[0]!;
      void store.getState().open(k, { presetId: p.id, scenario: p.scenario });
    }
  };
  return (
    <>
      <label>
        right scenario{" "}
        <select
          value={choice}
          onChange={(e) => pick(e.target.value)}
          aria-label="Right-hand scenario"
          data-testid="compare-right-scenario"
        >
          <option value="same">the left's scenario (follows it)</option>
          <option value="editor">a copy of the editor's scenario, as it is now</option>
          {choice === "custom" && (
            <option value="custom">{rightTitle || "a custom scenario"} (custom)</option>
          )}
          <optgroup label="Presets">
            {presets.map((p) => (
              <option key={p.id} value={`preset:${p.id}`}>
                {p.title}
              </option>
            ))}
          </optgroup>
        </select>
      </label>
      <label>
        right kernel{" "}
        <select
          value={rightKernel ?? ""}
          onChange={(e) =>
            void store.getState().open(e.target.value as VariantId, store.getState().rightScenario)
          }
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
    </>
  );
}

/**
 * The link's expectation for the right run (`ch`), when today's right run ends differently: said
 * as plainly as the single view's LinkBanner says it for the left run.
 */
export function RightCheckBanner() {
  const report = useLinks((s) => s.compare?.report ?? null);
  const right = useCompare((s) => s.right);
  if (!report || report.matches) return null;
  return (
    <div className="banner zl-link-warning" role="alert" data-testid="compare-link-check">
      <p>
        <strong>
          The right-hand run{right ? ` (${right.title}, ${right.kernel.id})` : ""}: {report.message}
        </strong>
      </p>
      <p>What you see is today's result; the link's expectation stays in the address bar.</p>
    </div>
  );
}

/** What one side does at this step: its event and the rules that fired, as in the narration. */
const SideStep = memo(function SideStep({ side, run, view }: { side: 0 | 1; run: RunInfo; view: ViewState }) {
  const t = run.trace;
  const e = view.event;
  const label = e >= 0 ? eventLabel(run, e) : "the start";
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
