/**
 * The Sweep panel: choose a parameter and its range or values and the kernels, run the
 * scenario on screen over them (state/sweep.ts: a second worker, one point at a time, a progress
 * bar, Cancel), see the results as small multiples, open any point's run, export CSV and SVG.
 */
import { type Dispatch, type SetStateAction, useRef, useState } from "react";
import {
  describeSpec,
  formatParameterValue,
  MAX_POINTS,
  MEASURES,
  PARAMETERS,
  type ParameterId,
  SIDES,
  SWEEP_PARAMETERS,
  type SweepRun,
  sweepCsv,
} from "../../state/sweep.ts";
import { download } from "../export/download.ts";
import { formatBytesShort } from "../format.ts";
import { useApp } from "../store-context.tsx";
import { useStudy, useSweep } from "../study/context.tsx";
import {
  fieldsFor,
  firstForm,
  formOf,
  type SweepForm,
  specOfForm,
  statusText,
  sweepFileName,
  toggled,
} from "./form.ts";
import { exportSvg, SmallMultiples } from "./SmallMultiples.tsx";

type Sweep = NonNullable<ReturnType<typeof useStudy>>["sweep"];

export function SweepPanel() {
  const study = useStudy();
  const scenario = useApp((s) => s.scenario);
  const presets = useApp((s) => s.presets);
  const presetId = useApp((s) => s.presetId);
  const runKernel = useApp((s) => s.run?.kernel.id ?? null);
  const run = useSweep((s) => s.run);
  const [form, setForm] = useState<SweepForm>(() => {
    if (run) return formOf(run.spec);
    const preset = presets.find((p) => p.id === presetId);
    return firstForm(scenario, preset ? preset.variants : null, runKernel);
  });
  if (!study) return null;
  return (
    <div className="zs-panel" data-testid="sweep-panel">
      <SweepFormView sweep={study.sweep} form={form} setForm={setForm} scenario={scenario} />
      <SweepProgress />
      {run && <SweepResults sweep={study.sweep} run={run} />}
    </div>
  );
}

interface FormProps {
  readonly sweep: Sweep;
  readonly form: SweepForm;
  readonly setForm: Dispatch<SetStateAction<SweepForm>>;
  readonly scenario: unknown;
}

/** The parameter, its range or values, the kernels; Run and Cancel. */
function SweepFormView({ sweep, form, setForm, scenario }: FormProps) {
  const running = useSweep((s) => s.status) === "running";
  const { spec, problem } = specOfForm(form);
  const info = PARAMETERS[form.param];
  return (
    <form
      className="zs-form"
      onSubmit={(e) => {
        e.preventDefault();
        if (spec) void sweep.getState().start(spec);
      }}
    >
      <label>
        Parameter{" "}
        <select
          value={form.param}
          onChange={(e) => {
            const param = e.target.value as ParameterId;
            setForm((f) => ({ ...f, param, ...fieldsFor(param, scenario) }));
          }}
        >
          {SWEEP_PARAMETERS.map((p) => (
            <option key={p} value={p}>
              {PARAMETERS[p].label}
            </option>
          ))}
        </select>
      </label>
      {info.kind === "size" ? (
        <RangeFields form={form} setForm={setForm} />
      ) : form.param === "qemuVersion" ? (
        <label>
          Versions{" "}
          <input
            type="text"
            value={form.qemuVersions}
            onChange={(e) => setForm((f) => ({ ...f, qemuVersions: e.target.value }))}
          />
        </label>
      ) : (
        <fieldset className="zs-values">
          <legend>Values</legend>
          {info.options.map((o) => (
            <label key={o}>
              <input
                type="checkbox"
                checked={form.values.includes(o)}
                onChange={(e) =>
                  setForm((f) => ({ ...f, values: toggled(f.values, o, e.target.checked, info.options) }))
                }
              />{" "}
              {o}
            </label>
          ))}
        </fieldset>
      )}
      <KernelChoice form={form} setForm={setForm} />
      <div className="zs-actions">
        <button type="submit" className="zs-primary" disabled={running || problem !== ""}>
          Run the sweep
        </button>
        <button type="button" onClick={() => sweep.getState().cancel()} disabled={!running}>
          Cancel
        </button>
        {problem && (
          <span className="zs-problem" role="alert">
            {problem}
          </span>
        )}
      </div>
    </form>
  );
}

/** A size parameter's range: from, to, and how many points. */
function RangeFields({ form, setForm }: Pick<FormProps, "form" | "setForm">) {
  const field = (key: "from" | "to" | "points") => ({
    value: form[key],
    onChange: (e: { target: { value: string } }) => setForm((f) => ({ ...f, [key]: e.target.value })),
  });
  return (
    <>
      <label>
        From <input type="text" size={7} {...field("from")} />
      </label>
      <label>
        To <input type="text" size={7} {...field("to")} />
      </label>
      <label>
        Points <input type="number" min={2} max={MAX_POINTS} {...field("points")} />
      </label>
    </>
  );
}

