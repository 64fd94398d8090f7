/**
 * The editor has a field for every scenario parameter: the scenario schema (valibot, the one the
 * engine validates with) is walked for its leaf fields, and the editor, rendered on a draft holding
 * one action of every kind, must show a field with each leaf's path, of the matching kind (a
 * picklist is a choice with the same options, a boolean a flag, a size a text field). A field added
 * to the schema without one in the editor fails here, and so does an editor field the schema lacks.
 */
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { SCHEMA_VERSION, ScenarioSchema } from "../../scenario/schema.ts";
import { createAppStore } from "../../state/store.ts";
import type { EngineApi } from "../../worker/api.ts";
import { StoreProvider } from "../store-context.tsx";
import { ACTION_FIELDS, ACTION_KINDS, type FieldKind, newAction } from "./draft.ts";
import { ScenarioEditor } from "./ScenarioEditor.tsx";

/** The parts of a valibot schema object this walk reads. */
interface Node {
  readonly type: string;
  readonly wrapped?: Node;
  readonly entries?: Readonly<Record<string, Node>>;
  readonly item?: Node;
  readonly key?: string;
  readonly options?: readonly (Node | string)[];
  readonly literal?: unknown;
}

/** A leaf of the schema: its path ("actions[].size" for per-action fields) and what it holds. */
interface Leaf {
  readonly path: string;
  readonly kind: "choice" | "flag" | "size" | "text" | "number" | "literal";
  readonly options?: readonly string[];
  readonly optional: boolean;
}

function leafKind(n: Node): Leaf["kind"] {
  if (n.type === "picklist") return "choice";
  if (n.type === "boolean") return "flag";
  if (n.type === "string") return "text";
  if (n.type === "number") return "number";
  if (n.type === "literal") return "literal";
  // Sizes are a union of a string and a number, turned into bytes (schema.ts Size); a host's
  // memLimit adds the literal "unlimited" to that.
  if (n.type === "union") return "size";
  throw new Error(`a schema node of type ${n.type}: teach this test about it`);
}

/** Leaves under `n`; action variants are listed per kind, under actions[<kind>]. */
function leaves(n: Node, path: string, optional = false): Leaf[] {
  if (n.type === "optional") return leaves(n.wrapped!, path, true);
  if (n.type === "strict_object" || n.type === "object")
    return Object.entries(n.entries!).flatMap(([k, c]) => leaves(c, path ? `${path}.${k}` : k));
  if (n.type === "array") return leaves(n.item!, `${path}[]`);
  if (n.type === "variant")
    return (n.options as Node[]).flatMap((o) => {
      const kind = String(o.entries![n.key!]!.literal);
      return leaves(o, `${path.replace(/\[\]$/, "")}[${kind}]`);
    });
  const kind = leafKind(n);
  return [
    {
      path,
      kind,
      optional,
      ...(kind === "choice" ? { options: (n.options as string[]).slice() } : {}),
    },
  ];
}

// The exercise's fields (questions, ranges) belong to the Exercises section, which has its own
// coverage test walking the exercise schema (exercise/ExercisesSection.test.ts).
const schemaLeaves = leaves(ScenarioSchema as unknown as Node, "").filter(
  (l) => l.path !== "exercise" && !l.path.startsWith("exercise."),
);
/** Set by the format, not by the user: the editor keeps the draft's value. */
const NOT_EDITED = new Set(["schemaVersion"]);

/** The draft the editor is rendered on: one action of each kind, in ACTION_KINDS order. */
const draft = {
  schemaVersion: SCHEMA_VERSION,
  machine: { kernel: "s390-fa41ba0d", guestRam: "1GiB" },
  actions: ACTION_KINDS.map(newAction),
};

/** "actions[3].size" → "actions[<kind of action 3>].size", the schema walk's spelling. */
function schemaPathOf(path: string): string {
  return path.replace(/^actions\[(\d+)\]/, (_m, i: string) => `actions[${ACTION_KINDS[Number(i)]}]`);
}

function renderedFields(): Map<string, string> {
  const noEngine = new Proxy({} as EngineApi, {
    get: () => () => Promise.reject(new Error("no engine in this test")),
  });
  const store = createAppStore(noEngine, { scenario: draft });
  const html = renderToStaticMarkup(
    createElement(
      StoreProvider,
      { store } as Parameters<typeof StoreProvider>[0],
      createElement(ScenarioEditor),
    ),
  );
  // Each field's frame: <div class="zl-field" data-path="…"> … the control … </div>
  const out = new Map<string, string>();
  for (const m of html.matchAll(/data-path="([^"]+)"(.*?)<\/div>/gs)) {
    const control = m[2]!;
    const kind = control.includes("<select")
      ? "select"
      : control.includes('type="checkbox"')
        ? "checkbox"
        : "input";
    if (!m[1]!.startsWith("exercise.")) out.set(schemaPathOf(m[1]!), kind);
  }
  return out;
}

describe("the scenario editor covers the schema", () => {
  const fields = renderedFields();

  it("walks a schema with the parameters we know are there", () => {
    const paths = schemaLeaves.map((l) => l.path);
    expect(paths).toContain("machine.guestRam");
    expect(paths).toContain("machine.qemu.zeroPageDetection");
    expect(paths).toContain("actions[guest-touch].size");
    expect(paths).toContain("actions[migrate].precopyBeforeSwitch");
  });

  it("has a field for every schema leaf", () => {
    const missing = schemaLeaves.map((l) => l.path).filter((p) => !NOT_EDITED.has(p) && !fields.has(p));
    expect(missing, "schema fields without an editor field").toEqual([]);
  });

  it("has no field the schema lacks", () => {
    const known = new Set(schemaLeaves.map((l) => l.path));
    expect([...fields.keys()].filter((p) => !known.has(p))).toEqual([]);
  });

  it("shows each leaf with a control of its kind", () => {
    const expected: Record<Leaf["kind"], string> = {
      choice: "select",
      flag: "checkbox",
      size: "input",
      text: "input",
      number: "input",
      literal: "select",
    };
    for (const l of schemaLeaves) {
      if (NOT_EDITED.has(l.path)) continue;
      expect(fields.get(l.path), l.path).toBe(expected[l.kind]);
    }
  });

  it("lists the schema's action kinds, and for each kind exactly its fields, of the right kinds", () => {
    const kinds = [...new Set(schemaLeaves.map((l) => /^actions\[([^\]]+)\]/.exec(l.path)?.[1]))].filter(
      (k): k is string => k !== undefined,
    );
    expect([...ACTION_KINDS].sort()).toEqual(kinds.sort());
    for (const kind of ACTION_KINDS) {
      const own = schemaLeaves.filter(
        (l) => l.path.startsWith(`actions[${kind}].`) && !l.path.endsWith(".do"),
      );
      const fields: Readonly<Record<string, FieldKind>> = ACTION_FIELDS[kind];
      expect(Object.keys(fields).sort(), kind).toEqual(own.map((l) => l.path.split(".").pop()!).sort());
      for (const l of own) {
        const f = fields[l.path.split(".").pop()!]!;
        expect(f.type === "size" ? "size" : f.type === "flag" ? "flag" : "choice", l.path).toBe(l.kind);
        if (f.type === "choice") expect([...f.options].sort(), l.path).toEqual([...l.options!].sort());
        if (f.type === "size") expect(f.required === true, `${l.path} required`).toBe(!l.optional);
      }
    }
  });
});
