/**
 * The current step's counters for each mm, under the names /proc and sysfs use, with the change
 * the last step made. Rows that are zero throughout the run are folded away to keep it dense.
 * A legend below says what each shown counter means and how VmPTE, page-table memory and host
 * memory relate (narration/counter-legend.ts).
 */
import { useMemo } from "react";
import { formatBytesShort, formatInt } from "../format.ts";
import { counterMeaning, countersRelation } from "../narration/counter-legend.ts";
import "../narration/asides.css";
import { useApp } from "../store-context.tsx";
import { NoRun } from "./NoRun.tsx";

export function CountersTable() {
  const run = useApp((s) => s.run);
  const view = useApp((s) => s.view);
  const used = useMemo(() => {
    // Counters that are non-zero somewhere in the trace (or at the start).
    if (!run) return new Set<string>();
    const t = run.trace;
    const n = run.counters.length;
    const out = new Set<string>();
    run.counters.forEach((c, j) => {
      for (let i = j; i < t.counters.length; i += n)
        if (t.counters[i] !== 0) {
          out.add(c.key);
          return;
        }
      for (let i = j; i < t.initialCounters.length; i += n) if (t.initialCounters[i] !== 0) out.add(c.key);
    });
    return out;
  }, [run]);
  if (!run || !view) return <NoRun />;
  const fmt = (unit: string, v: number) => (unit === "bytes" ? formatBytesShort(v) : formatInt(v));
  const rows = run.counters.filter((c) => used.has(c.key));
  const hidden = run.counters.length - rows.length;
  return (
    <>
      <table className="counters" data-testid="counters">
        <caption>
          Counters after this step
          {hidden > 0 && <span className="muted"> · {hidden} always zero, not shown</span>}
        </caption>
        <thead>
          <tr>
            <th scope="col">counter</th>
            {view.mms.map((m) => (
              <th scope="col" key={m.name}>
                {m.name}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {run.counters.map((c) => (
            <tr key={c.key} data-counter={c.key} hidden={!used.has(c.key)}>
              <th scope="row" title={counterMeaning(c.key, run.geometry) || undefined}>
                {c.label}
              </th>
              {view.mms.map((m) => (
                <td key={m.name} data-mm={m.name} data-value={m.counters[c.key]}>
                  {fmt(c.unit, m.counters[c.key])}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      <details className="counters-legend" data-testid="counters-legend" open>
        <summary>What the counters mean</summary>
        <p>{countersRelation(run.geometry)}</p>
        <dl>
          {rows.map((c) => (
            <div key={c.key} data-counter={c.key}>
              <dt>{c.label}</dt>
              <dd>{counterMeaning(c.key, run.geometry)}</dd>
            </div>
          ))}
        </dl>
      </details>
    </>
  );
}
