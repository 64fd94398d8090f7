/**
 * A scenario's parameters: the knobs a sweep turns (src/sweep) and a student's seed draws
 * (src/exercise/draw.ts), and how each one rewrites scenario JSON. One table, so that a sweep's
 * "balloon 40 %" and an exercise's "balloon 40 %" are the same scenario.
 *
 *   guestRam           machine.guestRam; every size in the actions and a host's memory limit
 *                      scale with it (rounded down to whole pages), so "writes all its RAM, the
 *                      balloon takes 40 % of it" stays the same story at another size
 *   balloon            the first balloon-inflate action's size
 *   written            the first guest-touch that writes data: its size
 *   kernel             machine.kernel (machine.arch is dropped: it follows the kernel)
 *   skeys              storage keys on: the guest-skeys actions run; off: they are left out
 *   qemuVersion        machine.qemu.version
 *   zeroPageDetection  machine.qemu.zeroPageDetection
 *   migration          the mode of every migrate and migrate-start action (precopy, postcopy)
 *
 * Works on unvalidated JSON (the editor's draft, a link's scenario) and never throws: a scenario
 * without the action a parameter sets gets an issue naming it. The result is validated when it
 * runs, like any scenario.
 */
import { formatBytes, GiB, KiB, MiB, PAGE_SIZE, parseSize } from "../base/units.ts";
import { isVariantId, VARIANT_IDS } from "../engine/variants.ts";

export const PARAMETER_IDS = [
  "balloon",
  "written",
  "guestRam",
  "kernel",
  "skeys",
  "qemuVersion",
  "zeroPageDetection",
  "migration",
] as const;
export type ParameterId = (typeof PARAMETER_IDS)[number];

export interface ParameterInfo {
  readonly id: ParameterId;
  /** "balloon size", as a label or an axis title. */
  readonly label: string;
  /** A size in bytes (a range of them), or one of a list of values. */
  readonly kind: "size" | "choice";
  /** Sizes that may be given as a share of guest RAM ("40%"). */
  readonly share: boolean;
  /** The values of a choice (qemuVersion: any "major.minor"; these are suggestions). */
  readonly options: readonly string[];
}

export const PARAMETERS: Readonly<Record<ParameterId, ParameterInfo>> = {
  balloon: { id: "balloon", label: "balloon size", kind: "size", share: true, options: [] },
  written: { id: "written", label: "data written", kind: "size", share: true, options: [] },
  guestRam: { id: "guestRam", label: "guest RAM", kind: "size", share: false, options: [] },
  kernel: { id: "kernel", label: "kernel", kind: "choice", share: false, options: VARIANT_IDS },
  skeys: { id: "skeys", label: "storage keys", kind: "choice", share: false, options: ["on", "off"] },
  qemuVersion: {
    id: "qemuVersion",
    label: "QEMU version",
    kind: "choice",
    share: false,
    options: ["2.10", "5.2", "8.2", "9.2", "10.1"],
  },
  zeroPageDetection: {
    id: "zeroPageDetection",
    label: "zero-page detection",
    kind: "choice",
    share: false,
    options: ["legacy", "multifd", "none"],
  },
  migration: {
    id: "migration",
    label: "migration mode",
    kind: "choice",
    share: false,
    options: ["precopy", "postcopy"],
  },
};

export function isParameterId(s: string): s is ParameterId {
  return (PARAMETER_IDS as readonly string[]).includes(s);
}

/** A parameter's value: bytes for a size, the option's text for a choice ("on"/"off" for skeys). */
export type ParameterValue = number | string;

type Json = Record<string, unknown>;

export interface ParameterIssue {
  readonly path: string;
  readonly message: string;
}

export type ApplyResult =
  | {
      readonly ok: true;
      readonly scenario: Json;
      /** Old action index → new index, or -1 where an action was left out (skeys off). */
      readonly actionMap: readonly number[];
    }
  | { readonly ok: false; readonly issue: ParameterIssue };

/** Exact text for a size: "48GiB", "19660MiB", "12KiB", or a number of bytes. */
export function sizeText(bytes: number): string | number {
  if (bytes > 0 && bytes % GiB === 0) return `${bytes / GiB}GiB`;
  if (bytes > 0 && bytes % MiB === 0) return `${bytes / MiB}MiB`;
  if (bytes > 0 && bytes % KiB === 0) return `${bytes / KiB}KiB`;
  return bytes;
}

