/**
 * A student's problem: the scenario drawn for a seed from its exercise's ranges
 * (scenario/exercise-schema.ts `vary`). The same scenario and seed always give the same problem;
 * another seed usually gives another. Pure and small (no engine): the page draws before it asks
 * the worker to run, so a link `…&seed=42` needs nothing but the scenario and the number.
 *
 * Each parameter draws from its own stream (the seed mixed with the parameter's name), so adding
 * a range for one parameter does not change what the others draw. Guest RAM is drawn first (every
 * size in the actions scales with it: scenario/parameters.ts), then shares of it are resolved
 * against the drawn RAM. The drawn scenario keeps the questions (their action numbers moved where
 * storage keys left an action out; a question about a left-out action is dropped) and loses the
 * ranges: it is an ordinary scenario that runs as it is.
 */

import * as v from "valibot";
import { Prng } from "../base/prng.ts";
import { GiB, MiB, PAGE_SIZE } from "../base/units.ts";
import { ExerciseSchema, type SizeOrShare, shareOf, type Vary } from "../scenario/exercise-schema.ts";
import {
  applyParameter,
  formatParameterValue,
  guestRamOf,
  type ParameterId,
  type ParameterIssue,
  type ParameterValue,
  shareBytes,
} from "../scenario/parameters.ts";

/** Seeds are what a class hands out: student numbers, 0 to 2^31 − 1. */
export const MAX_SEED = 2 ** 31 - 1;

export function isSeed(n: unknown): n is number {
  return typeof n === "number" && Number.isInteger(n) && n >= 0 && n <= MAX_SEED;
}

export interface DrawnValue {
  readonly id: ParameterId;
  readonly value: ParameterValue;
  /** "48 GiB", "s390-06201e00", "on". */
  readonly text: string;
}

export type DrawResult =
  | {
      readonly ok: true;
      /** Scenario JSON to run: the ranges resolved, the questions kept. */
      readonly scenario: unknown;
      /** What was drawn, in draw order (empty when the scenario has no ranges). */
      readonly values: readonly DrawnValue[];
    }
  | { readonly ok: false; readonly issues: readonly ParameterIssue[] };

type Json = Record<string, unknown>;

function exerciseOf(input: unknown): Json | null {
  const ex = (input as { exercise?: unknown } | null)?.exercise;
  return ex !== null && typeof ex === "object" && !Array.isArray(ex) ? (ex as Json) : null;
}

/** The scenario has questions (then playback stops before their steps). */
export function hasCheckpoints(input: unknown): boolean {
  const c = exerciseOf(input)?.checkpoints;
  return Array.isArray(c) && c.length > 0;
}

/** The scenario has ranges for a seed to draw from. */
export function hasVary(input: unknown): boolean {
  const vary = exerciseOf(input)?.vary;
  return vary !== null && typeof vary === "object" && Object.keys(vary as object).length > 0;
}

/** The order parameters are drawn and applied in (guest RAM first: shares are of the drawn RAM). */
const ORDER = [
  "guestRam",
  "written",
  "balloon",
  "kernel",
  "qemuVersion",
  "zeroPageDetection",
  "skeys",
] as const;

/** A stream per (seed, parameter): a 32-bit mix of the two (murmur3's finaliser). */
function streamSeed(seed: number, param: string): number {
  let h = seed ^ 0x9e3779b9;
  for (let i = 0; i < param.length; i++) h = Math.imul(h ^ param.charCodeAt(i), 0x5bd1e995);
  h ^= h >>> 15;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) | 0;
}

/** The default step of a size range: the largest of 1 GiB, 1 MiB and a page that fits in it. */
function defaultSizeStep(span: number): number {
  for (const s of [GiB, MiB]) if (span >= s) return s;
  return PAGE_SIZE;
}

/** The values of a range, in bytes (shares resolved against `guestRam`). */
export function rangeValues(
  range: { readonly from: SizeOrShare; readonly to: SizeOrShare; readonly step?: SizeOrShare | undefined },
  guestRam: number,
): number[] {
  const from = shareOf(range.from);
  const to = shareOf(range.to);
  if (from !== null && to !== null) {
    const stepShare = range.step === undefined ? null : shareOf(range.step);
    const step = stepShare ?? (to - from >= 10 ? 10 : Math.max(to - from, 1));
    const out: number[] = [];
    for (let k = 0; from + k * step <= to + 1e-9 && k <= 1000; k++)
      out.push(shareBytes(guestRam, from + k * step));
    return [...new Set(out)];
  }
  const a = range.from as number;
  const b = range.to as number;
  const step = (range.step as number | undefined) ?? defaultSizeStep(b - a);
  const out: number[] = [];
  for (let k = 0; a + k * step <= b && k <= 1000; k++) {
    out.push(a + k * step);
    if (step <= 0) break;
  }
  return out;
}

/** The choices of one parameter's range (bytes for sizes, text for the rest). */
function choicesOf(vary: Vary, id: (typeof ORDER)[number], guestRam: number): ParameterValue[] {
  switch (id) {
    case "guestRam":
    case "balloon":
    case "written": {
      const r = vary[id];
      return r ? rangeValues(r as Parameters<typeof rangeValues>[0], guestRam) : [];
    }
    case "kernel":
      return [...(vary.kernel ?? [])];
    case "qemuVersion":
      return [...(vary.qemuVersion ?? [])];
    case "zeroPageDetection":
      return [...(vary.zeroPageDetection ?? [])];
    case "skeys":
      return (vary.skeys ?? []).map((on) => (on ? "on" : "off"));
  }
}

/**
 * The problem for `seed`. A scenario without ranges (or whose exercise does not validate: the
 * run reports that, with its path) comes back as it is, with no values.
 */
export function drawScenario(input: unknown, seed: number): DrawResult {
  if (!isSeed(seed))
    return {
      ok: false,
      issues: [{ path: "seed", message: `expected a seed from 0 to ${MAX_SEED}, got ${seed}` }],
    };
  const ex = exerciseOf(input);
  if (!ex || !hasVary(input)) return { ok: true, scenario: input, values: [] };
  const parsed = v.safeParse(ExerciseSchema, ex);
  if (!parsed.success || !parsed.output.vary) return { ok: true, scenario: input, values: [] };
  const vary = parsed.output.vary;
  let scenario: unknown = input;
  let map: number[] | null = null;
  const values: DrawnValue[] = [];
  for (const id of ORDER) {
    if (vary[id] === undefined) continue;
    const ram = guestRamOf(scenario) ?? 0;
    const choices = choicesOf(vary, id, ram);
    if (choices.length === 0) continue;
    const value = choices[new Prng(streamSeed(seed, id)).int(0, choices.length - 1)]!;
    const r = applyParameter(scenario, id, value);
    if (!r.ok) return { ok: false, issues: [r.issue] };
    scenario = r.scenario;
    if (id === "skeys") map = [...r.actionMap];
    values.push({ id, value, text: formatParameterValue(id, value) });
  }
  const out = scenario as Json;
  const exercise = { ...(out.exercise as Json) };
  delete exercise.vary;
  if (map && Array.isArray(exercise.checkpoints)) {
    const m = map;
    exercise.checkpoints = (exercise.checkpoints as Json[])
      .filter((c) => typeof c?.at !== "number" || (m[c.at as number] ?? 0) >= 0)
      .map((c) => (typeof c?.at === "number" ? { ...c, at: m[c.at as number] ?? c.at } : c));
  }
  out.exercise = exercise;
  return { ok: true, scenario: out, values };
}
