/**
 * "Measured" beside "model" on the counter charts. The controls load the app's own
 * recorded QEMU check or import a measured-runs JSON (`npm run qemu-check -- --json`, from any
 * machine) and pick one of its runs; the app then shows the scenario the model ran for it, and the
 * charts draw the measurement on the same axis (measured-overlay.ts says what each track shows).
 */
import { memo, useId, useRef } from "react";
import { useStore } from "zustand";
import { activeMeasuredRun, type MeasuredRun, measuredStoreFor } from "../../state/measured.ts";
import { useApp, useAppStore } from "../store-context.tsx";
import type { MeasuredSeries } from "./measured-overlay.ts";
import "./measured.css";

function useMeasuredSlice() {
  return measuredStoreFor(useAppStore());
}

/** The measured run to draw beside the model's current run, or null. */
export function useMeasuredRun(): MeasuredRun | null {
  const slice = useMeasuredSlice();
  const doc = useStore(slice, (s) => s.doc);
  const runId = useStore(slice, (s) => s.runId);
  const scenario = useStore(slice, (s) => s.scenario);
  const appScenario = useApp((s) => s.scenario);
  return activeMeasuredRun({ doc, runId, scenario }, appScenario);
}

const SERIES = ["measured-src", "measured-dst"];

/** A measured series inside a track's SVG: a dotted line through marks at each measured phase. */
export function MeasuredMarks({
  series,
  x,
  y,
}: {
  series: readonly MeasuredSeries[];
  x: (u: number) => number;
  y: (v: number) => number;
}) {
  return (
    <g className="measured" data-testid="measured-marks">
      {series.map((s) => {
        const cls = s.mm < 0 ? "measured-guest" : (SERIES[s.mm] ?? "measured-src");
        const d = s.points.map((p, i) => `${i ? "L" : "M"}${x(p.u)},${y(p.value)}`).join("");
        return (
          <g key={s.mm} className={cls}>
            <path className="measured-line" d={d} />
            {s.points.map((p) => (
              <line
                key={`${p.phase}-${p.u}`}
                className="measured-mark"
                x1={x(p.u) - 3}
                x2={x(p.u) + 3}
                y1={y(p.value)}
                y2={y(p.value)}
              />
            ))}
          </g>
        );
      })}
    </g>
  );
}

export function MeasuredLegendItem({ run }: { run: MeasuredRun }) {
  return (
    <li className="legend-item" data-testid="measured-legend">
      <span className="swatch measured-swatch" aria-hidden="true" />
      measured ({run.id})
    </li>
  );
}

/**
 * Load, import, pick and hide measured runs; says what is shown and what went wrong. Memoized: it
 * follows its own slice, so a step that re-renders the charts leaves its inputs alone.
 */
export const MeasuredControls = memo(function MeasuredControls() {
  const slice = useMeasuredSlice();
  const doc = useStore(slice, (s) => s.doc);
  const source = useStore(slice, (s) => s.source);
  const runId = useStore(slice, (s) => s.runId);
  const status = useStore(slice, (s) => s.status);
  const error = useStore(slice, (s) => s.error);
  const active = useMeasuredRun();
  const fileRef = useRef<HTMLInputElement>(null);
  const selectId = useId();
  const onFile = async (file: File | undefined) => {
    if (!file) return;
    await slice.getState().importText(await file.text(), file.name);
    if (fileRef.current) fileRef.current.value = "";
  };
  return (
    <div className="measured-controls" data-testid="measured-controls">
      <span className="measured-title">Measured</span>
      <button
        type="button"
        className="link-button"
        disabled={status === "loading"}
        title="Real QEMU 7.2 runs measured by tools/qemu-check and published with this app"
        onClick={() => void slice.getState().loadRecorded()}
      >
        recorded check
      </button>
      <button
        type="button"
        className="link-button"
        title="A JSON file written by npm run qemu-check -- --json"
        onClick={() => fileRef.current?.click()}
      >
        import JSON…
      </button>
      <input
        ref={fileRef}
        type="file"
        accept=".json,application/json"
        hidden
        data-testid="measured-file"
        onChange={(e) => void onFile(e.currentTarget.files?.[0])}
      />
      {doc && (
        <>
          <label className="sr-only" htmlFor={selectId}>
            Measured run
          </label>
          <select
            id={selectId}
            value={active ? (runId ?? "") : ""}
            data-testid="measured-run"
            onChange={(e) => void slice.getState().selectRun(e.currentTarget.value)}
          >
            {!active && <option value="">show a run…</option>}
            {doc.runs.map((r) => (
              <option key={r.id} value={r.id}>
                {r.id}
              </option>
            ))}
          </select>
          <span className="measured-source muted" data-testid="measured-source">
            {source}: QEMU {doc.qemu.version} ({doc.qemu.accel}) on Linux {doc.host.kernel},{" "}
            {doc.date.slice(0, 10)}
          </span>
          <button type="button" className="link-button" onClick={() => slice.getState().clear()}>
            hide
          </button>
        </>
      )}
      {error && (
        <span className="measured-error" role="alert" data-testid="measured-error">
          {error}
        </span>
      )}
    </div>
  );
});

const kib = (v: number) =>
  v >= 1024 * 1024
    ? `${(v / 1024 / 1024).toFixed(2)} GiB`
    : v >= 1024
      ? `${(v / 1024).toFixed(1)} MiB`
      : `${v} KiB`;

/**
 * The measured run as a table (the charts' accessible alternative): every phase with the scenario
 * action it follows, the QEMU process's RssAnon and VmPTE, and the guest-RAM mapping's Rss that the
 * RssAnon track draws.
 */
export function MeasuredTable({ run, actionLabels }: { run: MeasuredRun; actionLabels: readonly string[] }) {
  return (
    <details className="chart-table" data-testid="measured-table">
      <summary>Measured values of {run.id} (table)</summary>
      <div className="table-scroll">
        <table>
          <caption>
            {run.id}: each QEMU process at each phase of the real run (/proc/&lt;pid&gt;/status and smaps)
          </caption>
          <thead>
            <tr>
              <th scope="col">phase</th>
              <th scope="col">QEMU</th>
              <th scope="col">after</th>
              <th scope="col">RssAnon (process)</th>
              <th scope="col">guest RAM Rss</th>
              <th scope="col">VmPTE (process)</th>
            </tr>
          </thead>
          <tbody>
            {run.phases.map((p) => (
              <tr key={`${p.host}-${p.phase}`}>
                <th scope="row">{p.phase}</th>
                <td>{p.host}</td>
                <td>{p.action === null ? "—" : (actionLabels[p.action + 1] ?? `action ${p.action + 1}`)}</td>
                <td>{kib(p.rssAnonKiB)}</td>
                <td>{kib(p.guestRamRssKiB)}</td>
                <td>{kib(p.vmPteKiB)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </details>
  );
}
