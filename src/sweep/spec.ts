/**
 * A parameter sweep: one scenario parameter (scenario/parameters.ts) over a range or a list of
 * values, for one or more kernels. Every point is the scenario with that parameter set, run under
 * that kernel (run.ts). Small and engine-free: the page expands and spells sweeps itself.
 *
 * Spelled in links (the additive `sweep` parameter) and on the command line the same way:
 *
 *   balloon~0~100%~11~s390-fa41ba0d.s390-06201e00     a size from 0 to 100 % of guest RAM, 11 points
 *   guestRam~16GiB~128GiB~8~s390-06201e00.x86_64       a size range in bytes
 *   migration~precopy_postcopy~s390-fa41ba0d.s390-06201e00      a list of values
 *   qemuVersion~2.10_9.2~s390-2faee8ff.s390-06201e00
 *
 * Sizes as the scenario writes them ("40GiB"), shares of the scenario's guest RAM as "40%"
 * (balloon and written only; a range from 0 to a share may write its 0 as a size). Kernels are
 * separated by `.`, values by `_` (QEMU versions have dots); `~`, `.` and `_` need no escaping in
 * a URL. The kernel is what the lines are, not a parameter to sweep.
 */
import { GiB, MiB, PAGE_SIZE, parseSize } from "../base/units.ts";
import { isVariantId, VARIANT_IDS, type VariantId } from "../engine/variants.ts";
import {
  guestRamOf,
  isParameterId,
  PARAMETER_IDS,
  PARAMETERS,
  type ParameterId,
  type ParameterValue,
  shareBytes,
} from "../scenario/parameters.ts";

export const MAX_POINTS = 51;

/** What a sweep can turn: every scenario parameter but the kernel (the kernels are its lines). */
export const SWEEP_PARAMETERS: readonly ParameterId[] = PARAMETER_IDS.filter((p) => p !== "kernel");
export const MAX_KERNELS = 6;

/** An end of a size range: bytes, or a share of guest RAM in percent. */
export type RangeEnd = { readonly bytes: number } | { readonly percent: number };

export type SweepSpec =
  | {
      readonly param: ParameterId;
      readonly kind: "range";
      readonly from: RangeEnd;
      readonly to: RangeEnd;
      readonly points: number;
      readonly kernels: readonly VariantId[];
    }
  | {
      readonly param: ParameterId;
      readonly kind: "values";
      readonly values: readonly string[];
      readonly kernels: readonly VariantId[];
    };

export type SpecResult =
  | { readonly ok: true; readonly spec: SweepSpec }
  | { readonly ok: false; readonly error: string };

function endText(e: RangeEnd): string {
  if ("percent" in e) return `${e.percent}%`;
  const b = e.bytes;
  if (b === 0) return "0";
  if (b % GiB === 0) return `${b / GiB}GiB`;
  if (b % MiB === 0) return `${b / MiB}MiB`;
  return String(b);
}

/** Reads a range end: "40GiB", "0", "40%" (shares only where the parameter allows them). */
export function parseRangeEnd(text: string, param: ParameterId): RangeEnd | string {
  const t = text.trim();
  if (t.endsWith("%")) {
    if (!PARAMETERS[param].share) return `${PARAMETERS[param].label} takes sizes, not shares of guest RAM`;
    const pct = Number(t.slice(0, -1));
    if (!(t.length > 1 && pct >= 0 && pct <= 100)) return `expected a share from 0% to 100%, got "${t}"`;
    return { percent: pct };
  }
  const r = parseSize(t);
  if (!r.ok) return r.error;
  if (r.bytes % PAGE_SIZE !== 0) return `expected whole 4 KiB pages, got ${r.bytes} bytes`;
  return { bytes: r.bytes };
}

