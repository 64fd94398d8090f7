/**
 * What a link expects a run to produce, small enough to ride in the URL:
 *
 *   h   the end-state hash: 12 hex digits of SHA-256 over the outcome and, for each mm, four
 *       final counters (RssAnon, VmPTE, zeropage PTEs, host memory)
 *   ha  one 24-bit hash per trace action (4 base64url characters each) over the same counters
 *       after that action, so a changed result can be located: "differs from step K"
 *   x   the expected end values themselves (outcome letter, then the counters in base 36), so the
 *       app can show "the link expected … / now …" side by side
 *
 * Worked size: the commit story has 4 trace actions and 2 mms: h is 12 characters, ha 16, and x
 * about 70 (100 GiB = 107374182400 = "1dbz0c2o0" in base 36).
 *
 * Pure functions of the trace (columns only): nothing here runs the engine. The counter layout
 * comes from the run (RunInfo.counters, the engine's COUNTERS order), not from an engine import,
 * so the main thread can use this module without loading the model.
 */
import { Hasher } from "../base/hash.ts";
import type { Trace } from "../engine/trace.ts";
import { toBase64url } from "./compress.ts";

/** The counters a link checks, in this order. Append only (links hash them by position). */
export const KEY_COUNTERS = ["rssAnonBytes", "vmPteBytes", "zeropagePtes", "hostMemBytes"] as const;
export const KEY_COUNTER_LABELS = ["RssAnon", "VmPTE", "zeropage PTEs", "host memory"] as const;

export type Outcome = "completed" | "hung" | "failed";
const OUTCOME_LETTERS: Record<Outcome, string> = { completed: "c", hung: "h", failed: "f" };

export interface EndState {
  readonly outcome: Outcome;
  /** values[mm][k]: KEY_COUNTERS[k] of mm `mm` at the end. */
  readonly values: readonly (readonly number[])[];
}

/** The columns of a trace this module reads (a RunInfo's trace is enough). */
export type TraceCounters = Pick<Trace, "mmNames" | "events" | "counters" | "initialCounters" | "actions">;

function keyIndices(counterKeys: readonly string[]): number[] {
  return KEY_COUNTERS.map((k) => {
    const i = counterKeys.indexOf(k);
    if (i < 0) throw new Error(`the trace has no counter ${k}`);
    return i;
  });
}

/** KEY_COUNTERS of every mm after event `event` (-1: the initial state). */
function keyValuesAt(t: TraceCounters, counterKeys: readonly string[], event: number): number[][] {
  const idx = keyIndices(counterKeys);
  const n = counterKeys.length;
  const mms = t.mmNames.length;
  const out: number[][] = [];
  for (let m = 0; m < mms; m++) {
    out.push(
      idx.map((c) => (event < 0 ? t.initialCounters[m * n + c]! : t.counters[(event * mms + m) * n + c]!)),
    );
  }
  return out;
}

export function endStateOf(t: TraceCounters, counterKeys: readonly string[], outcome: Outcome): EndState {
  return { outcome, values: keyValuesAt(t, counterKeys, t.events - 1) };
}

function valuesText(values: readonly (readonly number[])[]): string {
  return values.map((m) => m.join(",")).join(";");
}

/** "3f9c0a1b2c4d": 48 bits, enough that two different end states never meet in practice. */
export function endHash(end: EndState): string {
  return new Hasher().text(`zeropage-lab end state|${end.outcome}|${valuesText(end.values)}`).hex(12);
}

/** One 24-bit hash per trace action, concatenated: 4 base64url characters each. */
export function actionHashes(t: TraceCounters, counterKeys: readonly string[]): string {
  let out = "";
  for (const a of t.actions) {
    const values = keyValuesAt(t, counterKeys, a.endEvent - 1);
    const hex = new Hasher().text(`zeropage-lab action|${valuesText(values)}`).hex(6);
    const n = Number.parseInt(hex, 16);
    out += toBase64url(new Uint8Array([n >> 16, (n >> 8) & 255, n & 255]));
  }
  return out;
}

/**
 * The first action (0-based) whose hash differs, comparing 4-character groups; a list that ends
 * early differs at its end. null when both lists are equal.
 */
export function firstDifferingAction(expected: string, current: string): number | null {
  const n = Math.max(expected.length, current.length) / 4;
  for (let i = 0; i < n; i++) {
    if (expected.slice(i * 4, i * 4 + 4) !== current.slice(i * 4, i * 4 + 4)) return i;
  }
  return null;
}

/** "c.1dbz0c2o0.ck0.0.1dc5m9rk0_…": the outcome letter, then each mm's values in base 36. */
export function formatEndValues(end: EndState): string {
  const mms = end.values.map((m) => m.map((x) => Math.round(x).toString(36)).join("."));
  return [OUTCOME_LETTERS[end.outcome], ...mms].join("_");
}

/** Reads formatEndValues() output; null when it is not one. */
export function parseEndValues(text: string): EndState | null {
  if (text.length > 2000) return null;
  const parts = text.split("_");
  const letter = parts.shift();
  const outcome = (Object.keys(OUTCOME_LETTERS) as Outcome[]).find((o) => OUTCOME_LETTERS[o] === letter);
  if (!outcome || parts.length === 0 || parts.length > 8) return null;
  const values: number[][] = [];
  for (const p of parts) {
    const xs = p.split(".");
    if (xs.length !== KEY_COUNTERS.length || !xs.every((x) => /^[0-9a-z]{1,12}$/.test(x))) return null;
    values.push(xs.map((x) => Number.parseInt(x, 36)));
  }
  return { outcome, values };
}
