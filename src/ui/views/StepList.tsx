/** The scenario's actions; the current one is highlighted, and clicking one jumps to its end. */
import { useApp, useAppStore } from "../store-context.tsx";

export function StepList() {
  const store = useAppStore();
  const run = useApp((s) => s.run);
  const view = useApp((s) => s.view);
  const granularity = useApp((s) => s.granularity);
  if (!run) return <p className="muted">Loading the scenario…</p>;
  const actions = run.trace.actions;
  const current = view?.action ?? -1;
  return (
    <ol className="step-list">
      <li>
        <button
          type="button"
          className={current === -1 ? "step current" : "step"}
          aria-current={current === -1 ? "step" : undefined}
          onClick={() => store.getState().seek(0)}
        >
          <span className="step-actor">start</span> nothing mapped yet
        </button>
      </li>
      {actions.map((a, i) => (
        <li key={`${a.firstEvent}-${a.endEvent}-${a.label}`}>
          <button
            type="button"
            className={i === current ? "step current" : "step"}
            aria-current={i === current ? "step" : undefined}
            onClick={() => {
              const st = store.getState();
              if (granularity === "action") st.seek(i + 1);
              else void st.seekToEvent(a.endEvent - 1);
            }}
          >
            <span className={`step-actor actor-${a.actor}`}>{a.actor}</span> {a.label}
            {a.note && <span className="step-note">{a.note}</span>}
          </button>
        </li>
      ))}
    </ol>
  );
}
