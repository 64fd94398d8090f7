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

function renderedPaths(draft: Draft): string[] {
  const html = renderToStaticMarkup(
    createElement(ExercisesSection, { draft, issues: new Map(), edit: () => {}, kernels: KERNELS }),
  );
  const kinds = (draft.exercise as { checkpoints: { ask: string }[] }).checkpoints.map((c) => c.ask);
  return [...html.matchAll(/data-path="([^"]+)"/g)].map((m) =>
    m[1]!
      .replace(/^exercise\./, "")
      .replace(/^checkpoints\[(\d+)\]/, (_x, i: string) => `checkpoints[${kinds[Number(i)]}]`),
  );
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
