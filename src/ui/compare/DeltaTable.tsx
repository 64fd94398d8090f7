/**
 * The delta table: final and peak counters of each mm on both sides and their difference (right
 * minus left), in bytes and per cent: the table a reviewer pastes into a reply. "Copy as text"
 * puts the fixed-width form (compare/delta.ts formatDeltaTable) on the clipboard.
 */
import { memo, useState } from "react";
import { formatDeltaTable, formatDiff, formatPct, formatValue, selectRows } from "../../state/compare.ts";
import type { CompareInfo } from "../../worker/api.ts";

export const DeltaTable = memo(function DeltaTable({ info }: { info: CompareInfo }) {
  const [copied, setCopied] = useState<"idle" | "done" | "failed">("idle");
  const rows = selectRows(info.delta);
  const copy = async () => {
    const text = `${formatDeltaTable(info.delta)}\n${typeof location !== "undefined" ? `\n${location.href}\n` : ""}`;
    try {
      await navigator.clipboard.writeText(text);
      setCopied("done");
    } catch {
      setCopied("failed");
    }
  };
  return (
    <section className="panel cmp-delta" aria-label="Delta table">
      <div className="cmp-div-head">
        <h2 className="zl-h2">Delta: final and peak counters, right − left</h2>
        <button type="button" onClick={() => void copy()} data-testid="copy-delta">
          Copy as text
        </button>
        <span className="muted small" aria-live="polite">
          {copied === "done" ? "copied" : copied === "failed" ? "the clipboard is not available here" : ""}
        </span>
      </div>
      <table className="zl-table cmp-delta-table" data-testid="delta-table">
        <thead>
          <tr>
            <th scope="col">mm</th>
            <th scope="col">counter</th>
            <th scope="col">left final</th>
            <th scope="col">right final</th>
            <th scope="col">difference</th>
            <th scope="col">%</th>
            <th scope="col">left peak</th>
            <th scope="col">right peak</th>
            <th scope="col">difference</th>
            <th scope="col">%</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr
              key={`${r.mm}-${r.counter}`}
              data-mm={r.mm}
              data-counter={r.counter}
              data-final-diff={r.finalDiffBytes ?? r.finalDiff}
            >
              <th scope="row">{r.mm}</th>
              <td>{r.label}</td>
              <td>{formatValue(r.unit, r.final[0])}</td>
              <td>{formatValue(r.unit, r.final[1])}</td>
              <td className={r.finalDiff < 0 ? "cmp-less" : r.finalDiff > 0 ? "cmp-more" : ""}>
                {formatDiff(r, "final")}
              </td>
              <td>{formatPct(r.finalPct)}</td>
              <td>{formatValue(r.unit, r.peak[0])}</td>
              <td>{formatValue(r.unit, r.peak[1])}</td>
              <td className={r.peakDiff < 0 ? "cmp-less" : r.peakDiff > 0 ? "cmp-more" : ""}>
                {formatDiff(r, "peak")}
              </td>
              <td>{formatPct(r.peakPct)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="muted small">
        Page counts convert to bytes at 4 KiB. Per cent of the left value; "new" when the left is zero.
      </p>
    </section>
  );
});
