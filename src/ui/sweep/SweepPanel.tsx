/**
 * The Sweep panel: choose a parameter and its range or values and the kernels, run the
 * scenario on screen over them (state/sweep.ts: a second worker, one point at a time, a progress
 * bar, Cancel), see the results as small multiples, open any point's run, export CSV and SVG.
 */
import { useRef, useState } from "react";
import { GiB } from "../../base/units.ts";
import {
  describeSpec,
  formatParameterValue,
  MAX_POINTS,
  MEASURES,
  makeSpec,
  PARAMETERS,
  type ParameterId,
  parameterValueOf,
  SIDES,
  SWEEP_PARAMETERS,
  type SweepSpec,
  sweepCsv,
} from "../../state/sweep.ts";
import type { VariantId } from "../../worker/api.ts";
import { download } from "../export/download.ts";
import { formatBytesShort } from "../format.ts";
import { useApp } from "../store-context.tsx";
import { useStudy, useSweep } from "../study/context.tsx";
import { exportSvg, SmallMultiples } from "./SmallMultiples.tsx";

interface Form {
  param: ParameterId;
  from: string;
  to: string;
  points: string;
  values: string[];
  qemuVersions: string;
  kernels: VariantId[];
}

function defaults(param: ParameterId, scenario: unknown): Pick<Form, "from" | "to" | "points" | "values"> {
  const info = PARAMETERS[param];
  if (param === "guestRam") {
    const ram = parameterValueOf(scenario, "guestRam");
    const top = typeof ram === "number" ? ram : 16 * GiB;
    return {
      from: formatBytesShort(top / 4).replace(" ", ""),
      to: formatBytesShort(top).replace(" ", ""),
      points: "4",
      values: [],
    };
  }
  if (info.kind === "size") return { from: "0", to: "100%", points: "11", values: [] };
  return { from: "", to: "", points: "", values: [...info.options] };
}

function formOf(spec: SweepSpec): Form {
  const base = {
    param: spec.param,
    kernels: [...spec.kernels],
    qemuVersions:
      spec.kind === "values" && spec.param === "qemuVersion" ? spec.values.join(", ") : "2.10, 5.2, 9.2",
  };
  if (spec.kind === "values") return { ...base, from: "", to: "", points: "", values: [...spec.values] };
  const end = (e: SweepSpec extends infer S ? (S extends { from: infer F } ? F : never) : never) =>
    "percent" in e ? `${e.percent}%` : formatBytesShort(e.bytes).replace(" ", "");
  return { ...base, from: end(spec.from), to: end(spec.to), points: String(spec.points), values: [] };
}

