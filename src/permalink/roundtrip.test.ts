/**
 * Round trips: any valid scenario → link → the same scenario; any link state → link → the same
 * state; and the same link for the same state (parameters in a fixed order).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { PRESETS } from "../scenario/presets/index.ts";
import { parseScenario } from "../scenario/schema.ts";
import { decodeLink, defaultLinkState } from "./decode.ts";
import { encodeLink } from "./encode.ts";
import { jsonEqual, toJson } from "./merge-patch.ts";
import { resolveScenario, scenarioRefFor } from "./scenario-ref.ts";
import { editedPresetArb, linkStateArb, scenarioArb } from "./test-support/arbitraries.ts";

function viaLink(presetId: string | null, scenario: unknown): unknown {
  const link = encodeLink({ ...defaultLinkState(), scenario: scenarioRefFor(presetId, scenario) });
  const r = decodeLink(`#${link}`);
  if (!r.ok) throw new Error(`${r.error}\n${link}`);
  return resolveScenario(r.state.scenario);
}

describe("scenario → link → scenario", () => {
  it("the arbitrary makes scenarios the schema accepts", () => {
    fc.assert(
      fc.property(scenarioArb(), (s) => {
        const r = parseScenario(s);
        expect(r.ok ? "ok" : r.issues).toBe("ok");
      }),
      { numRuns: 300 },
    );
  });

  it("any valid scenario comes back as the same JSON value, and validates to the same scenario", () => {
    fc.assert(
      fc.property(scenarioArb(), (s) => {
        const back = viaLink(null, s);
        expect(jsonEqual(back, toJson(s))).toBe(true);
        expect(parseScenario(back)).toEqual(parseScenario(s));
      }),
      { numRuns: 400 },
    );
  });

  it("an edited preset comes back the same, spelled as the preset plus overrides when that is shorter", () => {
    let overrides = 0;
    fc.assert(
      fc.property(editedPresetArb(), (s) => {
        const ref = scenarioRefFor(null, s);
        if (ref.kind === "preset" && ref.overrides) overrides++;
        expect(jsonEqual(viaLink(null, s), toJson(s))).toBe(true);
      }),
      { numRuns: 300 },
    );
    expect(overrides).toBeGreaterThan(100);
  });

  it("every preset is just its id", () => {
    for (const p of PRESETS) {
      expect(scenarioRefFor(p.id, p.scenario)).toEqual({ kind: "preset", id: p.id });
      expect(scenarioRefFor(null, structuredClone(p.scenario))).toEqual({ kind: "preset", id: p.id });
      expect(jsonEqual(viaLink(p.id, p.scenario), p.scenario)).toBe(true);
    }
  });
});

describe("link state → link → link state", () => {
  it("decodes to the state it was made from", () => {
    fc.assert(
      fc.property(linkStateArb(), (state) => {
        const link = encodeLink(state);
        const r = decodeLink(`#${link}`);
        if (!r.ok) throw new Error(`${r.error}\n${link}`);
        expect(toJson(r.state)).toEqual(toJson(state));
        expect(r.from).toBe(1);
      }),
      { numRuns: 500 },
    );
  });

  it("equal states give equal links, and a decoded link re-encodes to itself", () => {
    fc.assert(
      fc.property(linkStateArb(), (state) => {
        const link = encodeLink(state);
        expect(encodeLink(structuredClone(state))).toBe(link);
        const r = decodeLink(link);
        expect(r.ok && encodeLink(r.state)).toBe(link);
      }),
      { numRuns: 300 },
    );
  });
});