/** Bytes of a size field, or null when it is absent or not a size. */
function bytesOf(value: unknown): number | null {
  if (typeof value !== "string" && typeof value !== "number") return null;
  const r = parseSize(value);
  return r.ok ? r.bytes : null;
}

function copy(json: unknown): Json {
  return JSON.parse(JSON.stringify(json ?? {})) as Json;
}

function objectAt(obj: Json, key: string): Json {
  const v = obj[key];
  if (v !== null && typeof v === "object" && !Array.isArray(v)) return v as Json;
  const fresh: Json = {};
  obj[key] = fresh;
  return fresh;
}

function actionsOf(s: Json): Json[] {
  return Array.isArray(s.actions) ? (s.actions as Json[]) : [];
}

/** The scenario's guest RAM in bytes, or null if it has none that reads as a size. */
export function guestRamOf(scenario: unknown): number | null {
  const m = (scenario as { machine?: { guestRam?: unknown } } | null)?.machine;
  return bytesOf(m?.guestRam);
}

/**
 * A share of guest RAM in bytes, rounded down to whole MiB (whole pages for a guest under 1 GiB),
 * so that "40% of 96 GiB" reads 38.4 GiB rather than an odd number of pages.
 */
export function shareBytes(guestRam: number, percent: number): number {
  const grain = guestRam >= GiB ? MiB : PAGE_SIZE;
  return Math.floor(((guestRam / grain) * percent) / 100) * grain;
}

const SIZE_FIELDS = ["size", "start", "dirty", "precopyBeforeSwitch"] as const;

function identity(s: Json): number[] {
  return actionsOf(s).map((_, i) => i);
}

function fail(path: string, message: string): ApplyResult {
  return { ok: false, issue: { path, message } };
}

/** The index of the first action `test` accepts, or -1. */
function firstAction(s: Json, test: (a: Json) => boolean): number {
  return actionsOf(s).findIndex((a) => a !== null && typeof a === "object" && test(a));
}

/**
 * `scenario` with parameter `id` set to `value` (a copy; the input is not changed). Sizes are
 * bytes; a share of guest RAM is resolved by the caller (shareBytes) against the guest RAM the
 * scenario has at that point.
 */
