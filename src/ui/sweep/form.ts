/**
 * The sweep form's state and what it derives: its first values, the spec it makes (or why it
 * cannot), the status line and the export's file names. Pure; SweepPanel.tsx draws it.
 */
import { GiB } from "../../base/units.ts";
import {
  makeSpec,
  PARAMETERS,
  type ParameterId,
  parameterValueOf,
  type SweepRun,
  type SweepSpec,
  type SweepStatus,
} from "../../state/sweep.ts";
import type { VariantId } from "../../worker/api.ts";
import { formatBytesShort } from "../format.ts";

/** The form as typed: range ends and the point count as text, choices as lists. */
export interface SweepForm {
  param: ParameterId;
  from: string;
  to: string;
  points: string;
  values: string[];
  qemuVersions: string;
  kernels: VariantId[];
}

/** QEMU versions offered until the user types others. */
const QEMU_VERSIONS = "2.10, 5.2, 9.2";

/** A size without its space ("4 GiB" → "4GiB"), as the range fields take it. */
function sizeText(bytes: number): string {
  return formatBytesShort(bytes).replace(" ", "");
}

/**
 * A parameter's fields when it is chosen: guest RAM from a quarter of the scenario's to all of it
 * in 4 points; other sizes from 0 to all of guest RAM in 11; a choice, every option.
 */
export function fieldsFor(
  param: ParameterId,
  scenario: unknown,
): Pick<SweepForm, "from" | "to" | "points" | "values"> {
  const info = PARAMETERS[param];
  if (param === "guestRam") {
    const ram = parameterValueOf(scenario, "guestRam");
    const top = typeof ram === "number" ? ram : 16 * GiB;
    return { from: sizeText(top / 4), to: sizeText(top), points: "4", values: [] };
  }
  if (info.kind === "size") return { from: "0", to: "100%", points: "11", values: [] };
  return { from: "", to: "", points: "", values: [...info.options] };
}

/** The form that shows a sweep's spec (a sweep from the link, or the last one run). */
export function formOf(spec: SweepSpec): SweepForm {
  const base = {
    param: spec.param,
    kernels: [...spec.kernels],
    qemuVersions:
      spec.kind === "values" && spec.param === "qemuVersion" ? spec.values.join(", ") : QEMU_VERSIONS,
  };
  if (spec.kind === "values") return { ...base, from: "", to: "", points: "", values: [...spec.values] };
  const end = (e: typeof spec.from) => ("percent" in e ? `${e.percent}%` : sizeText(e.bytes));
  return { ...base, from: end(spec.from), to: end(spec.to), points: String(spec.points), values: [] };
}

/**
 * The form a fresh panel opens with: the preset's first two kernels (else the run's kernel and
 * the other s390 one), the balloon's size when the scenario has a balloon, else guest RAM.
 */
export function firstForm(
  scenario: unknown,
  presetKernels: readonly VariantId[] | null,
  runKernel: VariantId | null,
): SweepForm {
  const kernels: VariantId[] = presetKernels
    ? presetKernels.slice(0, 2)
    : ([runKernel, runKernel === "s390-06201e00" ? "s390-fa41ba0d" : "s390-06201e00"].filter(
        Boolean,
      ) as VariantId[]);
  const param: ParameterId = parameterValueOf(scenario, "balloon") !== null ? "balloon" : "guestRam";
  return { param, kernels, qemuVersions: QEMU_VERSIONS, ...fieldsFor(param, scenario) };
}

/** The spec the form makes, or the first thing wrong with it. */
export function specOfForm(
  form: SweepForm,
): { spec: SweepSpec; problem: "" } | { spec: null; problem: string } {
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
  if (!made.ok) return { spec: null, problem: made.error };
  if (form.kernels.length < 2) return { spec: null, problem: "choose at least two kernels to compare" };
  return { spec: made.spec, problem: "" };
}

/** `list` with `item` in or out, kept in `order`'s order. */
export function toggled<T>(list: readonly T[], item: T, on: boolean, order: readonly T[]): T[] {
  return on ? order.filter((x) => x === item || list.includes(x)) : list.filter((x) => x !== item);
}

/** The status line: not run, or how many runs of how many, in how long. */
export function statusText(status: SweepStatus, done: number, total: number, elapsedMs: number): string {
  if (status === "idle") return "Not run yet.";
  const more = status === "running" ? "…" : "";
  const cancelled = status === "cancelled" ? " · cancelled" : "";
  return `${done} of ${total} runs${more} · ${(elapsedMs / 1000).toFixed(1)} s${cancelled}`;
}

/** The export's file name: the run's title and the parameter, in safe characters. */
export function sweepFileName(run: SweepRun | null, ext: string): string {
  return `sweep-${(run?.title || "scenario").replace(/[^A-Za-z0-9]+/g, "-")}-${run?.spec.param ?? ""}.${ext}`;
}
