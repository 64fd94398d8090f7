/**
 * The maps' key, kept beside the maps: one row per cell class on screen (its swatch, drawn with
 * the map's own tile, and its name) and, per column, how much guest RAM the class covers at this
 * step, live. A column is one map or a group of maps (a kernel's source and destination in the
 * before/after panel: "40 GiB · 40 GiB"). With the balloon outlined, a row says so.
 *
 * Counts come from the worker's class histograms (MmSnapshot.classHistogram); nothing here decides
 * what a kernel does.
 */
import { formatBytesShort } from "../../format.ts";
import type { ClassCounts } from "./aggregate.ts";
import { DEFAULT_SLOT_NAMES, SLOT_KEYS, SLOT_ZERO, type SlotNames } from "./classes.ts";
import type { MapPalette } from "./palette.ts";
import { Swatch } from "./Swatch.tsx";

export interface KeyColumn {
  readonly key: string;
  readonly label: string;
  /** One entry per map in the column, in the maps' order. */
  readonly counts: readonly ClassCounts[];
}

interface KeyRow {
  readonly key: string;
  readonly label: string;
  readonly note: string;
  readonly tile: number;
  /** Tables of this row's class, per column and map. */
  readonly tables: readonly (readonly number[])[];
}

/** Rows for the classes present in any map (huge zero PMDs apart from zeropage PTEs). */
export function keyRows(columns: readonly KeyColumn[], names: SlotNames = DEFAULT_SLOT_NAMES): KeyRow[] {
  const rows: KeyRow[] = [];
  SLOT_KEYS.forEach((key, slot) => {
    const tables = columns.map((c) =>
      c.counts.map((n) => n.bySlot[slot]! - (slot === SLOT_ZERO ? n.hugeBySlot[slot]! : 0)),
    );
    if (tables.some((t) => t.some((n) => n > 0)))
      rows.push({ key, label: names[key].label, note: names[key].note, tile: slot * 4, tables });
    if (slot === SLOT_ZERO) {
      const huge = columns.map((c) => c.counts.map((n) => n.hugeBySlot[SLOT_ZERO]!));
      if (huge.some((t) => t.some((n) => n > 0)))
        rows.push({
          key: "huge-zero",
          label: "huge zero page (PMDs)",
          note: "a huge PMD maps the one huge zero page: 2 MiB of reads without a frame of their own",
          tile: SLOT_ZERO * 4 + 2,
          tables: huge,
        });
    }
  });
  return rows;
}

export function ClassKey(props: {
  readonly columns: readonly KeyColumn[];
  readonly palette: MapPalette | null;
  /** Guest RAM one table covers. */
  readonly tableSpanBytes: number;
  /** The classes' names in the runs shown (slotNames): a memfd guest's pages are shmem pages. */
  readonly names: SlotNames;
  /** The ballooned tables are outlined on the maps. */
  readonly balloon: boolean;
  readonly caption: string;
  readonly testId?: string;
}) {
  const { columns, palette, tableSpanBytes: span } = props;
  const rows = keyRows(columns, props.names);
  const amount = (tables: readonly number[]) =>
    tables.every((n) => n === 0)
      ? "–"
      : tables.map((n) => (n === 0 ? "–" : formatBytesShort(n * span))).join(" · ");
  return (
    <table className="class-key" data-testid={props.testId}>
      <caption>{props.caption}</caption>
      {columns.length > 1 && (
        <thead>
          <tr>
            <td />
            {columns.map((c) => (
              <th scope="col" key={c.key}>
                {c.label}
              </th>
            ))}
          </tr>
        </thead>
      )}
      <tbody>
        {rows.map((r) => (
          <tr
            key={r.key}
            data-slot={r.key}
            title={`${r.label}: ${r.note}. ${columns.map((c, i) => `${c.label}: ${amount(r.tables[i]!)}`).join("; ")}`}
          >
            <th scope="row">
              <Swatch palette={palette} tile={r.tile} />
              <span className="class-key-label">{r.label}</span>
            </th>
            {columns.map((c, i) => (
              <td key={c.key} data-tables={r.tables[i]!.join(",")} className="class-key-amount">
                {amount(r.tables[i]!)}
              </td>
            ))}
          </tr>
        ))}
        {props.balloon && (
          <tr
            data-slot="balloon"
            title="Tables that hold ballooned guest pages are outlined; the others are faded."
          >
            <th scope="row">
              <span className="class-key-balloon" aria-hidden="true" />
              <span className="class-key-label">ballooned tables (the rest faded)</span>
            </th>
            {columns.map((c) => (
              <td key={c.key} />
            ))}
          </tr>
        )}
      </tbody>
    </table>
  );
}
