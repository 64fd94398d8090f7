/**
 * The Exercises section covers the exercise schema (as schema-coverage.test.ts does for the rest
 * of the scenario): rendered on a draft with every range and one question of every kind, it shows
 * a field for every leaf of scenario/exercise-schema.ts, and none the schema lacks. Its new
 * questions validate as they are, and writing an exercise makes the draft schemaVersion 2.
 */
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { ExerciseSchema } from "../../scenario/exercise-schema.ts";
import { parseScenario } from "../../scenario/schema.ts";
import { type Draft, setAt } from "./draft.ts";
import { ExercisesSection, newCheckpoint, QUESTION_KINDS, withExercise } from "./ExercisesSection.tsx";

interface Node {
  readonly type: string;
  readonly wrapped?: Node;
  readonly entries?: Readonly<Record<string, Node>>;
  readonly item?: Node;
  readonly key?: string;
  readonly options?: readonly (Node | string)[];
  readonly literal?: unknown;
  readonly pipe?: readonly Node[];
}

/** Leaf paths of the exercise schema; a list of plain values is one field ("vary.kernel"). */
function leaves(n: Node, path: string): string[] {
  if (n.type === "optional") return leaves(n.wrapped!, path);
  if (n.type === "strict_object" || n.type === "object")
    return Object.entries(n.entries!).flatMap(([k, c]) => leaves(c, path ? `${path}.${k}` : k));
  if (n.type === "array") {
    const item = n.item!;
    if (item.type === "variant")
      return (item.options as Node[]).flatMap((o) => {
        const kind = String(o.entries![item.key!]!.literal);
        return leaves(o, `${path}[${kind}]`);
      });
    return [path];
  }
  return [path];
}

/** The fixed lists of the exercise schema's leaves (valibot picklists), by leaf path. */
function picklists(n: Node, path: string, out = new Map<string, readonly string[]>()) {
  if (n.type === "optional") picklists(n.wrapped!, path, out);
  else if (n.type === "picklist") out.set(path, n.options as string[]);
  else if (n.type === "strict_object" || n.type === "object")
    for (const [k, c] of Object.entries(n.entries!)) picklists(c, path ? `${path}.${k}` : k, out);
  else if (n.type === "array" && n.item!.type === "variant")
    for (const o of n.item!.options as Node[])
      picklists(o, `${path}[${String(o.entries![n.item!.key!]!.literal)}]`, out);
  return out;
}

const KERNELS = ["s390-fa41ba0d", "s390-06201e00", "x86_64"];

function draftWithEverything(): Draft {
  let d: Draft = {
    schemaVersion: 2,
    machine: { kernel: "s390-06201e00", guestRam: "1GiB" },
    actions: [
      { do: "guest-touch", size: "1GiB" },
      { do: "balloon-inflate", size: "256MiB" },
      { do: "guest-skeys" },
      { do: "migrate" },
    ],
  };
  d = setAt(d, "exercise.vary", {
    guestRam: { from: "1GiB", to: "2GiB", step: "1GiB" },
    balloon: { from: "10%", to: "50%", step: "10%" },
    written: { from: "50%", to: "100%", step: "10%" },
    kernel: ["s390-06201e00"],
    skeys: [true, false],
    qemuVersion: ["9.2"],
    zeroPageDetection: ["legacy"],
  });
  return setAt(
    d,
    "exercise.checkpoints",
    QUESTION_KINDS.map(([k]) => newCheckpoint(k, d, KERNELS)),
  );
}

const rendered = (draft: Draft) =>
  renderToStaticMarkup(
    createElement(ExercisesSection, { draft, issues: new Map(), edit: () => {}, kernels: KERNELS }),
  );

/** A field's data-path in the schema's words: "checkpoints[number].counter". */
function schemaPath(draft: Draft, dataPath: string): string {
  const kinds = (draft.exercise as { checkpoints: { ask: string }[] }).checkpoints.map((c) => c.ask);
  return dataPath
    .replace(/^exercise\./, "")
    .replace(/^checkpoints\[(\d+)\]/, (_x, i: string) => `checkpoints[${kinds[Number(i)]}]`);
}

function renderedPaths(draft: Draft): string[] {
  return [...rendered(draft).matchAll(/data-path="([^"]+)"/g)].map((m) => schemaPath(draft, m[1]!));
}

/** The options each rendered select offers (its empty "remove" option left out), by schema path. */
function renderedChoices(draft: Draft): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const m of rendered(draft).matchAll(
    /data-path="([^"]+)"(?:(?!data-path=).)*?<select[^>]*>(.*?)<\/select>/gs,
  )) {
    const values = [...m[2]!.matchAll(/<option value="([^"]*)"/g)].map((o) => o[1]!).filter((v) => v !== "");
    out.set(schemaPath(draft, m[1]!), values);
  }
  return out;
}

describe("the Exercises section covers the exercise schema", () => {
  const schema = leaves(ExerciseSchema as unknown as Node, "");
  const fields = renderedPaths(draftWithEverything());

  it("walks the leaves we know are there", () => {
    expect(schema).toContain("vary.balloon.from");
    expect(schema).toContain("vary.kernel");
    expect(schema).toContain("checkpoints[number].tolerance");
    expect(schema).toContain("checkpoints[click].target");
  });

  it("has a field for every leaf, and none the schema lacks", () => {
    expect(schema.filter((p) => !fields.includes(p))).toEqual([]);
    expect(fields.filter((p) => !schema.includes(p))).toEqual([]);
  });

  it("offers exactly the values the schema accepts where the schema has a fixed list", () => {
    const lists = picklists(ExerciseSchema as unknown as Node, "");
    const choices = renderedChoices(draftWithEverything());
    expect(lists.get("checkpoints[number].counter")).toContain("rssShmemBytes");
    const checked = [...lists].filter(([path]) => choices.has(path));
    expect(checked.map(([path]) => path)).toEqual(
      expect.arrayContaining([
        "checkpoints[number].counter",
        "checkpoints[kernel].pick",
        "checkpoints[number].unit",
      ]),
    );
    for (const [path, options] of checked) expect(choices.get(path), path).toEqual([...options]);
  });

  it("starts every kind of question valid, and an exercise makes a draft schemaVersion 2", () => {
    const d = draftWithEverything();
    const r = parseScenario(d);
    if (!r.ok) throw new Error(JSON.stringify(r.issues));
    expect(r.scenario.exercise?.checkpoints.map((c) => c.ask)).toEqual(QUESTION_KINDS.map(([k]) => k));
    const v1 = {
      schemaVersion: 1,
      machine: { kernel: "x86_64", guestRam: "1GiB" },
      actions: [{ do: "guest-read" }],
    };
    const asked = withExercise(v1, "exercise.checkpoints", [newCheckpoint("outcome", v1, KERNELS)]);
    expect(asked.schemaVersion).toBe(2);
    expect(parseScenario(asked).ok).toBe(true);
    // The same exercise in a version 1 document is refused, with the fix in the message.
    expect(parseScenario({ ...asked, schemaVersion: 1 })).toMatchObject({
      ok: false,
      issues: [{ path: "exercise", message: "exercises need schemaVersion 2 (set schemaVersion to 2)" }],
    });
  });
});
