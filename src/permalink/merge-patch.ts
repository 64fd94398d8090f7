/**
 * JSON Merge Patch (RFC 7386) for "a preset plus overrides": the link stores only what differs
 * from the preset's scenario. Objects merge key by key, `null` deletes a key, and anything else
 * (arrays included) replaces the value whole. Scenarios never contain null, so a patch is exact:
 * applyMergePatch(base, diffMergePatch(base, target)) equals target.
 *
 * Hostile input: JSON.parse turns a "__proto__" key into an own property, and so do these
 * functions (they never assign through `obj[key] = ...`), so no prototype is ever changed.
 */

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** JSON nesting deeper than this is refused before any recursive walk (a scenario needs 4). */
export const MAX_JSON_DEPTH = 32;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function setOwn(obj: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

/** Deepest nesting of arrays and objects, counted without recursion (a hostile link can nest 100k deep). */
export function jsonDepth(value: unknown): number {
  let max = 0;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [v, d] = stack.pop()!;
    if (typeof v !== "object" || v === null) continue;
    if (d + 1 > max) max = d + 1;
    if (max > MAX_JSON_DEPTH) return max;
    for (const child of Object.values(v)) stack.push([child, d + 1]);
  }
  return max;
}

/** Structural equality of JSON values; key order does not matter. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => jsonEqual(x, b[i]));
  }
  if (isObject(a)) {
    if (!isObject(b)) return false;
    const ka = Object.keys(a);
    if (ka.length !== Object.keys(b).length) return false;
    return ka.every((k) => Object.hasOwn(b, k) && jsonEqual(a[k], b[k]));
  }
  return false;
}

/** RFC 7386 MergePatch(target, patch). Returns a new value; neither input is changed. */
export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return patch;
  const out: Record<string, unknown> = {};
  if (isObject(target)) for (const [k, v] of Object.entries(target)) setOwn(out, k, v);
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else setOwn(out, k, applyMergePatch(out[k], v));
  }
  return out;
}

/** The smallest merge patch that turns `base` into `target` (undefined when they are equal). */
export function diffMergePatch(base: unknown, target: unknown): unknown {
  if (jsonEqual(base, target)) return undefined;
  if (!isObject(base) || !isObject(target)) return target;
  const patch: Record<string, unknown> = {};
  for (const k of Object.keys(base)) if (!Object.hasOwn(target, k)) setOwn(patch, k, null);
  for (const [k, v] of Object.entries(target)) {
    const d = Object.hasOwn(base, k) ? diffMergePatch(base[k], v) : v;
    if (d !== undefined) setOwn(patch, k, d);
  }
  return patch;
}

/** A JSON copy: drops `undefined` members, as a link would. */
export function toJson(value: unknown): unknown {
  return value === undefined ? undefined : (JSON.parse(JSON.stringify(value)) as unknown);
}
