/** Stepping: start, back, forward, end, at the chosen granularity. */
import type { Granularity } from "../../worker/api.ts";
import { useApp, useAppStore } from "../store-context.tsx";

const LABELS: Record<Granularity, string> = { action: "action", table: "page table", pte: "PTE" };

export function StepControls() {
  const store = useAppStore();
  const run = useApp((s) => s.run);
  const position = useApp((s) => s.position);
  const granularity = useApp((s) => s.granularity);
  const total = run ? run.counts[granularity] : 0;
  const s = () => store.getState();
  return (
    <nav className="controls" aria-label="Playback">
      <button
        type="button"
        onClick={() => s().seek(0)}
        disabled={!run || position === 0}
        aria-label="Jump to start"
      >
        ⏮
      </button>
      <button
        type="button"
        onClick={() => s().stepBy(-1)}
        disabled={!run || position === 0}
        aria-label="Previous step"
      >
        ◀ Prev
      </button>
      <button
        type="button"
        onClick={() => s().stepBy(1)}
        disabled={!run || position >= total}
        aria-label="Next step"
      >
        Next ▶
      </button>
      <button
        type="button"
        onClick={() => s().seek(total)}
        disabled={!run || position >= total}
        aria-label="Jump to end"
      >
        ⏭
      </button>
      <label className="field">
        <span>Step by</span>
        <select
          value={granularity}
          onChange={(e) => void s().setGranularity(e.target.value as Granularity)}
          aria-label="Step granularity"
        >
          {(Object.keys(LABELS) as Granularity[]).map((g) => (
            <option key={g} value={g}>
              {LABELS[g]}
            </option>
          ))}
        </select>
      </label>
      <output className="position" data-testid="position">
        step {position.toLocaleString("en-US")} of {total.toLocaleString("en-US")}
      </output>
    </nav>
  );
}
