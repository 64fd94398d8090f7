/**
 * A link's scenario: a preset id (plus overrides, a JSON merge patch over its scenario), or a
 * whole custom scenario. scenarioRefFor() picks the shorter spelling for a given scenario, and
 * resolveScenario() turns a reference back into scenario JSON.
 *
 * A preset reference means "this preset as the app ships it": if a preset's scenario ever changes,
 * old links change with it, and the self-check (end-state.ts) says so. A custom scenario is
 * immune to that, at the cost of length; the encoder uses the preset form only when it is shorter.
 */
import { PRESETS, presetById } from "../scenario/presets/index.ts";
import type { ScenarioInput } from "../scenario/schema.ts";
import { packJson } from "./compress.ts";
import { applyMergePatch, diffMergePatch, jsonEqual, toJson } from "./merge-patch.ts";
import type { ScenarioRef } from "./schema.ts";

/** The scenario JSON a reference stands for (undefined: an unknown preset id). */
export function resolveScenario(ref: ScenarioRef): ScenarioInput | undefined {
  if (ref.kind === "custom") return ref.scenario;
  const preset = presetById(ref.id);
  if (!preset) return undefined;
  if (!ref.overrides) return preset.scenario;
  return applyMergePatch(preset.scenario, ref.overrides) as ScenarioInput;
}

/** `json` as preset `presetId` plus overrides; cost: the overrides' JSON length. */
function refOver(presetId: string, json: unknown): { ref: ScenarioRef; cost: number } | null {
  const preset = presetById(presetId);
  if (!preset) return null;
  const patch = diffMergePatch(preset.scenario, json);
  if (patch === undefined) return { ref: { kind: "preset", id: presetId }, cost: 0 };
  if (typeof patch !== "object" || patch === null || Array.isArray(patch)) return null;
  const overrides = patch as Record<string, unknown>;
  return { ref: { kind: "preset", id: presetId, overrides }, cost: JSON.stringify(overrides).length };
}

/**
 * The link spelling of a scenario. `presetId` is where the app says it came from (null for a
 * custom one); an unchanged preset is just its id, an edited one is the shortest of "preset plus
 * overrides" over any preset and the whole scenario.
 */
export function scenarioRefFor(presetId: string | null, scenario: unknown): ScenarioRef {
  const json = toJson(scenario);
  if (presetId !== null) {
    const preset = presetById(presetId);
    if (preset && jsonEqual(preset.scenario, json)) return { kind: "preset", id: presetId };
  }
  let best: { ref: ScenarioRef; cost: number } | null = null;
  for (const p of PRESETS) {
    const r = refOver(p.id, json);
    if (r && (!best || r.cost < best.cost)) best = r;
  }
  // Compare packed sizes only for the best candidate (JSON length picks it; deflate is slower).
  if (best?.cost === 0) return best.ref;
  if (best?.ref.kind === "preset" && best.ref.overrides) {
    if (packJson(best.ref.overrides).length < packJson(json).length) return best.ref;
  }
  return { kind: "custom", scenario: json as ScenarioInput };
}
