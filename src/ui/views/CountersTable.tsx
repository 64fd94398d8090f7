/**
 * The current step's counters for each mm, under the names /proc and sysfs use, with the change
 * the last step made. Rows that are zero throughout the run are folded away to keep it dense.
 * A legend below says what each shown counter means and how VmPTE, page-table memory and host
 * memory relate (narration/counter-legend.ts).
 */
import { memo, useMemo } from "react";
import { formatBytesShort, formatInt } from "../format.ts";
import { counterMeaning, countersRelation } from "../narration/counter-legend.ts";
import "../narration/asides.css";
import { useApp } from "../store-context.tsx";
import { NoRun } from "./NoRun.tsx";

export function CountersTable() {
  const run = useApp((s) => s.run);
  const mms = useApp((s) => s.view?.mms);
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
  // Per run, not per step: the rows shown and what each counter means in this run's geometry.
  const rows = useMemo(() => (run ? run.counters.filter((c) => used.has(c.key)) : []), [run, used]);
  const meanings = useMemo(
    () => new Map(run ? run.counters.map((c) => [c.key, counterMeaning(c.key, run.geometry)]) : []),
    [run],
  );
  if (!run || !mms) return <NoRun />;
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
            {mms.map((m) => (
              <th scope="col" key={m.name}>
                {m.name}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {run.counters.map((c) => (
            <tr key={c.key} data-counter={c.key} hidden={!used.has(c.key)}>
              <th scope="row" title={meanings.get(c.key) || undefined}>
                {c.label}
              </th>
              {mms.map((m) => (
                <td key={m.name} data-mm={m.name} data-value={m.counters[c.key]}>
                  {fmt(c.unit, m.counters[c.key])}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      <CountersLegend rows={rows} meanings={meanings} relation={countersRelation(run.geometry)} />
    </>
  );
}

function fmt(unit: string, v: number): string {
  return unit === "bytes" ? formatBytesShort(v) : formatInt(v);
}

/**
 * What the shown counters mean: the same for every step of a run, so it is memoized and the
 * table's per-step render leaves it alone.
 */
const CountersLegend = memo(function CountersLegend(props: {
  readonly rows: readonly { readonly key: string; readonly label: string }[];
  readonly meanings: ReadonlyMap<string, string>;
  readonly relation: string;
}) {
  const { rows, meanings, relation } = props;
  return (
    <details className="counters-legend" data-testid="counters-legend" open>
      <summary>What the counters mean</summary>
      <p>{relation}</p>
      <dl>
        {rows.map((c) => (
          <div key={c.key} data-counter={c.key}>
            <dt>{c.label}</dt>
            <dd>{meanings.get(c.key)}</dd>
          </div>
        ))}
      </dl>
    </details>
  );
});
