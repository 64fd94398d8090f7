/**
 * The editor's draft: scenario JSON as the user is typing it (sizes as text, possibly invalid),
 * changed only through these pure functions, and validated by the scenario schema itself
 * (parseScenario), so the form can never disagree with the engine about what is valid.
 *
 * Paths are the schema's issue paths: "machine.qemu.version", "actions[2].size". Each form field
 * is keyed by its path, and an issue is shown at the field with the same path (or, for a path with
 * no field, in the list at the top of the form).
 */
import type { ScenarioIssue } from "../../worker/api.ts";

export type Draft = Record<string, unknown>;

type Key = string | number;

/** "actions[2].size" → ["actions", 2, "size"] */
export function splitPath(path: string): Key[] {
  const out: Key[] = [];
  for (const part of path.match(/[^.[\]]+|\[\d+\]/g) ?? []) {
    out.push(part.startsWith("[") ? Number(part.slice(1, -1)) : part);
  }
  return out;
}

export function getAt(value: unknown, path: string): unknown {
  let v = value;
  for (const k of splitPath(path)) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<Key, unknown>)[k];
  }
  return v;
}

function setIn(value: unknown, keys: readonly Key[], next: unknown): unknown {
  if (keys.length === 0) return next;
  const [k, ...rest] = keys as [Key, ...Key[]];
  if (typeof k === "number") {
    const arr = Array.isArray(value) ? value.slice() : [];
    arr[k] = setIn(arr[k], rest, next);
    return arr;
  }
  const obj: Record<string, unknown> =
    value !== null && typeof value === "object" && !Array.isArray(value) ? { ...(value as object) } : {};
  const child = setIn(obj[k], rest, next);
  if (child === undefined) delete obj[k];
  else obj[k] = child;
  return obj;
}

/** A copy of `draft` with the value at `path` replaced (undefined removes the field). */
export function setAt(draft: Draft, path: string, value: unknown): Draft {
  return setIn(draft, splitPath(path), value) as Draft;
}

export const ACTION_KINDS = [
  "guest-touch",
  "guest-read",
  "guest-write",
  "guest-skeys",
  "guest-pv",
  "balloon-inflate",
  "balloon-deflate",
  "guest-free",
  "guest-cmm-release",
  "guest-cmm-reclaim",
  "ksm-merge",
  "madvise-dontneed",
  "host-read",
  "host-fork",
  "host-uffd-move",
  "migrate",
  "migrate-start",
  "migrate-transfer",
  "migrate-switchover",
  "migrate-complete",
] as const;
export type ActionKindName = (typeof ACTION_KINDS)[number];

export type FieldKind =
  | { readonly type: "size"; readonly required?: boolean }
  | { readonly type: "choice"; readonly options: readonly string[] }
  | { readonly type: "flag" };

/** The fields each action kind has (the schema's Action variants), in form order. */
export const ACTION_FIELDS: Readonly<Record<ActionKindName, Readonly<Record<string, FieldKind>>>> = {
  "guest-touch": {
    size: { type: "size", required: true },
    content: { type: "choice", options: ["data", "zero"] },
  },
  "guest-read": { start: { type: "size" }, size: { type: "size" } },
  "guest-write": {
    start: { type: "size" },
    size: { type: "size" },
    content: { type: "choice", options: ["data", "zero"] },
  },
  "guest-skeys": {},
  "guest-pv": {},
  "balloon-inflate": { size: { type: "size", required: true } },
  "balloon-deflate": { size: { type: "size", required: true } },
  "guest-free": { size: { type: "size", required: true } },
  "guest-cmm-release": { size: { type: "size", required: true } },
  "guest-cmm-reclaim": { size: { type: "size", required: true } },
  "ksm-merge": { on: { type: "choice", options: ["source", "destination"] } },
  "madvise-dontneed": {
    on: { type: "choice", options: ["source", "destination"] },
    start: { type: "size" },
    size: { type: "size" },
  },
  "host-read": {
    via: { type: "choice", options: ["populate-read", "process-vm-readv"] },
    on: { type: "choice", options: ["source", "destination"] },
    start: { type: "size" },
    size: { type: "size" },
  },
  "host-fork": { on: { type: "choice", options: ["source", "destination"] } },
  "host-uffd-move": {
    on: { type: "choice", options: ["source", "destination"] },
    start: { type: "size" },
    to: { type: "size", required: true },
    size: { type: "size", required: true },
  },
  migrate: {
    mode: { type: "choice", options: ["precopy", "postcopy"] },
    dirty: { type: "size" },
    pagemapCheck: { type: "flag" },
    precopyBeforeSwitch: { type: "size" },
  },
  "migrate-start": {
    mode: { type: "choice", options: ["precopy", "postcopy"] },
    pagemapCheck: { type: "flag" },
  },
  "migrate-transfer": { size: { type: "size" } },
  "migrate-switchover": {},
  "migrate-complete": {},
};