/** Checks and builds a spec from its parts (the link, the command line and the form all use it). */
export function makeSpec(parts: {
  param: string;
  from?: string;
  to?: string;
  points?: number;
  values?: readonly string[];
  kernels: readonly string[];
}): SpecResult {
  const fail = (error: string): SpecResult => ({ ok: false, error });
  if (!isParameterId(parts.param) || parts.param === "kernel")
    return fail(`unknown parameter "${parts.param}"; expected ${SWEEP_PARAMETERS.join(", ")}`);
  const param = parts.param;
  const info = PARAMETERS[param];
  if (parts.kernels.length < 1) return fail("expected at least one kernel");
  if (parts.kernels.length > MAX_KERNELS) return fail(`expected at most ${MAX_KERNELS} kernels`);
  const bad = parts.kernels.find((k) => !isVariantId(k));
  if (bad !== undefined) return fail(`unknown kernel "${bad}"; expected ${VARIANT_IDS.join(", ")}`);
  if (new Set(parts.kernels).size !== parts.kernels.length) return fail("expected each kernel once");
  const kernels = parts.kernels as VariantId[];
  if (info.kind === "size") {
    if (parts.from === undefined || parts.to === undefined || parts.points === undefined)
      return fail(`${info.label} is a size: expected from, to and a number of points`);
    let from = parseRangeEnd(parts.from, param);
    if (typeof from === "string") return fail(`from: ${from}`);
    let to = parseRangeEnd(parts.to, param);
    if (typeof to === "string") return fail(`to: ${to}`);
    // "from 0 to 100%": a zero is no size and no share, so it takes the other end's kind.
    if ("bytes" in from && from.bytes === 0 && "percent" in to) from = { percent: 0 };
    if ("bytes" in to && to.bytes === 0 && "percent" in from) to = { percent: 0 };
    if ("percent" in from !== "percent" in to)
      return fail("expected from and to both as sizes or both as shares (%)");
    const a = "percent" in from ? from.percent : from.bytes;
    const b = "percent" in to ? to.percent : (to as { bytes: number }).bytes;
    if (a > b) return fail("expected from at most to");
    if (param === "guestRam" && a <= 0) return fail("expected a guest RAM above 0");
    const n = parts.points;
    if (!Number.isInteger(n) || n < 2 || n > MAX_POINTS)
      return fail(`expected 2 to ${MAX_POINTS} points, got ${n}`);
    return { ok: true, spec: { param, kind: "range", from, to, points: n, kernels } };
  }
  const values = parts.values ?? info.options;
  if (values.length < 1 || values.length > MAX_POINTS) return fail(`expected 1 to ${MAX_POINTS} values`);
  if (new Set(values).size !== values.length) return fail("expected each value once");
  if (param === "qemuVersion") {
    const v = values.find((x) => !/^\d+\.\d+$/.test(x));
    if (v !== undefined) return fail(`expected QEMU versions such as "9.2", got "${v}"`);
  } else {
    const v = values.find((x) => !info.options.includes(x));
    if (v !== undefined) return fail(`${info.label}: expected ${info.options.join(", ")}, got "${v}"`);
  }
  return { ok: true, spec: { param, kind: "values", values: [...values], kernels } };
}

/** The link's (and the command line's) spelling of a sweep. */
export function formatSpec(spec: SweepSpec): string {
  const kernels = spec.kernels.join(".");
  if (spec.kind === "range")
    return [spec.param, endText(spec.from), endText(spec.to), spec.points, kernels].join("~");
  return [spec.param, spec.values.join("_"), kernels].join("~");
}

export function parseSpec(text: string): SpecResult {
  const parts = text.split("~");
  if (parts.length === 5) {
    const [param, from, to, points, kernels] = parts as [string, string, string, string, string];
    if (!/^\d{1,3}$/.test(points))
      return { ok: false, error: `expected a number of points, got "${points}"` };
    return makeSpec({ param, from, to, points: Number(points), kernels: kernels.split(".") });
  }
  if (parts.length === 3) {
    const [param, values, kernels] = parts as [string, string, string];
    return makeSpec({ param, values: values.split("_"), kernels: kernels.split(".") });
  }
  return {
    ok: false,
    error: "expected param~from~to~points~kernels (a size) or param~values~kernels (a choice)",
  };
}

/**
 * The parameter's values at the sweep's points: bytes for sizes (shares of `scenario`'s guest RAM
 * resolved, evenly spaced ends included, rounded down to whole MiB or pages), text for choices.
 */
export function sweepValues(spec: SweepSpec, scenario: unknown): ParameterValue[] {
  if (spec.kind === "values") return [...spec.values];
  const ram = guestRamOf(scenario) ?? 0;
  const out: number[] = [];
  for (let i = 0; i < spec.points; i++) {
    const f = i / (spec.points - 1);
    if ("percent" in spec.from && "percent" in spec.to) {
      out.push(shareBytes(ram, spec.from.percent + (spec.to.percent - spec.from.percent) * f));
    } else {
      const a = (spec.from as { bytes: number }).bytes;
      const b = (spec.to as { bytes: number }).bytes;
      const grain = b - a >= GiB ? MiB : PAGE_SIZE;
      out.push(i === spec.points - 1 ? b : a + Math.floor(((b - a) * f) / grain) * grain);
    }
  }
  return out;
}

/** "balloon size 0 to 100 % of guest RAM, 11 points", for titles. */
export function describeSpec(spec: SweepSpec): string {
  const label = PARAMETERS[spec.param].label;
  if (spec.kind === "values") return `${label}: ${spec.values.join(", ")}`;
  const end = (e: RangeEnd) =>
    "percent" in e ? `${e.percent} %` : endText(e).replace(/(\d)([KMG]iB)$/, "$1 $2");
  const of = "percent" in spec.from ? " of guest RAM" : "";
  return `${label} ${end(spec.from)} to ${end(spec.to)}${of}, ${spec.points} points`;
}
