/**
 * The delta table: final and peak counters of each mm on both sides and their difference (right
 * minus left), in the counter's unit (bytes, or a count of pages or tables) and per cent: the table a
 * reviewer pastes into a reply. A difference is coloured by what it means for the host: memory
 * spent in the cost colour, memory saved (fewer anon pages, more zeropage PTEs) in the gain colour.
 * "Copy as text" puts the fixed-width form (compare/delta.ts formatDeltaTable) on the clipboard.
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
              data-final-diff={r.finalDiff}
              data-unit={r.unit}
              data-final-tone={r.finalTone}
            >
              <th scope="row">{r.mm}</th>
              <td>{r.label}</td>
              <td>{formatValue(r.unit, r.final[0])}</td>
              <td>{formatValue(r.unit, r.final[1])}</td>
              <td className={`cmp-${r.finalTone}`}>{formatDiff(r, "final")}</td>
              <td>{formatPct(r.finalPct)}</td>
              <td>{formatValue(r.unit, r.peak[0])}</td>
              <td>{formatValue(r.unit, r.peak[1])}</td>
              <td className={`cmp-${r.peakTone}`}>{formatDiff(r, "peak")}</td>
              <td>{formatPct(r.peakPct)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="muted small">
        Page counts are in pages (4 KiB each), not bytes. Red: memory the right side spends more of; green:
        memory it saves (a rise of zeropage PTEs is a saving). Per cent of the left value; "new" when the left
        is zero.
      </p>
    </section>
  );
});