export function applyParameter(scenario: unknown, id: ParameterId, value: ParameterValue): ApplyResult {
  const s = copy(scenario);
  const machine = objectAt(s, "machine");
  switch (id) {
    case "guestRam": {
      if (typeof value !== "number" || value <= 0 || value % PAGE_SIZE !== 0)
        return fail("machine.guestRam", `expected a guest RAM of whole 4 KiB pages, got ${value}`);
      const old = bytesOf(machine.guestRam);
      machine.guestRam = sizeText(value);
      if (old === null || old === 0) return { ok: true, scenario: s, actionMap: identity(s) };
      const oldPages = BigInt(old / PAGE_SIZE);
      const newPages = BigInt(value / PAGE_SIZE);
      const scale = (bytes: number) =>
        sizeText(Number((BigInt(bytes / PAGE_SIZE) * newPages) / oldPages) * PAGE_SIZE);
      for (const a of actionsOf(s)) {
        if (a === null || typeof a !== "object") continue;
        for (const f of SIZE_FIELDS) {
          const b = bytesOf(a[f]);
          if (b !== null && b % PAGE_SIZE === 0) a[f] = scale(b);
        }
      }
      const hosts = machine.hosts;
      if (hosts && typeof hosts === "object") {
        for (const side of ["source", "destination"]) {
          const h = (hosts as Json)[side] as Json | undefined;
          const b = h ? bytesOf(h.memLimit) : null;
          if (h && b !== null && b % PAGE_SIZE === 0) h.memLimit = scale(b);
        }
      }
      return { ok: true, scenario: s, actionMap: identity(s) };
    }
    case "balloon":
    case "written": {
      if (typeof value !== "number" || value < 0 || value % PAGE_SIZE !== 0)
        return fail(`exercise.vary.${id}`, `expected a size of whole 4 KiB pages, got ${value}`);
      const i =
        id === "balloon"
          ? firstAction(s, (a) => a.do === "balloon-inflate")
          : firstAction(s, (a) => a.do === "guest-touch" && a.content !== "zero");
      if (i < 0)
        return fail(
          "actions",
          id === "balloon"
            ? "the scenario has no balloon-inflate action for the balloon size to set"
            : "the scenario has no guest-touch action that writes data for the data written to set",
        );
      actionsOf(s)[i]!.size = sizeText(value);
      return { ok: true, scenario: s, actionMap: identity(s) };
    }
    case "kernel": {
      if (typeof value !== "string" || !isVariantId(value))
        return fail("machine.kernel", `expected a kernel variant: ${VARIANT_IDS.join(", ")}`);
      machine.kernel = value;
      delete machine.arch;
      return { ok: true, scenario: s, actionMap: identity(s) };
    }
    case "skeys": {
      if (value !== "on" && value !== "off") return fail("actions", 'expected storage keys "on" or "off"');
      const actions = actionsOf(s);
      if (!actions.some((a) => a?.do === "guest-skeys"))
        return fail("actions", "the scenario has no guest-skeys action for storage keys to turn on or off");
      if (value === "on") return { ok: true, scenario: s, actionMap: identity(s) };
      const map: number[] = [];
      const kept: Json[] = [];
      for (const a of actions) {
        if (a?.do === "guest-skeys") map.push(-1);
        else {
          map.push(kept.length);
          kept.push(a);
        }
      }
      s.actions = kept;
      return { ok: true, scenario: s, actionMap: map };
    }
    case "qemuVersion": {
      if (typeof value !== "string" || !/^\d+\.\d+$/.test(value))
        return fail("machine.qemu.version", 'expected a QEMU version such as "9.2"');
      objectAt(machine, "qemu").version = value;
      return { ok: true, scenario: s, actionMap: identity(s) };
    }
    case "zeroPageDetection": {
      if (value !== "legacy" && value !== "multifd" && value !== "none")
        return fail("machine.qemu.zeroPageDetection", 'expected "legacy", "multifd" or "none"');
      objectAt(machine, "qemu").zeroPageDetection = value;
      return { ok: true, scenario: s, actionMap: identity(s) };
    }
    case "migration": {
      if (value !== "precopy" && value !== "postcopy")
        return fail("actions", 'expected the migration mode "precopy" or "postcopy"');
      const migrations = actionsOf(s).filter((a) => a?.do === "migrate" || a?.do === "migrate-start");
      if (migrations.length === 0) return fail("actions", "the scenario does not migrate");
      for (const a of migrations) {
        a.mode = value;
        // A precopy migration has no switch to postcopy: its precopyBeforeSwitch would be an error.
        if (value === "precopy") delete a.precopyBeforeSwitch;
      }
      return { ok: true, scenario: s, actionMap: identity(s) };
    }
  }
}

/** A parameter's value as a person reads it: "40 GiB", "s390-06201e00", "on". */
export function formatParameterValue(id: ParameterId, value: ParameterValue): string {
  if (PARAMETERS[id].kind === "size" && typeof value === "number") return formatBytes(value);
  return String(value);
}

/** The value a scenario has for a parameter (what a sweep or a draw would replace), or null. */
export function parameterValueOf(scenario: unknown, id: ParameterId): ParameterValue | null {
  const s = (scenario ?? {}) as Json;
  const machine = (s.machine ?? {}) as Json;
  const qemu = (machine.qemu ?? {}) as Json;
  const actions = actionsOf(s);
  switch (id) {
    case "guestRam":
      return bytesOf(machine.guestRam);
    case "balloon":
    case "written": {
      const a = actions.find((x) =>
        id === "balloon" ? x?.do === "balloon-inflate" : x?.do === "guest-touch" && x.content !== "zero",
      );
      return a ? bytesOf(a.size) : null;
    }
    case "kernel":
      return typeof machine.kernel === "string" ? machine.kernel : null;
    case "skeys":
      return actions.some((a) => a?.do === "guest-skeys") ? "on" : "off";
    case "qemuVersion":
      return typeof qemu.version === "string" ? qemu.version : "9.2";
    case "zeroPageDetection":
      return typeof qemu.zeroPageDetection === "string" ? qemu.zeroPageDetection : null;
    case "migration": {
      const m = actions.find((a) => a?.do === "migrate" || a?.do === "migrate-start");
      return m ? (typeof m.mode === "string" ? m.mode : "precopy") : null;
    }
  }
}
