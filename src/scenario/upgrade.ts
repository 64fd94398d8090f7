/**
 * Scenario document upgraders: `SCENARIO_UPGRADERS[n]` turns a schemaVersion n−1 document into a
 * schemaVersion n document, one step at a time, before the schema reads it, so every scenario
 * file, preset and link ever written still opens (as the link format's upgrade.ts does for
 * fragments). Each has a name and before/after examples that upgrade.test.ts runs.
 *
 * Upgraders take unvalidated JSON and must never throw: a document they do not recognise (not an
 * object, no schemaVersion, a version they do not handle) is returned as it is, and the schema
 * then says what is wrong with it.
 */

export interface ScenarioUpgrader {
  readonly name: string;
  readonly examples: readonly { readonly before: unknown; readonly after: unknown }[];
  up(doc: Record<string, unknown>): Record<string, unknown>;
}

export const SCENARIO_UPGRADERS: Readonly<Record<number, ScenarioUpgrader>> = {
  /**
   * 1 → 2, AddExercise. Version 2 adds the optional `exercise` (questions asked before a step,
   * and the ranges a student's seed draws from: exercise-schema.ts). A version 1 document has
   * none, and means the same scenario in version 2.
   *
   *   before: { "schemaVersion": 1, "machine": { … }, "actions": [ … ] }
   *   after:  { "schemaVersion": 2, "machine": { … }, "actions": [ … ] }
   *
   * A version 1 document that carries `exercise` anyway was never valid; it stays version 1, so
   * the schema refuses it with its own message rather than reading a field version 1 did not have.
   */
  2: {
    name: "AddExercise",
    examples: [
      {
        before: { schemaVersion: 1, machine: { kernel: "x86_64", guestRam: "1GiB" }, actions: [] },
        after: { schemaVersion: 2, machine: { kernel: "x86_64", guestRam: "1GiB" }, actions: [] },
      },
      {
        before: {
          schemaVersion: 1,
          exercise: {},
          machine: { kernel: "x86_64", guestRam: "1GiB" },
          actions: [],
        },
        after: {
          schemaVersion: 1,
          exercise: {},
          machine: { kernel: "x86_64", guestRam: "1GiB" },
          actions: [],
        },
      },
    ],
    up(doc) {
      if ("exercise" in doc) return doc;
      return { ...doc, schemaVersion: 2 };
    },
  },
};

/** The newest schemaVersion the upgraders reach. */
export const NEWEST_SCENARIO_VERSION = Math.max(1, ...Object.keys(SCENARIO_UPGRADERS).map(Number));

/**
 * `input` upgraded to the newest schemaVersion, one upgrader per version; anything that is not a
 * scenario object of a known older version comes back unchanged (the same object).
 */
export function upgradeScenario(input: unknown): unknown {
  if (typeof input !== "object" || input === null || Array.isArray(input)) return input;
  let doc = input as Record<string, unknown>;
  const from = doc.schemaVersion;
  if (typeof from !== "number" || !Number.isInteger(from) || from < 1) return input;
  for (let n = from + 1; n <= NEWEST_SCENARIO_VERSION; n++) {
    const u = SCENARIO_UPGRADERS[n];
    if (!u) return doc;
    const next = u.up(doc);
    if (next === doc) return doc;
    doc = next;
  }
  return doc;
}