/** The kernels, one line each in the small multiples. */
function KernelChoice({ form, setForm }: Pick<FormProps, "form" | "setForm">) {
  const variants = useApp((s) => s.variants);
  const order = variants.map((x) => x.id);
  return (
    <fieldset className="zs-kernels">
      <legend>Kernels (one line each)</legend>
      {variants.map((v) => (
        <label key={v.id}>
          <input
            type="checkbox"
            checked={form.kernels.includes(v.id)}
            onChange={(e) =>
              setForm((f) => ({ ...f, kernels: toggled(f.kernels, v.id, e.target.checked, order) }))
            }
          />{" "}
          {v.letter} · {v.id}
        </label>
      ))}
    </fieldset>
  );
}

function SweepProgress() {
  const status = useSweep((s) => s.status);
  const done = useSweep((s) => s.done);
  const total = useSweep((s) => s.total);
  const elapsedMs = useSweep((s) => s.elapsedMs);
  const error = useSweep((s) => s.error);
  return (
    <div className="zs-status" aria-live="polite">
      <progress
        max={Math.max(1, total)}
        value={done}
        aria-label="Sweep progress"
        data-testid="sweep-progress"
      />
      <span data-testid="sweep-status" data-status={status}>
        {statusText(status, done, total, elapsedMs)}
      </span>
      {error && (
        <span className="zs-problem" role="alert">
          {error}
        </span>
      )}
    </div>
  );
}

/** The sweep's small multiples, its downloads, and every point as a table. */
function SweepResults({ sweep, run }: { readonly sweep: Sweep; readonly run: SweepRun }) {
  const status = useSweep((s) => s.status);
  const svgRef = useRef<SVGSVGElement>(null);
  return (
    <>
      <p className="zs-caption">
        <strong>{run.title}</strong>: {describeSpec(run.spec)}. Click a point to open that run at the first
        allocation of ballooned memory.
      </p>
      <div className="zs-chart">
        <SmallMultiples ref={svgRef} run={run} onOpen={(v, k) => void sweep.getState().openPoint(v, k)} />
      </div>
      <div className="zs-actions">
        <button
          type="button"
          disabled={status !== "done"}
          onClick={() =>
            download(sweepFileName(run, "csv"), sweepCsv(run.points.filter((p) => p !== null)), "text/csv")
          }
        >
          Download CSV
        </button>
        <button
          type="button"
          disabled={status !== "done"}
          onClick={() =>
            svgRef.current && download(sweepFileName(run, "svg"), exportSvg(svgRef.current), "image/svg+xml")
          }
        >
          Download SVG
        </button>
      </div>
      <details className="zs-table-wrap">
        <summary>Every point, as a table</summary>
        <PointsTable sweep={sweep} run={run} />
      </details>
    </>
  );
}

function PointsTable({ sweep, run }: { readonly sweep: Sweep; readonly run: SweepRun }) {
  return (
    <table className="zs-table" data-testid="sweep-table">
      <thead>
        <tr>
          <th scope="col">{PARAMETERS[run.spec.param].label}</th>
          <th scope="col">kernel</th>
          <th scope="col">outcome</th>
          {MEASURES.flatMap((m) =>
            SIDES.map((s) => (
              <th key={`${m.id}-${s}`} scope="col">
                {m.label}, {s}
              </th>
            )),
          )}
          <th scope="col">
            <span className="sr-only">open</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {run.values.flatMap((value, v) =>
          run.spec.kernels.map((kernel, k) => {
            const p = run.points[v * run.spec.kernels.length + k];
            const name = `${formatParameterValue(run.spec.param, value)} under ${kernel}`;
            return (
              <tr key={`${String(value)}-${kernel}`}>
                <td>{formatParameterValue(run.spec.param, value)}</td>
                <td>{kernel}</td>
                <td>{p ? (p.problem ? `cannot run: ${p.problem}` : p.outcome) : "…"}</td>
                {MEASURES.flatMap((m) =>
                  SIDES.map((s) => {
                    const x = p?.values[m.id][s];
                    return (
                      <td key={`${m.id}-${s}`}>
                        {x === null || x === undefined ? "–" : formatBytesShort(x)}
                      </td>
                    );
                  }),
                )}
                <td>
                  <button
                    type="button"
                    disabled={p?.problem !== ""}
                    aria-label={`Open the run: ${name}`}
                    onClick={() => void sweep.getState().openPoint(v, kernel)}
                  >
                    Open
                  </button>
                </td>
              </tr>
            );
          }),
        )}
      </tbody>
    </table>
  );
}