export function SweepPanel() {
  const study = useStudy();
  const scenario = useApp((s) => s.scenario);
  const presets = useApp((s) => s.presets);
  const presetId = useApp((s) => s.presetId);
  const variants = useApp((s) => s.variants);
  const runKernel = useApp((s) => s.run?.kernel.id ?? null);
  const run = useSweep((s) => s.run);
  const status = useSweep((s) => s.status);
  const done = useSweep((s) => s.done);
  const total = useSweep((s) => s.total);
  const elapsedMs = useSweep((s) => s.elapsedMs);
  const error = useSweep((s) => s.error);
  const svgRef = useRef<SVGSVGElement>(null);
  const [form, setForm] = useState<Form>(() => {
    if (run) return formOf(run.spec);
    const preset = presets.find((p) => p.id === presetId);
    const kernels: VariantId[] = preset
      ? preset.variants.slice(0, 2)
      : ([runKernel, runKernel === "s390-06201e00" ? "s390-fa41ba0d" : "s390-06201e00"].filter(
          Boolean,
        ) as VariantId[]);
    const param: ParameterId = parameterValueOf(scenario, "balloon") !== null ? "balloon" : "guestRam";
    return { param, kernels, qemuVersions: "2.10, 5.2, 9.2", ...defaults(param, scenario) };
  });
  if (!study) return null;
  const sweep = study.sweep.getState();
  const info = PARAMETERS[form.param];
  const made = makeSpec({
    param: form.param,
    kernels: form.kernels,
    ...(info.kind === "size"
      ? { from: form.from, to: form.to, points: /^\d+$/.test(form.points) ? Number(form.points) : Number.NaN }
      : {
          values:
            form.param === "qemuVersion"
              ? form.qemuVersions
                  .split(/[,\s]+/)
                  .map((s) => s.trim())
                  .filter(Boolean)
              : form.values,
        }),
  });
  const problem = !made.ok
    ? made.error
    : form.kernels.length < 2
      ? "choose at least two kernels to compare"
      : "";
  const running = status === "running";
  const file = (ext: string) =>
    `sweep-${(run?.title || "scenario").replace(/[^A-Za-z0-9]+/g, "-")}-${run?.spec.param ?? ""}.${ext}`;
  return (
    <div className="zs-panel" data-testid="sweep-panel">
      <form
        className="zs-form"
        onSubmit={(e) => {
          e.preventDefault();
          if (made.ok && !problem) void sweep.start(made.spec);
        }}
      >
        <label>
          Parameter{" "}
          <select
            value={form.param}
            onChange={(e) => {
              const param = e.target.value as ParameterId;
              setForm((f) => ({ ...f, param, ...defaults(param, scenario) }));
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
          <>
            <label>
              From{" "}
              <input
                type="text"
                size={7}
                value={form.from}
                onChange={(e) => setForm((f) => ({ ...f, from: e.target.value }))}
              />
            </label>
            <label>
              To{" "}
              <input
                type="text"
                size={7}
                value={form.to}
                onChange={(e) => setForm((f) => ({ ...f, to: e.target.value }))}
              />
            </label>
            <label>
              Points{" "}
              <input
                type="number"
                min={2}
                max={MAX_POINTS}
                value={form.points}
                onChange={(e) => setForm((f) => ({ ...f, points: e.target.value }))}
              />
            </label>
          </>
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
                    setForm((f) => ({
                      ...f,
                      values: e.target.checked
                        ? info.options.filter((x) => x === o || f.values.includes(x))
                        : f.values.filter((x) => x !== o),
                    }))
                  }
                />{" "}
                {o}
              </label>
            ))}
          </fieldset>
        )}
        <fieldset className="zs-kernels">
          <legend>Kernels (one line each)</legend>
          {variants.map((v) => (
            <label key={v.id}>
              <input
                type="checkbox"
                checked={form.kernels.includes(v.id)}
                onChange={(e) =>
                  setForm((f) => ({
                    ...f,
                    kernels: e.target.checked
                      ? variants.map((x) => x.id).filter((x) => x === v.id || f.kernels.includes(x))
                      : f.kernels.filter((x) => x !== v.id),
                  }))
                }
              />{" "}
              {v.letter} · {v.id}
            </label>
          ))}
        </fieldset>
        <div className="zs-actions">
          <button type="submit" className="zs-primary" disabled={running || problem !== ""}>
            Run the sweep
          </button>
          <button type="button" onClick={() => sweep.cancel()} disabled={!running}>
            Cancel
          </button>
          {problem && (
            <span className="zs-problem" role="alert">
              {problem}
            </span>
          )}
        </div>
      </form>

      <div className="zs-status" aria-live="polite">
        <progress
          max={Math.max(1, total)}
          value={done}
          aria-label="Sweep progress"
          data-testid="sweep-progress"
        />
        <span data-testid="sweep-status" data-status={status}>
          {status === "idle"
            ? "Not run yet."
            : `${done} of ${total} runs${status === "running" ? "…" : ""} · ${(elapsedMs / 1000).toFixed(1)} s${status === "cancelled" ? " · cancelled" : ""}`}
        </span>
        {error && (
          <span className="zs-problem" role="alert">
            {error}
          </span>
        )}
      </div>

      {run && (
        <>
          <p className="zs-caption">
            <strong>{run.title}</strong>: {describeSpec(run.spec)}. Click a point to open that run at the
            first allocation of ballooned memory.
          </p>
          <div className="zs-chart">
            <SmallMultiples ref={svgRef} run={run} onOpen={(v, k) => void sweep.openPoint(v, k)} />
          </div>
          <div className="zs-actions">
            <button
              type="button"
              disabled={status !== "done"}
              onClick={() =>
                download(file("csv"), sweepCsv(run.points.filter((p) => p !== null)), "text/csv")
              }
            >
              Download CSV
            </button>
            <button
              type="button"
              disabled={status !== "done"}
              onClick={() =>
                svgRef.current && download(file("svg"), exportSvg(svgRef.current), "image/svg+xml")
              }
            >
              Download SVG
            </button>
          </div>
          <details className="zs-table-wrap">
            <summary>Every point, as a table</summary>
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
                            onClick={() => void sweep.openPoint(v, kernel)}
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
          </details>
        </>
      )}
    </div>
  );
}
