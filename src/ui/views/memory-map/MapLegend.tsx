/**
 * The host maps' legend: what each cell colour means and how much guest RAM it covers on each
 * host (huge zero PMDs in a row of their own), the marks drawn over the cells, and the balloon
 * outline's toggle. The counts come from host-maps.ts.
 */
import { Fragment } from "react";
import type { RunInfo, ViewState } from "../../../worker/api.ts";
import { formatBytesShort, formatInt } from "../../format.ts";
import { useApp } from "../../store-context.tsx";
import type { ClassCounts } from "./aggregate.ts";
import { SLOT_KEYS, SLOT_ZERO, type SlotNames } from "./classes.ts";
import type { usePalette } from "./hooks.ts";
import { hugeZeroTables, legendTables } from "./host-maps.ts";
import { Swatch } from "./Swatch.tsx";

const HUGE_ZERO_NOTE =
  "a huge PMD maps the one huge zero page (x86_64 THP, mm/huge_memory.c do_huge_pmd_anonymous_page): 2 MiB of reads cost no frame of their own (only the PTE table deposited under the PMD); counted apart from zeropage PTEs";

type Palette = ReturnType<typeof usePalette>;

interface LegendProps {
  readonly run: RunInfo;
  readonly view: ViewState;
  readonly counts: readonly ClassCounts[];
  readonly names: SlotNames;
  readonly palette: Palette;
  readonly showBalloon: boolean;
}

export function MapLegend(props: LegendProps) {
  const { run, view, palette, showBalloon } = props;
  const span = run.geometry.tableSpanBytes;
  const ptes = run.geometry.ptesPerTable;
  const anyActive = view.active.some((a) => a.runs.length > 0);
  return (
    <div className="zl-legend">
      <LegendTable {...props} />
      <ul className="zl-legend-marks">
        <li>
          <Swatch palette={palette} tile={4 * 4 + 1} />
          mixed table (diagonal)
        </li>
        <li>
          <Swatch palette={palette} tile={4 * 4 + 2} />
          huge PMD (dark corner)
        </li>
        <li>
          <span className="zl-mark zl-mark-active" aria-hidden="true" />
          touched by this step (mark in the margin; outline on big cells)
        </li>
        {(showBalloon || anyActive) && (
          <li>
            <span className="zl-mark zl-mark-faded" aria-hidden="true" />
            {showBalloon ? "faded: no ballooned guest page in the table" : "faded: not touched by this step"}
          </li>
        )}
        <li>
          <span className="zl-mark zl-mark-select" aria-hidden="true" />
          selected table
        </li>
        <li>
          <BalloonAutoToggle />
        </li>
      </ul>
      <p className="zl-legend-note muted">
        Sizes are guest RAM covered by the tables, in bytes and in 4 KiB pages (a table covers{" "}
        {formatBytesShort(span)}, {formatInt(ptes)} pages). Patterns show from about 6 device pixels per cell;
        zoom in to see them.
      </p>
    </div>
  );
}

/** Each class's colour, and the guest RAM it covers per host. */
function LegendTable({ run, view, counts, names, palette }: LegendProps) {
  const anyHugeZero = counts.some((c) => hugeZeroTables(c) > 0);
  return (
    <table className="zl-legend-table">
      <caption className="zl-sr-only">
        Legend: what each colour means, and how much guest RAM it covers
      </caption>
      <thead>
        <tr>
          <th scope="col">cell colour</th>
          {view.mms.map((m) => (
            <th scope="col" key={m.name}>
              {m.name}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {SLOT_KEYS.map((key, slot) => (
          <Fragment key={key}>
            <tr title={names[key].note} data-slot={key}>
              <th scope="row">
                <Swatch palette={palette} tile={slot * 4} />
                <span className="zl-legend-label">
                  {names[key].label}
                  {slot === SLOT_ZERO && anyHugeZero ? " (PTEs)" : ""}
                </span>
              </th>
              {view.mms.map((m, i) => (
                <LegendCell key={m.name} run={run} tables={legendTables(counts[i]!, slot)} />
              ))}
            </tr>
            {slot === SLOT_ZERO && anyHugeZero && (
              <tr title={HUGE_ZERO_NOTE} data-slot="huge-zero">
                <th scope="row">
                  <Swatch palette={palette} tile={SLOT_ZERO * 4 + 2} />
                  <span className="zl-legend-label">huge zero page (PMDs)</span>
                </th>
                {view.mms.map((m, i) => (
                  <LegendCell key={m.name} run={run} tables={hugeZeroTables(counts[i]!)} pmds />
                ))}
              </tr>
            )}
          </Fragment>
        ))}
      </tbody>
    </table>
  );
}

/** The guest RAM `tables` page tables cover, in bytes and pages (and PMDs, for huge zero PMDs). */
function LegendCell({ run, tables: n, pmds }: { run: RunInfo; tables: number; pmds?: boolean }) {
  const span = run.geometry.tableSpanBytes;
  const ptes = run.geometry.ptesPerTable;
  return (
    <td
      className={n === 0 ? "zl-zero" : undefined}
      data-pages={n * ptes}
      data-pmds={pmds ? n : undefined}
      data-bytes={n * span}
    >
      {n === 0 ? (
        "–"
      ) : (
        <>
          {formatBytesShort(n * span)}
          <span className="zl-legend-pages">
            {pmds ? ` · ${formatInt(n)} PMDs` : ""} · {formatInt(n * ptes)} pages
          </span>
        </>
      )}
    </td>
  );
}

/** "Outline the balloon at the balloon and migration steps": on by default, view-local. */
function BalloonAutoToggle() {
  const auto = useApp((s) => s.balloonAuto);
  const setAuto = useApp((s) => s.setBalloonAuto);
  return (
    <label className="zl-balloon-auto">
      <input
        type="checkbox"
        checked={auto}
        onChange={(e) => setAuto(e.target.checked)}
        data-testid="balloon-auto"
      />{" "}
      outline the ballooned tables at the balloon and migration steps
    </label>
  );
}
