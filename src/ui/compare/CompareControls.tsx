/**
 * The shared timeline and transport: one aligned cursor for both runs. The slider runs over the
 * aligned positions at the current granularity, with the actions and divergences marked under it;
 * buttons step by one and change the granularity. The readout names both sides' own positions.
 */
import type { CompareInfo, Granularity, PairViewState } from "../../worker/api.ts";
import { IconBack, IconEnd, IconForward, IconStart } from "../controls/Icons.tsx";
import { useCompare, useCompareStore } from "./context.tsx";
import { positionU } from "./series.ts";

const GRANULARITY_LABELS: Readonly<Record<Granularity, string>> = {
  action: "scenario action",
  table: "page table",
  pte: "PTE",
};

export function CompareControls({ info, view }: { info: CompareInfo; view: PairViewState | null }) {
  const store = useCompareStore();
  const g = useCompare((s) => s.granularity);
  const position = useCompare((s) => s.position);
  const count = info.counts[g];
  return (
    <section className="cmp-controls" aria-label="Shared timeline" data-testid="compare-controls">
      <div className="cmp-timeline">
        <input
          type="range"
          min={0}
          max={count}
          step={1}
          value={position}
          onChange={(e) => store.getState().seek(Number(e.target.value))}
          aria-label={`Aligned step (${GRANULARITY_LABELS[g]})`}
          data-testid="compare-slider"
        />
        <svg className="cmp-marks" viewBox="0 0 1000 10" preserveAspectRatio="none" aria-hidden="true">
          {info.actions.map((a) => (
            <line
              key={`a${a.start.action}`}
              className="cmp-mark-action"
              x1={positionU(info, "table", a.start.table) * 1000}
              x2={positionU(info, "table", a.start.table) * 1000}
              y1={0}
              y2={10}
            />
          ))}
          {info.divergences.map((d) => (
            <line
              key={`d${d.index}`}
              className={d.index === info.first ? "cmp-mark-div cmp-mark-first" : "cmp-mark-div"}
              x1={positionU(info, "table", d.positions.table) * 1000}
              x2={positionU(info, "table", d.positions.table) * 1000}
              y1={3}
              y2={10}
            />
          ))}
        </svg>
      </div>
      <div className="cmp-transport">
        <button type="button" onClick={() => store.getState().seek(0)} aria-label="Go to the start">
          <IconStart />
        </button>
        <button type="button" onClick={() => store.getState().stepBy(-1)} aria-label="Previous aligned step">
          <IconBack />
        </button>
        <button type="button" onClick={() => store.getState().stepBy(1)} aria-label="Next aligned step">
          <IconForward />
        </button>
        <button type="button" onClick={() => store.getState().seek(count)} aria-label="Go to the end">
          <IconEnd />
        </button>
        <label>
          step by{" "}
          <select
            value={g}
            onChange={(e) => void store.getState().setGranularity(e.target.value as Granularity)}
            aria-label="Step granularity"
          >
            {(["action", "table", "pte"] as const).map((x) => (
              <option key={x} value={x}>
                {GRANULARITY_LABELS[x]}
              </option>
            ))}
          </select>
        </label>
        <span className="cmp-readout" data-testid="compare-position">
          step {position.toLocaleString("en-US")} of {count.toLocaleString("en-US")}
          {view && (
            <span className="muted">
              {" "}
              · left at {view.sidePositions[0].toLocaleString("en-US")}, right at{" "}
              {view.sidePositions[1].toLocaleString("en-US")}
              {view.action >= 0
                ? ` · ${info.actions[view.action]?.labels[0] ?? info.actions[view.action]?.labels[1] ?? ""}`
                : ""}
            </span>
          )}
        </span>
      </div>
    </section>
  );
}
