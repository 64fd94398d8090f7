/** The current step's counters for each mm, under the names /proc and sysfs use. */
import { formatBytesShort } from "../format.ts";
import { useApp } from "../store-context.tsx";

export function CountersTable() {
  const run = useApp((s) => s.run);
  const view = useApp((s) => s.view);
  if (!run || !view) return <p className="muted">Computing…</p>;
  const fmt = (unit: string, v: number) =>
    unit === "bytes" ? formatBytesShort(v) : Math.round(v).toLocaleString("en-US");
  return (
    <table className="counters" data-testid="counters">
      <caption>Counters after this step</caption>
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
          <tr key={c.key} data-counter={c.key}>
            <th scope="row">{c.label}</th>
            {view.mms.map((m) => (
              <td key={m.name} data-mm={m.name} data-value={m.counters[c.key]}>
                {fmt(c.unit, m.counters[c.key])}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