/** A new action of `kind` with its required fields filled in. */
export function newAction(kind: ActionKindName): Record<string, unknown> {
  const a: Record<string, unknown> = { do: kind };
  for (const [name, f] of Object.entries(ACTION_FIELDS[kind])) {
    if (f.type === "size" && f.required) a[name] = "1GiB";
  }
  return a;
}

/**
 * Changes an action's kind, keeping the fields the new kind also has (a guest-read's region
 * stays when it becomes a guest-write).
 */
export function changeKind(action: unknown, kind: ActionKindName): Record<string, unknown> {
  const next = newAction(kind);
  const old = (action ?? {}) as Record<string, unknown>;
  for (const name of Object.keys(ACTION_FIELDS[kind])) if (old[name] !== undefined) next[name] = old[name];
  return next;
}

function actionsOf(draft: Draft): unknown[] {
  return Array.isArray(draft.actions) ? draft.actions.slice() : [];
}

export function addAction(draft: Draft, kind: ActionKindName, at?: number): Draft {
  const actions = actionsOf(draft);
  actions.splice(at ?? actions.length, 0, newAction(kind));
  return { ...draft, actions };
}

export function removeAction(draft: Draft, index: number): Draft {
  const actions = actionsOf(draft);
  actions.splice(index, 1);
  return { ...draft, actions };
}

/** Moves action `index` by `delta` places (clamped); the others keep their order. */
export function moveAction(draft: Draft, index: number, delta: number): Draft {
  const actions = actionsOf(draft);
  const to = Math.max(0, Math.min(actions.length - 1, index + delta));
  if (to === index || index < 0 || index >= actions.length) return draft;
  const [a] = actions.splice(index, 1);
  actions.splice(to, 0, a);
  return { ...draft, actions };
}

/** Issues grouped by path ("" for the whole scenario). */
export function issuesByPath(issues: readonly ScenarioIssue[]): ReadonlyMap<string, readonly string[]> {
  const out = new Map<string, string[]>();
  for (const i of issues) {
    const list = out.get(i.path) ?? [];
    list.push(i.message);
    out.set(i.path, list);
  }
  return out;
}

/**
 * The draft to start editing from: the store's scenario JSON with the kernel actually run (a
 * kernel chosen in the header overrides the scenario's). The editor then loads with no override.
 */
export function draftFrom(scenario: unknown, kernel: string | null): Draft {
  const base = (
    scenario && typeof scenario === "object" ? JSON.parse(JSON.stringify(scenario)) : {}
  ) as Draft;
  if (!kernel) return base;
  const machine: Record<string, unknown> = { ...((base.machine as Record<string, unknown>) ?? {}), kernel };
  delete machine.arch;
  return { ...base, machine };
}

/** A text input's value → the draft value: "" removes an optional field. */
export function optionalText(text: string): string | undefined {
  return text.trim() === "" ? undefined : text;
}

/** A number input's text → a number when it is one, else the text (the schema then says why). */
export function numberOrText(text: string): number | string | undefined {
  if (text.trim() === "") return undefined;
  return /^-?\d+(\.\d+)?$/.test(text.trim()) ? Number(text) : text;
}

/** The text a field shows for a draft value. */
export function textOf(value: unknown): string {
  if (value === undefined || value === null) return "";
  return typeof value === "string" ? value : String(value);
}
