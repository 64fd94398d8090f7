/**
 * The preset gallery as an interface: the ids the issue names exist, each preset validates, names
 * real variants (the first is its scenario's kernel), runs under every variant it names without a
 * scenario error, and is deterministic: the same input gives the same trace hash twice (checked
 * under each preset's default variant, to keep the suite's run time down; the engine's own tests
 * cover determinism of the rules).
 * The numbers each preset must reach are in its own <id>.test.ts.
 */
import { describe, expect, test } from "vitest";
import { isVariantId, traceHash } from "../../engine/index.ts";
import { checkScenario, runScenario } from "../compile.ts";
import { parseScenario, SCHEMA_VERSION } from "../schema.ts";
import { runPreset } from "../test-support/golden.ts";
import { DEFAULT_PRESET_ID, PRESETS, presetById } from "./index.ts";

const REQUIRED_IDS = [
  "commit-06201e00",
  "commit-06201e00-postcopy",
  "skeys-after-migration",
  "pv-guest",
  "ksm-zero-pages",
  "pagemap-optimization",
  "postcopy-hang-2017",
  "teaching-small",
];

test("the ids the issue names all exist, ids are unique, the default is the commit's story", () => {
  const ids = PRESETS.map((p) => p.id);
  for (const id of REQUIRED_IDS) expect(ids).toContain(id);
  expect(new Set(ids).size).toBe(ids.length);
  expect(DEFAULT_PRESET_ID).toBe("commit-06201e00");
  expect(presetById(DEFAULT_PRESET_ID)?.id).toBe(DEFAULT_PRESET_ID);
  expect(presetById("no-such-preset")).toBeUndefined();
});

describe.each(PRESETS.map((p) => [p.id, p] as const))("%s", (_id, preset) => {
  test("has a title, a summary, and valid variants led by its scenario's kernel", () => {
    expect(preset.title.length).toBeGreaterThan(0);
    expect(preset.summary.length).toBeGreaterThan(0);
    expect(preset.variants.length).toBeGreaterThan(0);
    for (const v of preset.variants) expect(isVariantId(v)).toBe(true);
    expect(new Set(preset.variants).size).toBe(preset.variants.length);
    expect(preset.scenario.machine.kernel).toBe(preset.variants[0]);
  });

  test("validates against the schema and passes checkScenario under each of its variants", () => {
    const parsed = parseScenario(preset.scenario);
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
    expect(parsed.scenario.schemaVersion).toBe(SCHEMA_VERSION);
    for (const v of preset.variants) expect(checkScenario(parsed.scenario, v)).toEqual([]);
  });

  test.each([...preset.variants])("runs under %s", (kernel) => {
    const run = runPreset(preset.id, kernel);
    expect(run.kernel).toBe(kernel);
    expect(run.trace.events).toBeGreaterThan(0);
    expect(["completed", "hung", "failed"]).toContain(run.outcome);
    // A run that did not complete says why.
    if (run.outcome !== "completed") expect(run.outcomeReason.length).toBeGreaterThan(0);
  });

  test(`is deterministic: ${preset.variants[0]} twice gives the same trace hash`, () => {
    const kernel = preset.variants[0]!;
    const again = runScenario(preset.scenario, { kernel });
    if (!again.ok) throw new Error(`${preset.id} under ${kernel} did not run`);
    expect(traceHash(again.run.trace)).toBe(traceHash(runPreset(preset.id, kernel).trace));
  });
});
