/**
 * Scenario upgraders (upgrade.ts): every upgrader's examples, old documents reading as before, and
 * the version messages parseScenario gives for documents it cannot upgrade.
 */
import { describe, expect, it } from "vitest";
import { PRESETS } from "./presets/index.ts";
import { parseScenario, SCHEMA_VERSION } from "./schema.ts";
import { NEWEST_SCENARIO_VERSION, SCENARIO_UPGRADERS, upgradeScenario } from "./upgrade.ts";

describe("scenario upgraders", () => {
  it("has one named upgrader per version after 1, up to SCHEMA_VERSION", () => {
    expect(NEWEST_SCENARIO_VERSION).toBe(SCHEMA_VERSION);
    const versions = Object.keys(SCENARIO_UPGRADERS).map(Number);
    expect(versions).toEqual(Array.from({ length: SCHEMA_VERSION - 1 }, (_, i) => i + 2));
    for (const u of Object.values(SCENARIO_UPGRADERS)) expect(u.name).toMatch(/^[A-Z][A-Za-z0-9]+$/);
  });

  for (const [n, u] of Object.entries(SCENARIO_UPGRADERS)) {
    it.each(u.examples.map((e, i) => [i, e] as const))(`${u.name} (→ ${n}) example %i`, (_i, e) => {
      expect(u.up(JSON.parse(JSON.stringify(e.before)))).toEqual(e.after);
    });
  }

  it("leaves what it does not recognise as it is", () => {
    for (const x of [
      null,
      3,
      "s",
      [1],
      {},
      { schemaVersion: "1" },
      { schemaVersion: 0 },
      { schemaVersion: 9 },
    ])
      expect(upgradeScenario(x)).toBe(x);
  });

  it("reads every preset of version 1 as the same scenario in the current version", () => {
    const old = PRESETS.filter((p) => p.scenario.schemaVersion === 1);
    expect(old.length).toBeGreaterThan(5);
    for (const p of old) {
      const r = parseScenario(p.scenario);
      if (!r.ok) throw new Error(JSON.stringify(r.issues));
      expect(r.scenario.schemaVersion).toBe(SCHEMA_VERSION);
      expect(r.scenario.exercise).toBeUndefined();
      // The same document written as version 2 parses to the same scenario.
      const again = parseScenario({ ...p.scenario, schemaVersion: 2 });
      expect(again.ok && again.scenario).toEqual(r.scenario);
    }
  });

  it("refuses an exercise in a version 1 document, and a newer version, with their own messages", () => {
    const doc = {
      schemaVersion: 1,
      machine: { kernel: "x86_64", guestRam: "1GiB" },
      actions: [],
      exercise: {},
    };
    expect(parseScenario(doc)).toEqual({
      ok: false,
      issues: [{ path: "exercise", message: "exercises need schemaVersion 2 (set schemaVersion to 2)" }],
    });
    const r = parseScenario({ ...doc, exercise: undefined, schemaVersion: 3 });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.issues[0]!.message).toMatch(/schemaVersion 3, newer than this copy/);
  });
});
