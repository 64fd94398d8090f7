/**
 * The scenario's actions, as a list of steps: the current one is highlighted, markers are
 * flagged, and clicking one goes to its end. At a finer granularity the current action shows how
 * far into it we are.
 */
import { useEffect, useMemo, useRef } from "react";
import { useApp, useAppStore } from "../store-context.tsx";
import { axisOf } from "./derived.ts";
import { markerName } from "./markers.ts";
import { NoRun } from "./NoRun.tsx";
import { positionToU } from "./trace-axis.ts";

export function StepList() {
  const store = useAppStore();
  const run = useApp((s) => s.run);
  const position = useApp((s) => s.position);
  const granularity = useApp((s) => s.granularity);
  const ax = useMemo(() => (run ? axisOf(run) : null), [run]);
  const listRef = useRef<HTMLOListElement>(null);
  const u = run && ax ? positionToU(ax, granularity, position) : 0;
  // The action the position is in (at action granularity: the one that just ended).
  let current = -1;
  if (run && ax) {
    if (granularity === "action") current = position - 1;
    else if (position > 0)
      for (let a = 0; a < run.trace.actions.length; a++) if (ax.actionStart_u[a]! < u) current = a;
  }
  // Keep the current step in sight by scrolling its panel only (never the page).
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs when the current step changes.
  useEffect(() => {
    const list = listRef.current;
    const panel = list?.closest(".panel");
    const item = list?.querySelector('[aria-current="step"]');
    if (!panel || !item || panel.scrollHeight <= panel.clientHeight) return;
    const pr = panel.getBoundingClientRect();
    const ir = item.getBoundingClientRect();
    if (ir.top < pr.top) panel.scrollTop -= pr.top - ir.top + 6;
    else if (ir.bottom > pr.bottom) panel.scrollTop += ir.bottom - pr.bottom + 6;
  }, [current]);
  if (!run || !ax) return <NoRun loading="Loading the scenario…" />;
  const actions = run.trace.actions;
  const go = (i: number) => {
    const st = store.getState();
    st.setPlaying(false);
    if (i < 0) st.seek(0);
    else if (st.granularity === "action") st.seek(i + 1);
    else void st.seekToEvent(actions[i]!.endEvent - 1);
  };
  return (
    <>
      <h2 className="panel-title">Scenario</h2>
      <ol className="step-list" ref={listRef}>
        <li>
          <button
            type="button"
            className={current === -1 ? "step current" : "step"}
            aria-current={current === -1 ? "step" : undefined}
            onClick={() => go(-1)}
          >
            <span className="step-num">0</span>
            <span className="step-text">
              <span className="step-actor">start</span>
              nothing mapped yet
            </span>
          </button>
        </li>
        {actions.map((a, i) => {
          const w = ax.actionStart_u[i + 1]! - ax.actionStart_u[i]!;
          const within =
            i === current && granularity !== "action" && w > 0 ? (u - ax.actionStart_u[i]!) / w : null;
          return (
            <li key={`${a.firstEvent}-${a.endEvent}-${a.label}`}>
              <button
                type="button"
                className={[i === current ? "step current" : "step", i > current ? "future" : ""]
                  .join(" ")
                  .trim()}
                aria-current={i === current ? "step" : undefined}
                onClick={() => go(i)}
              >
                <span className="step-num">{i + 1}</span>
                <span className="step-text">
                  <span className={`step-actor actor-${a.actor}`}>
                    {a.actor}
                    {a.marker && <span className={`chip chip-${a.marker}`}>{markerName(a.marker)}</span>}
                  </span>
                  {a.label}
                  {a.note && <span className="step-note">{a.note}</span>}
                  {within !== null && (
                    <span className="step-progress" aria-hidden="true">
                      <span style={{ transform: `scaleX(${Math.max(0, Math.min(1, within))})` }} />
                    </span>
                  )}
                </span>
              </button>
            </li>
          );
        })}
      </ol>
    </>
  );
}
