/** The host maps as tables, for screen readers and for reading exact numbers. */
import { useMemo } from "react";
import type { RunInfo, ViewState } from "../../../worker/api.ts";
import { formatBytesShort, formatInt } from "../../format.ts";
import type { ClassCounts } from "./aggregate.ts";
import { SLOT_KEYS, type SlotNames } from "./classes.ts";
import { pteStateCounts } from "./host-maps.ts";

/** The tabular alternative: tables per class and mm, and the selected table's PTEs per state. */
export function MapTables(props: {
  run: RunInfo;
  view: ViewState;
  counts: readonly ClassCounts[];
  names: SlotNames;
}) {
  const { run, view, counts, names } = props;
  const span = run.geometry.tableSpanBytes;
  const detail = view.table;
  const stateCounts = useMemo(
    () => (detail ? pteStateCounts(detail.states, run.pteStates.length) : null),
    [detail, run.pteStates.length],
  );
  return (
    <details className="zl-details">
      <summary>Maps as a table</summary>
      <table className="zl-table" data-testid="map-class-table">
        <caption>Page tables by class</caption>
        <thead>
          <tr>
            <th scope="col">class</th>
            {view.mms.map((m) => (
              <th scope="col" key={m.name}>
                {m.name}: tables · pages · guest RAM
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {SLOT_KEYS.map((key, slot) => (
            <tr key={key}>
              <th scope="row">{names[key].label}</th>
              {view.mms.map((m, i) => (
                <td key={m.name}>
                  {formatInt(counts[i]!.bySlot[slot]!)} ·{" "}
                  {formatInt(counts[i]!.bySlot[slot]! * run.geometry.ptesPerTable)} pages ·{" "}
                  {formatBytesShort(counts[i]!.bySlot[slot]! * span)}
                </td>
              ))}
            </tr>
          ))}
          <tr>
            <th scope="row">of which mixed</th>
            {view.mms.map((m, i) => (
              <td key={m.name}>{formatInt(counts[i]!.mixed)}</td>
            ))}
          </tr>
          <tr>
            <th scope="row">of which huge PMD</th>
            {view.mms.map((m, i) => (
              <td key={m.name}>{formatInt(counts[i]!.huge)}</td>
            ))}
          </tr>
        </tbody>
      </table>
      {detail && stateCounts && (
        <table className="zl-table" data-testid="pte-state-table">
          <caption>
            Selected: {view.mms[detail.mm]?.name} table {formatInt(detail.table)}, PTEs by state
          </caption>
          <thead>
            <tr>
              <th scope="col">PTE state</th>
              <th scope="col">PTEs</th>
            </tr>
          </thead>
          <tbody>
            {run.pteStates.map((s, i) => (
              <tr key={s.key}>
                <th scope="row">{s.name}</th>
                <td>{formatInt(stateCounts[i] ?? 0)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </details>
  );
}
