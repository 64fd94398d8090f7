/**
 * While the worker computes a run: how far it has got (scenario actions done, elapsed time) and a
 * Cancel button. Cancelling ends the worker (restartable-engine.ts) and loads the last scenario
 * that was on screen again, so the page is never left without a run.
 */
import { useEffect, useRef, useState } from "react";
import type { VariantId } from "../../worker/api.ts";
import { useEngineHandle, useEngineProgress } from "../share/context.tsx";
import { useApp, useAppStore } from "../store-context.tsx";

interface Shown {
  presetId: string | null;
  scenario: unknown;
  kernel: VariantId | null;
}

/** The last scenario that finished loading: what a cancel goes back to. */
function useLastReady(): React.RefObject<Shown | null> {
  const store = useAppStore();
  const last = useRef<Shown | null>(null);
  useEffect(() => {
    const record = () => {
      const s = store.getState();
      if (s.status === "ready")
        last.current = { presetId: s.presetId, scenario: s.scenario, kernel: s.kernel };
    };
    record();
    return store.subscribe(record);
  }, [store]);
  return last;
}

export function LoadProgressBar() {
  const store = useAppStore();
  const engine = useEngineHandle();
  const status = useApp((s) => s.status);
  const running = useEngineProgress((p) => p.running);
  const startedAt = useEngineProgress((p) => p.startedAt);
  const last = useEngineProgress((p) => p.last);
  const cancelled = useEngineProgress((p) => p.cancelled);
  const lastReady = useLastReady();
  const [now, setNow] = useState(() => performance.now());
  useEffect(() => {
    if (!running) return;
    const t = setInterval(() => setNow(performance.now()), 200);
    return () => clearInterval(t);
  }, [running]);

  if (cancelled && status !== "loading")
    return (
      <p className="zl-progress muted" role="status">
        The computation was cancelled; the previous scenario is shown.
      </p>
    );
  if (!running && status !== "loading") return null;
  const seconds = Math.max(0, (now - startedAt) / 1000);
  const done = last?.actionsDone ?? 0;
  const total = last?.actionsTotal ?? 0;
  const what =
    last === null
      ? "starting the engine…"
      : last.phase === "indexing"
        ? "indexing the steps…"
        : `action ${Math.min(done + 1, total)} of ${total}`;
  const cancel = () => {
    if (!engine) return;
    const prev = lastReady.current;
    engine.cancel();
    if (!prev) return;
    const preset = store.getState().presets.find((p) => p.id === prev.presetId);
    if (preset && preset.scenario === prev.scenario) void store.getState().loadPreset(preset.id, prev.kernel);
    else void store.getState().loadScenario(prev.scenario, prev.kernel);
  };
  return (
    <div className="zl-progress" role="status" data-testid="load-progress">
      <span>Computing: {what}</span>
      <progress max={Math.max(1, total)} value={last ? done : undefined} aria-label="Computation progress" />
      <span className="muted">{seconds.toFixed(1)} s</span>
      {engine && (
        <button type="button" onClick={cancel}>
          Cancel
        </button>
      )}
    </div>
  );
}
